#include "engine/results.hpp"

#include <fmt/format.h>

#include "codec/record.hpp"
#include "jug/errors.hpp"

namespace jug {

std::string describe_task(const Graph& graph, NodeId id) {
  return fmt::format("{} ({})", graph.name(id), graph.hash(id).hex().substr(0, 12));
}

namespace {

/// The stored record of `id`, opened (checked); `decode` gets its payload.
template <typename Decode>
auto open_result(Store& store, const Graph& graph, NodeId id, Decode decode) {
  const TaskHash& hash = graph.hash(id);
  std::optional<std::string> stored = store.get(hash);
  if (!stored) {
    throw ValueNotAvailable(fmt::format(
        "the result of task {} is not available: the task has not run yet "
        "(run jug execute first, or put a jug::barrier() before asking for its value)",
        describe_task(graph, id)));
  }
  try {
    std::string scratch;
    const TaskBody& body = *graph.node(id).body;
    return decode(body, record::open(*stored, hash, body.result_type(), scratch));
  } catch (const ResultTypeMismatch& e) {
    throw ResultTypeMismatch(fmt::format(
        "the stored result of task {} in {} cannot be used: {}. Its code changed since it ran "
        "(jug execute recomputes it; jug invalidate --target {} removes it and what depends on it)",
        describe_task(graph, id), store.location(hash), e.what(), graph.name(id)));
  } catch (const CorruptRecord& e) {
    throw CorruptRecord(fmt::format(
        "the stored result of task {} in {} is corrupt: {} (jug execute removes it and "
        "recomputes it when something needs it; jug invalidate --target {} removes it now)",
        describe_task(graph, id), store.location(hash), e.what(), graph.name(id)));
  }
}

}  // namespace

AnyValue load_result(Store& store, const Graph& graph, NodeId id) {
  return open_result(store, graph, id,
                     [](const TaskBody& body, std::string_view payload) { return body.decode(payload); });
}

void check_result(Store& store, const Graph& graph, NodeId id) {
  open_result(store, graph, id, [](const TaskBody&, std::string_view) { return 0; });
}

std::string encode_result(const Graph& graph, NodeId id, const AnyValue& value) {
  const TaskBody& body = *graph.node(id).body;
  std::string buffer = record::begin();
  body.encode(value, buffer);
  record::finish(buffer, graph.hash(id), body.result_type());
  return buffer;
}

void save_result(Store& store, const Graph& graph, NodeId id, const AnyValue& value) {
  store.put(graph.hash(id), encode_result(graph, id, value));
}

}  // namespace jug
