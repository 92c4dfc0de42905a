#pragma once
/// What the front-end tests share: a memory store, a graph built on it by a
/// build function (as jug::main does), that graph run as `jug execute`
/// would, the values it stored; and the hash of one task, built in a graph
/// of its own.

#include <gtest/gtest.h>

#include <functional>
#include <optional>

#include "commands/execute.hpp"
#include "engine/build_context.hpp"
#include "engine/graph.hpp"
#include "jug/task_generator.hpp"
#include "store/memory_store.hpp"

namespace jug_test {

/// The hash of the task (or tasklet) `make` returns, built in a graph of
/// its own.
template <class Make>
jug::TaskHash hash_of(Make make) {
  jug::MemoryStore store;
  std::optional<jug::TaskHash> hash;
  jug::build_graph([&] { hash = make().hash(); }, store);
  return *hash;
}

class GraphTest : public ::testing::Test {
 protected:
  jug::Graph build(const std::function<void()>& fn) { return jug::build_graph(fn, store_); }

  jug::ExecuteReport execute(const jug::Graph& graph, const jug::ExecuteOptions& options = {}) {
    return jug::execute(graph, store_, options, observer_);
  }

  /// Carry on past failures, to see them all.
  static jug::ExecuteOptions keep_going() {
    jug::ExecuteOptions options;
    options.keep_going = true;
    return options;
  }

  template <class R>
  R value(const jug::Graph& graph, const jug::Task<R>& task) {
    jug::CurrentGraph current(graph, store_);
    return jug::value(task);
  }

  jug::MemoryStore store_;
  jug::ExecuteObserver observer_;
};

}  // namespace jug_test
