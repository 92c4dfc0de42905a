#pragma once
/// Reading and writing one task's result through a store, with the record
/// framing and error messages that name the task and where it is stored.

#include "codec/run_metadata.hpp"
#include "engine/graph.hpp"
#include "store/store.hpp"

namespace jug {

/// Loads and decodes the result of `id`. Throws ValueNotAvailable when it is
/// not stored, CorruptRecord (naming task and location) when it is damaged,
/// and ResultTypeMismatch when it is intact but of another type, or of a
/// type defined otherwise when it was stored (it does not decode now).
AnyValue load_result(Store& store, const Graph& graph, NodeId id);

/// The result of `id`, an array of numbers, as the bytes of its elements
/// (ElementBytes) for a task that reads it through a view: a big record
/// the store can map is mapped, checked whole, and its elements handed on
/// where they lie, with no copy; any other is loaded as load_result does.
/// Throws as load_result does.
AnyValue load_elements(Store& store, const Graph& graph, NodeId id);

/// `value`, the result of `id` in memory, as the bytes of its elements.
AnyValue elements_of(const Graph& graph, NodeId id, AnyValue value);

/// The record of `value` as the result of `id`, with `run` as its
/// metadata: ready for Store::put. A big one keeps `value` and encodes it
/// again as it is stored.
RecordBytes encode_result(const Graph& graph, NodeId id, const AnyValue& value,
                          const RunMetadata& run);

/// The payload `body` encodes for `value`, whole in memory (the record's
/// body, without its framing).
std::string encode_payload(const TaskBody& body, const AnyValue& value);

/// Encodes `value` as a record and publishes it.
void save_result(Store& store, const Graph& graph, NodeId id, const AnyValue& value,
                 const RunMetadata& run);

/// "twice (3f2a9c01…)": how messages name a task.
std::string describe_task(const Graph& graph, NodeId id);

}  // namespace jug
