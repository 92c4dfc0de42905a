#include "engine/build_context.hpp"

#include "engine/results.hpp"
#include "jug/errors.hpp"

namespace jug {
namespace {

/// The graph being built: TaskGenerator calls add to it. Only the thread
/// running the build function writes it.
Graph* building = nullptr;
/// The graph and store that jug::value reads.
const Graph* current_graph = nullptr;
Store* current_store = nullptr;

const Graph& readable_graph() {
  if (building) return *building;
  if (current_graph) return *current_graph;
  throw Error("jug: tasks can only be used inside the build function given to jug::main");
}

}  // namespace

Graph build_graph(const std::function<void()>& build, Store& store) {
  Graph graph;
  Graph* const previous_building = building;
  CurrentGraph current(graph, store);
  building = &graph;
  try {
    build();
  } catch (...) {
    building = previous_building;
    throw;
  }
  building = previous_building;
  return graph;
}

CurrentGraph::CurrentGraph(const Graph& graph, Store& store)
    : previous_graph_(current_graph), previous_store_(current_store) {
  current_graph = &graph;
  current_store = &store;
}

CurrentGraph::~CurrentGraph() {
  current_graph = previous_graph_;
  current_store = previous_store_;
}

namespace detail {

NodeId add_node(std::string_view name, const TaskHash& hash, std::vector<NodeId> dependencies,
                std::shared_ptr<const TaskBody> body) {
  if (!building) {
    throw Error(
        "jug: a task was created outside the build function given to jug::main; "
        "call task generators only inside it");
  }
  return building->add(name, hash, std::move(dependencies), std::move(body));
}

void* allocate_task_memory(std::size_t bytes, std::size_t alignment) {
  if (!building) {
    throw Error(
        "jug: a task was created outside the build function given to jug::main; "
        "call task generators only inside it");
  }
  return building->arena().allocate(bytes, alignment);
}

const TaskHash& node_hash(NodeId id) { return readable_graph().hash(id); }

const std::string& node_name(NodeId id) { return readable_graph().name(id); }

AnyValue node_value(NodeId id) {
  const Graph& graph = readable_graph();
  if (!current_store) throw Error("jug::value: no store is open");
  return load_result(*current_store, graph, id);
}

}  // namespace detail
}  // namespace jug
