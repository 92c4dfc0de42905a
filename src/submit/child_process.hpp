#pragma once
/// Running a batch system's commands (sbatch, qsub, scontrol, ...) and
/// reading what they print: `jug submit` reports their own words when they
/// refuse something.

#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace jug::submit {

struct Finished {
  /// The exit status; 128 + N when killed by signal N; 127 when it could
  /// not be started (`out` is then empty and `err` says why).
  int status = 0;
  std::string out;
  std::string err;
};

/// Runs `argv` (argv[0] looked up in PATH, no shell) and waits for it,
/// with `stdin_path` as its standard input (LSF's `bsub < script`), else
/// /dev/null.
Finished run_captured(const std::vector<std::string>& argv,
                      const std::optional<std::string>& stdin_path = std::nullopt);

/// The path of `name` on PATH, or empty.
std::string find_on_path(std::string_view name);

/// `argv` as a shell would need it typed: words with spaces or quotes
/// quoted. For the command `--dry-run` prints, and the script's lines.
std::string shell_quote(const std::vector<std::string>& argv);
std::string shell_quote(std::string_view word);

}  // namespace jug::submit
