#include "commands/status.hpp"

#include <unordered_map>

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

StatusReport compute_status(const Graph& graph, Store& store) {
  StatusReport report;
  const std::size_t n = graph.size();
  const std::vector<bool> finished = store.contains_all(graph.hashes());

  std::vector<char> running(n, 0);
  for (const LeaseInfo& lease : store.list_leases()) {
    if (auto id = graph.find(lease.hash)) running[*id] = 1;
  }
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
      for (NodeId d : graph.node(id).dependencies) {
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
