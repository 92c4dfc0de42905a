#pragma once
/// The graph and store that the typed front end talks to while a jugfile's
/// build function runs (TaskGenerator calls add tasks to it; jug::value reads
/// from it). One per process at a time.

#include <functional>

#include "engine/graph.hpp"
#include "store/store.hpp"

namespace jug {

/// What the build may do to the store when the jugfile reads a result
/// (jug::value, jug::bvalue) that proves corrupt.
enum class BuildMode {
  /// Report it (status, invalidate...: commands that change no result).
  kReadOnly,
  /// Remove it and stop the graph there, as at a barrier, so that execute
  /// computes it again and then builds past it.
  kRepairResults,
};

/// Runs `build` with a fresh graph as the current one and returns the graph.
/// The graph's nodes can then be used after this returns, from any thread.
/// A barrier whose tasks are not all done ends the build early
/// (Graph::stopped_at).
Graph build_graph(const std::function<void()>& build, Store& store,
                  BuildMode mode = BuildMode::kReadOnly);

/// Makes `graph` and `store` current for jug::value calls made while tasks
/// run (a task body may call jug::value on tasks of the graph); restores the
/// previous ones on destruction.
class CurrentGraph {
 public:
  CurrentGraph(const Graph& graph, Store& store);
  ~CurrentGraph();
  CurrentGraph(const CurrentGraph&) = delete;
  CurrentGraph& operator=(const CurrentGraph&) = delete;

 private:
  const Graph* previous_graph_;
  Store* previous_store_;
};

}  // namespace jug
