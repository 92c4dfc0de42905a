#include "commands/status.hpp"

#include <unordered_map>

#include "commands/abandoned_leases.hpp"
#include "engine/results.hpp"
#include "jug/errors.hpp"

namespace jug {

const char* to_string(TaskState state) {
  switch (state) {
    case TaskState::kWaiting: return "Waiting";
    case TaskState::kReady: return "Ready";
    case TaskState::kRunning: return "Running";
    case TaskState::kFinished: return "Finished";
    case TaskState::kFailed: return "Failed";
  }
  return "?";
}

namespace {

/// The lease of a finished task, left by a worker killed after storing the
/// result: nobody would look at it again. Removing it is safe even should
/// its holder be alive (it only had to give it back), so this host's clock
/// judges; a store this user may not write keeps it.
void remove_if_abandoned(Store& store, const LeaseInfo& lease, const LeaseOwner& self,
                         std::chrono::duration<double> lease_time) {
  const auto local_clock = [] { return std::chrono::system_clock::now(); };
  const std::optional<std::string> why = abandoned_lease(lease, self, lease_time, local_clock);
  if (!why) return;
  try {
    break_abandoned_lease(store, lease, *why);
  } catch (const StoreError&) {
  }
}

/// `known` (which tasks are finished, as far as it knows), with the others
/// looked up in the store.
std::vector<bool> look_up_unknown(const Graph& graph, Store& store, const std::vector<bool>& known) {
  std::vector<bool> finished = known;
  std::vector<TaskHash> unknown;
  std::vector<NodeId> ids;
  for (NodeId id = 0; id < graph.size(); ++id) {
    if (finished[id]) continue;
    unknown.push_back(graph.hash(id));
    ids.push_back(id);
  }
  const std::vector<bool> found = store.contains_all(unknown);
  for (std::size_t i = 0; i < ids.size(); ++i) finished[ids[i]] = found[i];
  return finished;
}

}  // namespace

StatusReport compute_status(const Graph& graph, Store& store, const StatusOptions& options) {
  StatusReport report;
  const std::size_t n = graph.size();
  std::vector<bool> finished = options.known_finished
                                   ? look_up_unknown(graph, store, *options.known_finished)
                                   : store.contains_all(graph.hashes());
  if (const auto& unreadable = graph.unreadable(); unreadable && finished[unreadable->id]) {
    finished[unreadable->id] = false;
    report.corrupt.emplace_back(unreadable->id, unreadable->why);
  }
  if (options.verify) {
    report.store_damage = store.damage(options.lease_time);
    for (NodeId id = 0; id < n; ++id) {
      if (!finished[id]) continue;  // (the unreadable one is listed already)
      try {
        load_result(store, graph, id);  // decoded too: a changed type may only show there
      } catch (const CorruptRecord& e) {
        report.corrupt.emplace_back(id, e.what());
        finished[id] = false;
      } catch (const ValueNotAvailable&) {
        finished[id] = false;  // removed since the listing
      }
    }
  }

  std::vector<char> running(n, 0);
  const LeaseOwner self = LeaseOwner::self();
  const auto local_clock = [] { return std::chrono::system_clock::now(); };
  for (const LeaseInfo& lease : store.list_leases()) {
    const std::optional<NodeId> id = graph.find(lease.hash);
    if (!id) continue;
    if (finished[*id]) {
      remove_if_abandoned(store, lease, self, options.lease_time);
      continue;
    }
    if (auto why = abandoned_lease(lease, self, options.lease_time, local_clock)) {
      report.abandoned.emplace_back(*id, std::move(*why));
    } else {
      running[*id] = 1;
      report.running.emplace_back(*id, lease.owner);
    }
  }
  std::sort(report.abandoned.begin(), report.abandoned.end());
  std::sort(report.running.begin(), report.running.end(),
            [](const auto& a, const auto& b) { return a.first < b.first; });
  std::vector<char> failed(n, 0);
  for (FailureInfo& failure : store.list_failures()) {
    if (auto id = graph.find(failure.hash); id && !finished[*id]) {
      failed[*id] = 1;
      report.failures.emplace_back(*id, std::move(failure.message));
    }
  }
  std::sort(report.failures.begin(), report.failures.end(),
            [](const auto& a, const auto& b) { return a.first < b.first; });

  report.states.resize(n);
  report.per_name.assign(graph.names().size(), {});
  for (NodeId id = 0; id < n; ++id) {
    TaskState s;
    if (finished[id]) {
      s = TaskState::kFinished;
    } else if (running[id]) {
      s = TaskState::kRunning;
    } else if (failed[id]) {
      s = TaskState::kFailed;
    } else {
      s = TaskState::kReady;
      for (NodeId d : graph.node(id).dependencies()) {
        if (!finished[d]) {
          s = TaskState::kWaiting;
          break;
        }
      }
    }
    report.states[id] = s;
    ++report.per_name[graph.node(id).name_id][static_cast<int>(s)];
    ++report.totals[static_cast<int>(s)];
  }
  return report;
}

}  // namespace jug
