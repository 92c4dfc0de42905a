#include "engine/results.hpp"

#include <optional>
#include <stdexcept>

#include <fmt/format.h>

#include "codec/record.hpp"
#include "engine/type_name.hpp"
#include "jug/archives.hpp"
#include "jug/errors.hpp"

namespace jug {

std::string describe_task(const Graph& graph, NodeId id) {
  // Built in place: made for every task run (the progress line, last words).
  std::string described = graph.name(id);
  described.append(" (");
  graph.hash(id).append_hex(described, 12);
  described.push_back(')');
  return described;
}

namespace {

constexpr const char* kRepair =
    "`jug execute --verify` removes exactly the unreadable results and computes them again, "
    "leaving every good one (plain jug execute does so when a task that needs it runs)";

/// The record of `id` in the store; throws ValueNotAvailable when there is none.
std::unique_ptr<RecordSource> open_result(Store& store, const Graph& graph, NodeId id) {
  std::unique_ptr<RecordSource> stored = store.open_record(graph.hash(id));
  if (!stored) {
    throw ValueNotAvailable(fmt::format(
        "the result of task {} is not available: the task has not run yet "
        "(run jug execute first, or put a jug::barrier() before asking for its value)",
        describe_task(graph, id)));
  }
  return stored;
}

/// Runs `read`, which reads the record of `id`, turning what it throws into
/// messages that name the task, where it is stored and what to do.
template <class Read>
void reading_result(Store& store, const Graph& graph, NodeId id, Read read) {
  const TaskHash& hash = graph.hash(id);
  const TaskBody& body = *graph.node(id).body;
  // Only made for a message: loading a result is on the hot path.
  const auto result_type = [&] {
    return demangled_type_name(std::string(body.result_type()).c_str());
  };
  const auto what_to_do = [&] {
    return fmt::format(
        "When a generator's result type changes, give it {{.version = N}}, so that its tasks "
        "get new hashes. {}",
        kRepair);
  };
  try {
    read();
  } catch (const ResultTypeMismatch&) {
    throw ResultTypeMismatch(fmt::format(
        "the stored result of task {} in {} holds another type than the task now returns "
        "({}): its code changed since it ran. {}",
        describe_task(graph, id), store.location(hash), result_type(), what_to_do()));
  } catch (const CorruptRecord& e) {
    throw CorruptRecord(fmt::format(
        "the stored result of task {} in {} is corrupt: {}. {}",
        describe_task(graph, id), store.location(hash), e.what(), kRepair));
  } catch (const record::UndecodablePayload& e) {
    // The record passed its checksum: its bytes are what was written. They
    // were written by another definition of the type (a field added, say).
    throw ResultTypeMismatch(fmt::format(
        "the stored result of task {} in {} does not decode as a {} as the type is defined "
        "now ({}): the type changed since it ran. {}",
        describe_task(graph, id), store.location(hash), result_type(), e.what(), what_to_do()));
  }
}

AnyValue read_result(Store& store, const Graph& graph, NodeId id, RecordSource& stored) {
  const TaskBody& body = *graph.node(id).body;
  AnyValue value;
  reading_result(store, graph, id, [&] {
    record::read(stored, graph.hash(id), body.result_type(),
                 [&](InputArchive& payload) { value = body.decode(payload); });
  });
  return value;
}

/// load_elements, without its second try.
AnyValue load_elements_once(Store& store, const Graph& graph, NodeId id) {
  const std::unique_ptr<RecordSource> stored = open_result(store, graph, id);
  if (stored->size() > record::big_record_size()) {
    if (std::shared_ptr<const FileMapping> mapping = stored->map()) {
      const TaskBody& body = *graph.node(id).body;
      std::optional<std::string_view> payload;
      reading_result(store, graph, id, [&] {
        payload = record::open_uncompressed(std::string_view(mapping->bytes().data(),
                                                             mapping->bytes().size()),
                                            graph.hash(id), body.result_type());
      });
      if (payload) {
        if (const auto elements = body.element_bytes_of_payload(*payload)) {
          return std::make_shared<const ElementBytes>(ElementBytes{*elements, mapping});
        }
      }
    }
  }
  return elements_of(graph, id, read_result(store, graph, id, *stored));
}

/// `load()`, which opens the record of `id` and reads it, once more when
/// the record was replaced or removed while it was read, in a store that
/// cannot go on reading it (RecordReplaced: Redis). Once more only: a
/// record replaced twice meanwhile is taken as not there.
template <class Load>
AnyValue again_if_replaced(const Graph& graph, NodeId id, Load load) {
  try {
    return load();
  } catch (const RecordReplaced&) {
  }
  try {
    return load();
  } catch (const RecordReplaced& e) {
    throw ValueNotAvailable(fmt::format("the result of task {} is not available: {}, twice",
                                        describe_task(graph, id), e.what()));
  }
}

}  // namespace

AnyValue load_result(Store& store, const Graph& graph, NodeId id) {
  return again_if_replaced(graph, id, [&] {
    const std::unique_ptr<RecordSource> stored = open_result(store, graph, id);
    return read_result(store, graph, id, *stored);
  });
}

AnyValue load_elements(Store& store, const Graph& graph, NodeId id) {
  return again_if_replaced(graph, id, [&] { return load_elements_once(store, graph, id); });
}

AnyValue elements_of(const Graph& graph, NodeId id, AnyValue value) {
  const auto elements = graph.node(id).body->element_bytes(value);
  if (!elements) {
    throw std::logic_error(fmt::format("task {} was asked for a view of its result, which is "
                                       "no array of numbers",
                                       describe_task(graph, id)));
  }
  return std::make_shared<const ElementBytes>(ElementBytes{*elements, std::move(value)});
}

std::string encode_payload(const TaskBody& body, const AnyValue& value) {
  std::string bytes;
  OutputArchive out(bytes);
  body.encode(value, out);
  return bytes;
}

RecordBytes encode_result(const Graph& graph, NodeId id, const AnyValue& value,
                          const RunMetadata& run) {
  const TaskBody& body = *graph.node(id).body;
  return record::make(
      graph.hash(id), body.result_type(),
      [&body, value](OutputArchive& payload) { body.encode(value, payload); },
      encode_run_metadata(run));
}

void save_result(Store& store, const Graph& graph, NodeId id, const AnyValue& value,
                 const RunMetadata& run) {
  store.put(graph.hash(id), encode_result(graph, id, value, run));
}

}  // namespace jug
