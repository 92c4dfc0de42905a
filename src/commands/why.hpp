#pragma once
/// `jug why`: why a task will run (as ninja's `-d explain` and Snakemake's
/// `--reason` say it). A task runs when its result is not stored: because
/// a task it needs is not done, or because it is new. A new task whose name
/// has a stored result elsewhere in the store (an older hash, found through
/// the metadata kept with results, RunMetadata) is a task whose inputs
/// changed: the arguments are compared one by one, and the code version.

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

/// The reasons of each of `ids`, their states from `status` (compute_status
/// of the same graph and store). Reads the metadata of the stored results
/// that are in no task of `graph`, once for all of them. Throws StoreError.
std::vector<TaskReasons> explain_tasks(const Graph& graph, Store& store,
                                       std::span<const NodeId> ids, const StatusReport& status);

}  // namespace jug
