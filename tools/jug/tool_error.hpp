#pragma once
/// ToolError: a failure of the jug command that the user can act on.

#include <stdexcept>
#include <string>

namespace jug::tool {

/// Exit code for a failure of jug itself (compile error, cache trouble).
inline constexpr int kExitFailure = 1;
/// Exit code for a command line jug cannot act on (no jugfile, bad subcommand).
inline constexpr int kExitUsage = 2;

/// Thrown wherever the command cannot go on; main prints "jug: <message>"
/// and exits with exit_code(). The message says what went wrong and, where
/// the user can fix it, how: it is the whole of what the user sees.
class ToolError : public std::runtime_error {
 public:
  ToolError(const std::string& message, int exit_code)
      : std::runtime_error(message), exit_code_(exit_code) {}

  int exit_code() const { return exit_code_; }

 private:
  int exit_code_;
};

}  // namespace jug::tool
