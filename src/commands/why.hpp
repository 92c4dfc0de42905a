#pragma once
/// `jug why`: why a task will run (as ninja's `-d explain` and Snakemake's
/// `--reason` say it). A task runs when its result is not stored: because
/// a task it needs is not done, or because it is new. A new task whose name
/// has a stored result elsewhere in the store (an older hash, found through
/// the metadata kept with results, RunMetadata) is a task whose inputs
/// changed: the arguments are compared one by one, and the code version.

#include <memory>
#include <mutex>
#include <span>
#include <string>
#include <vector>

#include "commands/status.hpp"
#include "engine/graph.hpp"
#include "store/store.hpp"

namespace jug {

struct TaskReasons {
  NodeId id = 0;
  /// Its result is stored: nothing to run.
  bool up_to_date = false;
  /// One line each, for a task that will run (or is running, or failed).
  std::vector<std::string> reasons;
};

struct EarlierResults;

/// `execute --explain`: why each task runs, as it starts: what changed in
/// its inputs since the closest earlier result of its name, or that none
/// is stored. The results the graph does not own are read once per round
/// (at the first task), their metadata only. Thread-safe.
class RunReasons {
 public:
  explicit RunReasons(Store& store) : store_(store) {}
  /// One line each; `graph` is current (its tasks' hashes readable).
  std::vector<std::string> of(const Graph& graph, NodeId id);

 private:
  Store& store_;
  std::mutex mutex_;
  const Graph* graph_ = nullptr;
  std::size_t graph_size_ = 0;
  std::shared_ptr<const EarlierResults> earlier_;
};

/// The reasons of each of `ids`, their states from `status` (compute_status
/// of the same graph and store). Reads the metadata of the stored results
/// that are in no task of `graph`, once for all of them. Throws StoreError.
std::vector<TaskReasons> explain_tasks(const Graph& graph, Store& store,
                                       std::span<const NodeId> ids, const StatusReport& status);

}  // namespace jug
