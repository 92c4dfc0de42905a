#pragma once
/// `jug show PATTERN...`: all that is known of the matching tasks
/// (task_details.hpp), as text or --json. What users of Python jug opened
/// `jug shell` for. And `jug why PATTERN...`, which tells of the same tasks
/// why they will run.

#include "cli/command_line.hpp"
#include "commands/status.hpp"
#include "engine/graph.hpp"
#include "store/store.hpp"

namespace jug::cli {

/// Returns the exit status; throws jug::Error when no task matches.
int run_show(const CommandLine& cl, const Graph& graph, Store& store);

/// `jug why PATTERN...`: why each matching task will run (why.hpp), one
/// line per reason naming the task; exit 0 either way.
int run_why(const CommandLine& cl, const Graph& graph, Store& store);

/// The status of every task, with the command line's --lease-time.
StatusReport status_of(const CommandLine& cl, const Graph& graph, Store& store);

/// The tasks matching any of `patterns`, each once, in graph order; throws
/// jug::Error naming a pattern that matches none.
std::vector<NodeId> tasks_matching(const Graph& graph, const std::vector<std::string>& patterns);

}  // namespace jug::cli
