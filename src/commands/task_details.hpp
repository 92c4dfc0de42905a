#pragma once
/// What `jug show` tells of a task: its state, arguments, neighbours in the
/// graph, where its result is kept, and the metadata of the run that made it
/// (RunMetadata, read from the record's trailer, not its payload).

#include <cstdint>
#include <optional>
#include <span>
#include <string>
#include <vector>

#include "codec/run_metadata.hpp"
#include "commands/argument_view.hpp"
#include "commands/status.hpp"
#include "engine/graph.hpp"
#include "store/store.hpp"

namespace jug {

struct TaskDetails {
  NodeId id = 0;
  TaskState state = TaskState::kWaiting;
  std::vector<ArgumentView> arguments;
  std::uint64_t code_version = 0;
  /// Each once, in the order the task takes them.
  std::vector<NodeId> dependencies;
  std::vector<NodeId> dependents;
  /// Where its result is (or would be) kept.
  std::string location;
  /// The file its stored record is in, and where in it.
  std::optional<Store::RecordPlace> record_place;
  /// The stored record's size in bytes, when one is stored.
  std::optional<std::uint64_t> stored_bytes;
  /// Its value's size, decoded.
  std::optional<std::uint64_t> value_bytes;
  /// The run that made the stored result, when its record keeps it.
  std::optional<RunMetadata> run;
  /// Why a stored result has no `run`: written before jug kept metadata, by
  /// a newer jug, or its trailer is damaged.
  std::string no_run_because;
  /// The stored result as JSON (`{"value": ...}`, TaskBody::value_json),
  /// or why it is not shown.
  std::optional<std::string> value_json;
  std::string no_value_because;
  std::optional<std::string> failure;
  /// The worker holding it, while it runs.
  std::optional<LeaseOwner> running_on;
};

/// Results up to this size (decoded) are read to be shown as JSON.
inline constexpr std::uint64_t kLargestShownResult = 16 << 20;

/// The decoded size of the stored result of `hash` (its record's header),
/// or nullopt when none is stored or its header is damaged. Throws
/// StoreError.
std::optional<std::uint64_t> stored_result_size(Store& store, const TaskHash& hash);

/// The details of `ids` in `graph`, their states taken from `status`
/// (compute_status of the same graph and store).
std::vector<TaskDetails> task_details(const Graph& graph, Store& store,
                                      std::span<const NodeId> ids, const StatusReport& status);

/// The stored result of `id` as JSON (TaskBody::value_json): nullopt with
/// `why` set when it cannot be (not stored, damaged, a type without JSON,
/// a program built without JSON). Throws StoreError.
std::optional<std::string> stored_value_json(const Graph& graph, Store& store, NodeId id,
                                             std::string& why);

/// The run metadata kept with the stored result of `hash`: nullopt with
/// `why` set when there is none to read (no result, a record from before
/// metadata, a newer format, a damaged trailer). Throws StoreError.
std::optional<RunMetadata> stored_run_metadata(Store& store, const TaskHash& hash,
                                               std::string& why,
                                               std::optional<std::uint64_t>* size = nullptr);

}  // namespace jug
