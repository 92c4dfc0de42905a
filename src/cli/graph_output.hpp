#pragma once
/// What `jug graph` draws: by default one node per task name, with how many
/// of its tasks are in each state and a colour for the most pressing of them
/// (failed, running, ready, waiting, all finished), and one edge per pair of
/// names a dependency joins, labelled with how many task-to-task
/// dependencies it stands for; with `tasks`, one node per task. Written as
/// Graphviz's dot language or as JSON.

#include <cstddef>
#include <optional>
#include <ostream>
#include <string>
#include <vector>

#include "commands/status.hpp"

namespace jug::cli {

struct GraphDrawing {
  /// One node per task instead of per name.
  bool tasks = false;
  /// Per task (by NodeId): whether it is drawn (--target: the matching
  /// tasks and what they need). Empty: every task.
  std::vector<char> selected;
  /// Each task's state; nullptr: the tasks alone, without (--no-status).
  const StatusReport* status = nullptr;
};

/// The tasks matching `pattern` and every task they need, directly or not.
std::vector<char> tasks_and_what_they_need(const Graph& graph, const std::string& pattern);

/// How many tasks `drawing` draws.
std::size_t drawn_tasks(const Graph& graph, const GraphDrawing& drawing);

void print_graph_dot(std::ostream& out, const Graph& graph, const GraphDrawing& drawing);
void print_graph_json(std::ostream& out, const Graph& graph, const GraphDrawing& drawing);

}  // namespace jug::cli
