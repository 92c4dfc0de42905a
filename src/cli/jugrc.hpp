#pragma once
/// Configuration files, as Python jug reads them (jug/options.py): options
/// set in `jugrc` files, below the command line. The files, from the least
/// to the most weight:
///   - the first that exists of ~/.config/jug/jugrc, ~/.config/jugrc,
///     ~/.jug/configrc;
///   - `jugrc`, then `.jugrc`, in each directory from the git root (the
///     closest directory above holding `.git`) down to the working
///     directory; without a git root, in the working directory alone.
/// Each is an INI file as Python's configparser reads it: `[main]` for
/// options of every subcommand, `[execute]`, `[status]`... for one; `key =
/// value` or `key: value`, the key an option's long name (`-` and `_`
/// alike, any case); `#` and `;` begin comments; an indented line goes on
/// the value before. Booleans are false for "", 0, false, off (any case).

#include <filesystem>
#include <string>
#include <string_view>
#include <vector>

namespace jug::cli {

struct JugrcSetting {
  /// "main" or a subcommand's name, as written.
  std::string section;
  /// Lowercased, with '_' as '-': an option's long name without "--".
  std::string key;
  std::string value;
  /// "path:line", for messages and --print-options.
  std::string source;
  /// Which file, counting from the least weighty (0).
  std::size_t file = 0;
};

/// The settings in `text`, the file `path` (the `file`-th). Throws
/// jug::Error naming the line of one that is no setting, section or
/// comment.
std::vector<JugrcSetting> parse_jugrc(std::string_view text, const std::string& path,
                                      std::size_t file = 0);

/// The jugrc files that exist, from the least to the most weighty.
std::vector<std::filesystem::path> jugrc_files(const std::filesystem::path& working_directory,
                                               const char* home);

/// Every setting of jugrc_files(), in that order. Throws jug::Error for a
/// file that cannot be read or parsed.
std::vector<JugrcSetting> read_jugrc_settings();

/// Python jug's booleans: false for "", "0", "false", "off" (any case).
bool jugrc_true(std::string_view value);

}  // namespace jug::cli
