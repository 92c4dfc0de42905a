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

NodeId add_tasklet(const TaskHash& hash, NodeId base, std::shared_ptr<const TaskletBody> body) {
  if (!building) {
    throw Error(
        "jug: a tasklet was made outside the build function given to jug::main; make "
        "tasklets only inside it");
  }
  return building->add_tasklet(hash, base, std::move(body));
}

NodeId stored_node(NodeId id) {
  return is_tasklet(id) ? readable_graph().tasklet(id).stored : id;
}

AnyValue project(NodeId id, AnyValue stored_value) {
  if (!is_tasklet(id)) return stored_value;
  const Graph::Tasklet& tasklet = readable_graph().tasklet(id);
  return tasklet.body->apply(project(tasklet.base, std::move(stored_value)));
}

void* allocate_task_memory(std::size_t bytes, std::size_t alignment) {
  if (!building) {
    throw Error(
        "jug: a task was created outside the build function given to jug::main; "
        "call task generators only inside it");
  }
  return building->arena().allocate(bytes, alignment);
}

const TaskHash& node_hash(NodeId id) {
  const Graph& graph = readable_graph();
  return is_tasklet(id) ? graph.tasklet(id).hash : graph.hash(id);
}

const std::string& node_name(NodeId id) { return readable_graph().name(stored_node(id)); }

AnyValue node_value(NodeId id) {
  const Graph& graph = readable_graph();
  if (!current_store) throw Error("jug::value: no store is open");
  return project(id, load_result(*current_store, graph, stored_node(id)));
}

}  // namespace detail
}  // namespace jug
