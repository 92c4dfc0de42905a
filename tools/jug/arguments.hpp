#pragma once
/// Scanning what follows the subcommand on jug's command line: which
/// argument is the jugfile, and what goes to the jugfile's program.
///
/// jug does not parse the program's options (the program does, and a new
/// option must not need a new jug); it only has to know which options take
/// their value from the next argument, so that `jug execute --jugdir data
/// jugfile.cpp` finds jugfile.cpp and not `data`.

#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <vector>

namespace jug::tool {

/// True for an option of the jugfile's program written apart from its value
/// (`--jugdir DIR`, `-j 4`). `--jugdir=DIR` and `-j4` carry their value
/// themselves and are plain arguments. Keep in step with the program's CLI.
bool takes_separate_value(std::string_view argument);

struct ScannedArguments {
  /// The jugfile as the user wrote it, if one was given: the first argument
  /// before `--` that is neither an option nor an option's value.
  std::optional<std::string> file;
  /// Every other argument, in the original order, `--` and what follows
  /// included.
  std::vector<std::string> others;
  /// `--help` or `-h` came before `--`.
  bool help = false;
  /// `--version` came before `--` (after the subcommand, as Python jug takes it).
  bool version = false;
};

/// Whether `subcommand` takes patterns where the jugfile would go (`show`,
/// `why`, `export`).
bool takes_patterns(std::string_view subcommand);

/// Splits the arguments after the subcommand. With `patterns` (`jug show`,
/// `jug why`: cli/pattern_or_jugfile.hpp), the file is the first argument
/// that names a jugfile, and the others are patterns.
ScannedArguments scan_arguments(std::span<const std::string> arguments, bool patterns = false);

/// The argv the jugfile's program runs with: the program, the subcommand,
/// the jugfile (the program names its default store after it), then
/// everything else in the user's order.
std::vector<std::string> program_arguments(std::string_view program, std::string_view subcommand,
                                           std::string_view file,
                                           std::span<const std::string> others);

}  // namespace jug::tool
