#include "commands/check.hpp"

#include <optional>

#include "commands/execute.hpp"
#include "commands/status.hpp"

namespace jug {

bool computation_finished(const std::function<Graph()>& build, Store& store) {
  std::optional<Graph> graph;
  graph.emplace(build());
  while (compute_status(*graph, store).all_finished()) {
    if (!graph->stopped_at()) return true;
    graph.emplace(build());
    if (!gets_further(*graph, store)) return false;
  }
  return false;
}

}  // namespace jug
