#pragma once
/// `jug status`: the state of every task, from one bulk look at the store.

#include <array>
#include <cstddef>
#include <string>
#include <vector>

#include "engine/graph.hpp"
#include "store/store.hpp"

namespace jug {

enum class TaskState : std::uint8_t { kWaiting, kReady, kRunning, kFinished, kFailed };
inline constexpr std::size_t kTaskStateCount = 5;
const char* to_string(TaskState state);

struct StatusReport {
  /// Per task, indexed by NodeId.
  std::vector<TaskState> states;
  /// Per task name (indexed like Graph::names()), counts per TaskState.
  std::vector<std::array<std::size_t, kTaskStateCount>> per_name;
  std::array<std::size_t, kTaskStateCount> totals{};
  /// Failure messages of the failed tasks, by NodeId.
  std::vector<std::pair<NodeId, std::string>> failures;

  bool all_finished() const { return totals[static_cast<int>(TaskState::kFinished)] == states.size(); }
};

/// Finished: a result is stored. Running: not finished, a lease is held.
/// Failed: not finished nor running, a failure is recorded. Ready: every
/// dependency finished. Waiting: the rest.
StatusReport compute_status(const Graph& graph, Store& store);

}  // namespace jug
