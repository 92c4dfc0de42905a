#pragma once
/// `jug status`: the state of every task, from one bulk look at the store.

#include <array>
#include <chrono>
#include <cstddef>
#include <string>
#include <vector>

#include "engine/graph.hpp"
#include "store/lease_judge.hpp"
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
  /// Tasks whose lease belongs to a worker that is gone, with what became
  /// of it: not Running; the next execute takes them over.
  std::vector<std::pair<NodeId, std::string>> abandoned;
  /// The Running tasks, each with the worker that holds it, by NodeId.
  std::vector<std::pair<NodeId, LeaseOwner>> running;
  /// With StatusOptions::verify: results that cannot be read, and why.
  std::vector<std::pair<NodeId, std::string>> corrupt;
  /// With StatusOptions::verify: damage in the store's own files
  /// (Store::damage).
  std::vector<std::string> store_damage;

  bool all_finished() const { return totals[static_cast<int>(TaskState::kFinished)] == states.size(); }
};

/// Finished: a result is stored. Running: not finished, a lease is held by
/// a worker that may be alive (lease_judge.hpp, with `lease_time`; by this
/// host's clock, so that status need not write). Failed: not finished nor
/// running, a failure is recorded. Ready: every dependency finished.
/// Waiting: the rest.
/// With `verify`, every stored result is read, checked (checksum, type) and
/// decoded:
/// one that fails is listed in `corrupt` and counted as not finished.
/// The one thing status writes: it removes the leases of finished tasks
/// whose holders are gone (abandoned_leases.hpp), where it may.
struct StatusOptions {
  std::chrono::duration<double> lease_time{kDefaultLeaseTime};
  bool verify = false;
  /// Per task (by NodeId), whether it is known to be finished (status
  /// --cache, status_cache.hpp): only the others are looked up.
  const std::vector<bool>* known_finished = nullptr;
};
StatusReport compute_status(const Graph& graph, Store& store, const StatusOptions& options = {});

}  // namespace jug
