#pragma once
/// Graphs that depend on results: building the graph stops at a barrier
/// until the tasks before it are done, so that later tasks can be made from
/// their values (how many chunks, which parameters won).
///
///   auto n = count_chunks(input);
///   for (int i = 0; i < jug::bvalue(n); ++i) tasks.push_back(process(input, i));
///
/// `jug execute` runs the tasks known so far and, once they are done, builds
/// the graph again, now past the barrier, and carries on (as often as there
/// are barriers). `status` shows the tasks known so far and says where the
/// graph stops; `sleep-until` and `check` follow barriers to the end.
///
/// A barrier stops the build function by throwing an object that is not a
/// std::exception: do not catch it with `catch (...)` inside the build.

#include <source_location>
#include <string>

#include "jug/task_generator.hpp"
#include "jug/task_handle.hpp"

namespace jug {

namespace detail {
/// Stops building unless every task made so far has its result.
void barrier_on_all(const std::source_location& where);
/// Stops building unless `id`'s task has its result.
void barrier_on(NodeId id, const std::source_location& where);
/// The same, `where` said in words ("analysis.py:12": a Python jugfile's).
void barrier_on_all_at(const std::string& where);
void barrier_on_at(NodeId id, const std::string& where);
}  // namespace detail

/// Building goes past this point only once every task made before it has
/// its result.
inline void barrier(const std::source_location& where = std::source_location::current()) {
  detail::barrier_on_all(where);
}

/// The result of `task` (a task or tasklet), for building the rest of the
/// graph from it: building stops here until it is done. Unlike barrier(),
/// it waits for this task (and so what it needs) only.
template <class R>
R bvalue(const Task<R>& task, const std::source_location& where = std::source_location::current()) {
  detail::barrier_on(task.node_id(), where);
  return value(task);
}

}  // namespace jug
