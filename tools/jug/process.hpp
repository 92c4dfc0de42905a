#pragma once
/// Running other programs: the compiler (wait for it) and the jugfile's
/// program (become it).

#include <string>
#include <vector>

namespace jug::tool {

/// Runs `argv` (argv[0] looked up in PATH) with jug's stdin, stdout and
/// stderr, so compiler messages reach the user as they come, and waits.
/// No shell is involved: flags are passed as they are. Returns the exit
/// status; 128 + N if killed by signal N; 127 if it could not be started
/// (after printing why).
int run_and_wait(const std::vector<std::string>& argv);

/// Runs `argv` as run_and_wait does, but with its standard output (and,
/// with `capture_errors`, its standard error) captured, not shown: what
/// it printed, and its exit status in `*status`.
std::string run_and_capture(const std::vector<std::string>& argv, int* status,
                            bool capture_errors = false);
/// The same with its standard error on the file descriptor `errors`
/// (kSameAsOutput: captured with the output; -1: jug's own).
inline constexpr int kSameAsOutput = -2;
std::string run_and_capture(const std::vector<std::string>& argv, int* status, int errors);

/// Runs every command of `commands` at once, the standard output and error
/// of each going to the file `logs[i]` (created or emptied), and waits for
/// them all: their exit statuses, as run_and_wait gives them.
std::vector<int> run_together(const std::vector<std::vector<std::string>>& commands,
                              const std::vector<std::string>& logs);

/// Replaces jug with `program`, run with `argv`: the program's exit code is
/// then jug's, and signals (Ctrl-C, a batch system's SIGTERM) reach it
/// directly. Returns only by throwing ToolError.
[[noreturn]] void replace_process(const std::string& program, const std::vector<std::string>& argv);

}  // namespace jug::tool
