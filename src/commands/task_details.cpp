#include "commands/task_details.hpp"

#include <algorithm>

#include <fmt/format.h>

#include "codec/record.hpp"
#include "codec/record_header.hpp"
#include "engine/build_context.hpp"
#include "engine/result_json_support.hpp"
#include "engine/results.hpp"
#include "engine/type_name.hpp"
#include "jug/errors.hpp"

namespace jug {
namespace {

std::vector<NodeId> each_once(std::span<const NodeId> given) {
  std::vector<NodeId> ids(given.begin(), given.end());
  std::vector<NodeId> out;
  for (const NodeId id : ids) {
    if (std::find(out.begin(), out.end(), id) == out.end()) out.push_back(id);
  }
  return out;
}

}  // namespace

std::optional<RunMetadata> stored_run_metadata(Store& store, const TaskHash& hash,
                                               std::string& why,
                                               std::optional<std::uint64_t>* size) {
  const std::unique_ptr<RecordSource> record = store.open_record(hash);
  if (!record) {
    why = "no result is stored";
    return std::nullopt;
  }
  if (size != nullptr) *size = record->size();
  try {
    const std::optional<std::string> bytes = record::read_metadata(*record, hash);
    if (!bytes) {
      why = "its result was stored by a jug that kept no metadata";
      return std::nullopt;
    }
    std::optional<RunMetadata> run = decode_run_metadata(*bytes);
    if (!run) why = "its metadata is in a newer format than this jug reads";
    return run;
  } catch (const CorruptRecord& e) {
    why = std::string("its record is damaged: ") + e.what();
    return std::nullopt;
  }
}

std::optional<std::uint64_t> stored_result_size(Store& store, const TaskHash& hash) {
  const std::unique_ptr<RecordSource> record = store.open_record(hash);
  if (!record) return std::nullopt;
  char header[record::kHeaderSize];
  const std::size_t got = record->read_at(0, std::span<char>(header, sizeof header));
  try {
    return record::parse_header(std::string_view(header, got), record->size()).decoded_length;
  } catch (const CorruptRecord&) {
    return std::nullopt;
  }
}

std::optional<std::string> stored_value_json(const Graph& graph, Store& store, NodeId id,
                                             std::string& why) {
  if (!result_json_supported()) {
    why = "this program was built without JSON output of results (the jug command builds the "
          "jugfile with it for show and export; define JUG_RESULT_JSON to build it so "
          "yourself)";
    return std::nullopt;
  }
  AnyValue value;
  try {
    value = load_result(store, graph, id);
  } catch (const StoreError&) {
    throw;
  } catch (const std::exception& e) {
    why = e.what();
    return std::nullopt;
  }
  const TaskBody& body = *graph.node(id).body;
  std::optional<std::string> json;
  try {
    json = body.value_json(value);
  } catch (const std::exception& e) {
    // A value the writer refuses (Python's json: keys that are tuples).
    why = fmt::format("it could not be written as JSON: {}", e.what());
    return std::nullopt;
  }
  if (!json) {
    why = fmt::format("its type, {}, has no JSON form (cereal's JSON archive has no function "
                      "for it)",
                      demangled_type_name(std::string(body.result_type()).c_str()));
  }
  return json;
}

std::vector<TaskDetails> task_details(const Graph& graph, Store& store,
                                      std::span<const NodeId> ids, const StatusReport& status) {
  // Arguments that are tasks give their hashes only with a current graph.
  const CurrentGraph current(graph, store);
  std::vector<TaskDetails> out;
  out.reserve(ids.size());
  for (const NodeId id : ids) {
    TaskDetails d;
    d.id = id;
    d.state = status.states[id];
    const Graph::Node& node = graph.node(id);
    for (const std::string& bytes : node.body->argument_fingerprints()) {
      d.arguments.push_back(view_argument(bytes, graph));
    }
    d.code_version = node.body->code_version();
    d.dependencies = each_once(node.dependencies());
    d.location = store.location(graph.hash(id));
    if (d.state == TaskState::kFinished) {
      d.run = stored_run_metadata(store, graph.hash(id), d.no_run_because, &d.stored_bytes);
      if (d.stored_bytes) d.record_place = store.record_place(graph.hash(id));
      if (d.stored_bytes) d.value_bytes = stored_result_size(store, graph.hash(id));
      if (d.value_bytes && *d.value_bytes > kLargestShownResult) {
        d.no_value_because = "it is too big to show here (jug export writes it)";
      } else if (d.stored_bytes) {
        d.value_json = stored_value_json(graph, store, id, d.no_value_because);
      }
    }
    out.push_back(std::move(d));
  }
  // Who needs them: one pass over the graph for all of them.
  std::vector<std::size_t> position(graph.size(), ids.size());
  for (std::size_t i = 0; i < ids.size(); ++i) position[ids[i]] = i;
  for (NodeId id = 0; id < graph.size(); ++id) {
    for (const NodeId d : graph.node(id).dependencies()) {
      if (position[d] == ids.size()) continue;
      std::vector<NodeId>& dependents = out[position[d]].dependents;
      if (dependents.empty() || dependents.back() != id) dependents.push_back(id);
    }
  }
  for (const auto& [id, message] : status.failures) {
    if (position[id] != ids.size()) out[position[id]].failure = message;
  }
  for (const auto& [id, owner] : status.running) {
    if (position[id] != ids.size()) out[position[id]].running_on = owner;
  }
  return out;
}

}  // namespace jug
