#include "commands/prior_durations.hpp"

#include "commands/task_details.hpp"

namespace jug {
namespace {

/// Tasks of a name looked up in the store, and results of it read.
constexpr std::size_t kLookedUp = 16;
constexpr std::size_t kRead = 3;

}  // namespace

std::vector<std::optional<double>> prior_durations(
    const Graph& graph, Store& store, const std::vector<std::size_t>& to_do_per_name) {
  const std::size_t names = graph.names().size();
  std::vector<std::vector<NodeId>> candidates(names);
  for (NodeId id = 0; id < graph.size(); ++id) {
    const std::uint32_t name = graph.node(id).name_id;
    if (name < to_do_per_name.size() && to_do_per_name[name] > 0 &&
        candidates[name].size() < kLookedUp) {
      candidates[name].push_back(id);
    }
  }
  std::vector<std::optional<double>> out(names);
  try {
    std::vector<TaskHash> hashes;
    std::vector<NodeId> ids;
    for (const std::vector<NodeId>& of_name : candidates) {
      for (const NodeId id : of_name) {
        hashes.push_back(graph.hash(id));
        ids.push_back(id);
      }
    }
    const std::vector<bool> stored = store.contains_all(hashes);
    std::vector<double> sum(names);
    std::vector<std::size_t> count(names);
    for (std::size_t i = 0; i < ids.size(); ++i) {
      const std::uint32_t name = graph.node(ids[i]).name_id;
      if (!stored[i] || count[name] >= kRead) continue;
      std::string why_none;
      const std::optional<RunMetadata> run = stored_run_metadata(store, hashes[i], why_none);
      if (!run || run->finished_ns < run->started_ns) continue;
      sum[name] += static_cast<double>(run->finished_ns - run->started_ns) / 1e9;
      ++count[name];
    }
    for (std::size_t name = 0; name < names; ++name) {
      if (count[name] > 0) out[name] = sum[name] / static_cast<double>(count[name]);
    }
  } catch (const std::exception&) {
    // Only an estimate: the run itself will say what is wrong with the
    // store (a record replaced as it was read, a connection lost).
  }
  return out;
}

}  // namespace jug
