#pragma once
/// `jug execute --pdb` for a C++ jugfile (Python jug drops into pdb): the
/// first task that failed runs again, alone (`--target HASH`), in gdb,
/// stopped where it throws (`catch throw`), in the terminal the user is in.
/// Without a terminal, gdb runs in batch mode and prints the backtrace at
/// the throw, then ends (no prompt to hang on); without gdb, the message
/// says so and how to get it. A Python jugfile's tasks drop into pdb
/// themselves (python/jug/_graph.py).

#include <string>

#include "cli/command_line.hpp"
#include "jug/task_hash.hpp"

namespace jug::cli {

/// `task`: how messages name it ("twice (3f2a9c01…)"); `failure`: its
/// failure's message. Returns when the debugger has ended. A task that
/// broke a rule of --debug threw nothing to stop at: its message is the
/// whole story, and no debugger runs.
void debug_failed_task(const CommandLine& cl, const std::string& task, const TaskHash& hash,
                       const std::string& failure);

}  // namespace jug::cli
