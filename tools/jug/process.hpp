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

/// Replaces jug with `program`, run with `argv`: the program's exit code is
/// then jug's, and signals (Ctrl-C, a batch system's SIGTERM) reach it
/// directly. Returns only by throwing ToolError.
[[noreturn]] void replace_process(const std::string& program, const std::vector<std::string>& argv);

}  // namespace jug::tool
