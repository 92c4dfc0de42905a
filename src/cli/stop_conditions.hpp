#pragma once
/// What makes `jug execute` stop starting tasks, as jug users know it:
/// the stop file `__jug_please_stop_running.txt` in the working directory,
/// JUG_MAX_TASKS, JUG_MAX_HOURS / JUG_MAX_MINUTES / JUG_MAX_SECONDS (they
/// add up), JUG_EXIT_IF_FILE_EXISTS, and SIGINT / SIGTERM (stop_signals.hpp).
/// In every case the tasks already running finish and are stored, and
/// leases are released.

#include "commands/execute.hpp"

namespace jug::cli {

/// The stop file jug checks before each task.
inline constexpr const char* kStopFile = "__jug_please_stop_running.txt";

/// Fills the limits and the stop check of `options`. With
/// `check_environment` false the JUG_* variables are ignored (the stop file
/// and signals still count). Throws jug::Error for a malformed variable.
void apply_stop_conditions(ExecuteOptions& options, bool check_environment);

}  // namespace jug::cli
