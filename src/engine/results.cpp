#include "engine/results.hpp"

#include <fmt/format.h>

#include "codec/record.hpp"
#include "jug/errors.hpp"

namespace jug {

std::string describe_task(const Graph& graph, NodeId id) {
  return fmt::format("{} ({})", graph.name(id), graph.hash(id).hex().substr(0, 12));
}

AnyValue load_result(Store& store, const Graph& graph, NodeId id) {
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
    const std::string_view payload = record::open(*stored, hash, scratch);
    return graph.node(id).body->decode(payload);
  } catch (const CorruptRecord& e) {
    throw CorruptRecord(fmt::format(
        "the stored result of task {} in {} is corrupt: {}. "
        "Run `jug invalidate --target {}` (or delete that file) and execute again to recompute it",
        describe_task(graph, id), store.location(hash), e.what(), graph.name(id)));
  }
}

void save_result(Store& store, const Graph& graph, NodeId id, const AnyValue& value) {
  std::string buffer = record::begin();
  graph.node(id).body->encode(value, buffer);
  record::finish(buffer, graph.hash(id));
  store.put(graph.hash(id), buffer);
}

}  // namespace jug
