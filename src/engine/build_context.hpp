#pragma once
/// The graph and store that the typed front end talks to while a jugfile's
/// build function runs (TaskGenerator calls add tasks to it; jug::value reads
/// from it). One per process at a time.

#include <functional>

#include "engine/graph.hpp"
#include "store/store.hpp"

namespace jug {

/// Runs `build` with a fresh graph as the current one and returns the graph.
/// The graph's nodes can then be used after this returns, from any thread.
Graph build_graph(const std::function<void()>& build, Store& store);

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
