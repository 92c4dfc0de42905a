#include "engine/build_context.hpp"

#include <cstdio>
#include <cstdlib>
#include <exception>
#include <filesystem>

#include <fmt/format.h>

#include "codec/record.hpp"
#include "engine/results.hpp"
#include "engine/run_metadata_of.hpp"
#include "jug/barrier.hpp"
#include "jug/errors.hpp"

namespace jug {
namespace {

/// The graph being built: TaskGenerator calls add to it. Only the thread
/// running the build function writes it.
Graph* building = nullptr;
/// Its first tasks that a barrier passed found done: the next barrier
/// looks only at those after.
std::size_t known_done = 0;
BuildMode build_mode = BuildMode::kReadOnly;
/// Set when a BarrierStop is thrown: a build function that returns anyway
/// caught it, and built the rest of the graph from values it does not have.
bool barrier_thrown = false;

/// Thrown by a barrier whose tasks are not all done; caught by build_graph.
/// Not a std::exception, so that the build function's own handlers for
/// errors let it through.
struct BarrierStop {
  std::string where;
};

[[noreturn]] void stop_building(std::string where) {
  barrier_thrown = true;
  throw BarrierStop{std::move(where)};
}

std::string describe_location(const std::source_location& where) {
  return fmt::format("{}:{}", std::filesystem::path(where.file_name()).filename().string(),
                     where.line());
}

std::terminate_handler terminate_before_ours = nullptr;

/// An uncaught jug::Error ends the program as jug's own errors do: its
/// message and exit 1, not "terminate called" and a core dump. Needed for
/// tasks made at namespace scope, whose error nothing can catch. Anything
/// else goes to the handler that was there before.
[[noreturn]] void exit_on_uncaught_jug_error() {
  if (const std::exception_ptr uncaught = std::current_exception()) {
    try {
      std::rethrow_exception(uncaught);
    } catch (const Error& e) {
      std::fputs(e.what(), stderr);
      std::fputs("\n", stderr);
      std::_Exit(1);
    } catch (...) {
    }
  }
  if (terminate_before_ours) terminate_before_ours();
  std::abort();
}

/// `what` happened while no graph is being built: at namespace scope, in a
/// task's body, or after jug::main returned.
[[noreturn]] void throw_outside_build(std::string_view what) {
  if (std::get_terminate() != exit_on_uncaught_jug_error) {
    terminate_before_ours = std::set_terminate(exit_on_uncaught_jug_error);
  }
  throw Error(fmt::format(
      "jug: {} outside the build function given to jug::main (at namespace scope, say, "
      "or in a task's body); make tasks, tasklets, barriers and cached functions only inside "
      "the build function",
      what));
}

Graph& graph_being_built(const char* what) {
  if (!building) throw_outside_build(fmt::format("{} was called", what));
  return *building;
}

/// The graph and store that jug::value reads.
const Graph* current_graph = nullptr;
Store* current_store = nullptr;

const Graph& readable_graph() {
  if (building) return *building;
  if (current_graph) return *current_graph;
  throw Error("jug: tasks can only be used inside the build function given to jug::main");
}

}  // namespace

Graph build_graph(const std::function<void()>& build, Store& store, BuildMode mode) {
  Graph graph;
  Graph* const previous_building = building;
  const std::size_t previous_known_done = known_done;
  const BuildMode previous_mode = build_mode;
  const bool previous_barrier_thrown = barrier_thrown;
  CurrentGraph current(graph, store);
  building = &graph;
  known_done = 0;
  build_mode = mode;
  barrier_thrown = false;
  auto restore = [&] {
    building = previous_building;
    known_done = previous_known_done;
    build_mode = previous_mode;
    barrier_thrown = previous_barrier_thrown;
  };
  try {
    build();
    if (barrier_thrown) {
      throw Error(
          "jug: the build function went on after a barrier stopped it (a catch (...) around "
          "jug::barrier, jug::bvalue or jug::value caught jug's signal to stop): the tasks "
          "after it would be made from values not yet computed. Let it through: catch "
          "std::exception instead");
    }
  } catch (BarrierStop& stop) {
    graph.stop_at(std::move(stop.where));
  } catch (...) {
    restore();
    throw;
  }
  restore();
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
  if (!building) throw_outside_build("a task was created");
  return building->add(name, hash, std::move(dependencies), std::move(body));
}

void reserve_nodes(std::size_t count) {
  if (!building) throw_outside_build("tasks were created");
  building->reserve(building->size() + count);
}

void barrier_on_all(const std::source_location& where) {
  barrier_on_all_at(describe_location(where));
}

void barrier_on_all_at(const std::string& where) {
  Graph& graph = graph_being_built("jug::barrier");
  const std::size_t size = graph.size();
  const std::span<const TaskHash> unchecked(graph.hashes().data() + known_done, size - known_done);
  for (bool done : current_store->contains_all(unchecked)) {
    if (!done) stop_building("the barrier at " + where);
  }
  known_done = size;
}

void barrier_on(NodeId id, const std::source_location& where) {
  barrier_on_at(id, describe_location(where));
}

void barrier_on_at(NodeId id, const std::string& where) {
  Graph& graph = graph_being_built("jug::bvalue");
  if (!current_store->contains(graph.hash(stored_node(id)))) {
    stop_building(fmt::format("jug::bvalue({}) at {}", graph.name(stored_node(id)), where));
  }
}

bool result_stored(const TaskHash& hash, std::string_view result_type) {
  graph_being_built("a compound task");
  if (build_mode != BuildMode::kRepairResults) return current_store->contains(hash);
  // Execute checks the record: a damaged one is removed, and the inner
  // tasks are built to compute it again (the stored compound's node could
  // not: it has no inner tasks).
  const std::unique_ptr<RecordSource> record = current_store->open_record(hash);
  if (!record) return false;
  try {
    record::verify(*record, hash, result_type);
    return true;
  } catch (const CorruptRecord&) {
    current_store->remove(hash);
    current_store->removals_done();
    return false;
  } catch (const RecordReplaced&) {
    // Replaced or removed while it was checked: the inner tasks are built,
    // and find it stored if it is.
    return false;
  }
}

void run_now_unless_stored(NodeId id) {
  const Graph& graph = graph_being_built("jug::cached_function");
  if (current_store->contains(graph.hash(id))) return;
  const Graph::Node& node = graph.node(id);
  std::vector<AnyValue> inputs;
  inputs.reserve(node.dependencies().size());
  const std::vector<bool> viewed = node.body->viewed_dependencies();
  for (std::size_t i = 0; i < node.dependencies().size(); ++i) {
    const NodeId d = node.dependencies()[i];
    if (!current_store->contains(graph.hash(d))) {
      throw Error(fmt::format(
          "jug::cached_function: {} needs the result of {}, which has not run; put a "
          "jug::barrier() before it, or make it an ordinary task",
          describe_task(graph, id), describe_task(graph, d)));
    }
    AnyValue value = node_value(d);  // a damaged one stops the build, as for jug::value
    inputs.push_back(i < viewed.size() && viewed[i] ? elements_of(graph, d, std::move(value))
                                                    : std::move(value));
  }
  std::vector<std::string> arguments = argument_identities_of(*node.body);
  const auto started = std::chrono::system_clock::now();
  const AnyValue result = node.body->run(inputs);
  save_result(*current_store, graph, id, result,
              run_metadata_of(graph, id, started, std::chrono::system_clock::now(),
                              std::move(arguments)));
}

NodeId add_tasklet(const TaskHash& hash, NodeId base, std::shared_ptr<const TaskletBody> body) {
  if (!building) throw_outside_build("a tasklet was made");
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
  if (!building) throw_outside_build("a task was created");
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
  const NodeId stored = stored_node(id);
  try {
    return project(id, load_result(*current_store, graph, stored));
  } catch (const ValueNotAvailable&) {
    if (!building) throw;
    // Every command builds the graph before it runs anything: a value read
    // while building, with no barrier in between, can never be there.
    throw ValueNotAvailable(fmt::format(
        "jug::value was called on task {} while the graph is built, before that task has "
        "run: every command builds the whole graph before running anything, so it never "
        "could. Use jug::bvalue(task) instead (building stops there until the task is done, "
        "and jug execute carries on past it), or put jug::barrier() before jug::value",
        describe_task(graph, stored)));
  } catch (const CorruptRecord& e) {
    if (!building) throw;
    // Read by the jugfile while building: the graph stops here, as at a
    // barrier, so that every command can still show and act on the tasks
    // before it. Execute removes the result, computes it again and goes on.
    const bool type_changed = dynamic_cast<const ResultTypeMismatch*>(&e) != nullptr;
    const std::string_view why = type_changed ? "is of a type that changed since it ran"
                                              : "is unreadable";
    if (build_mode != BuildMode::kRepairResults) {
      // Status counts it as not finished, as execute will.
      building->stop_at_unreadable(stored, e.what());
      stop_building(fmt::format("the value of {}, whose stored result {} (jug execute computes "
                                "it again)",
                                describe_task(graph, stored), why));
    }
    current_store->remove(graph.hash(stored));
    current_store->removals_done();
    stop_building(fmt::format(
        "the value of {}, whose stored result {} and was removed to be computed again",
        describe_task(graph, stored), why));
  }
}

}  // namespace detail
}  // namespace jug
