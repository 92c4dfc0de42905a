// jug._engine: the C++ engine for Python jugfiles. jug._run hands main() the
// command line and a build function (which runs the jugfile); while it
// runs, the jugfile's tasks are added to the engine's graph through a Build
// (jug._graph.engine), and barriers, values and cached functions are the
// engine's own (include/jug/barrier.hpp, node.hpp). docs/python.md.

#include <pybind11/pybind11.h>
#include <pybind11/stl.h>

#include <fmt/format.h>

#include <cstdio>
#include <exception>
#include <functional>
#include <iostream>
#include <memory>
#include <optional>
#include <utility>
#include <string>
#include <vector>

#include "codec/record.hpp"
#include "engine/build_context.hpp"
#include "engine/graph.hpp"
#include "engine/result_json_support.hpp"
#include "jug/barrier.hpp"
#include "jug/errors.hpp"
#include "jug/main.hpp"
#include "jug/node.hpp"
#include "jug/task_hash.hpp"
#include "python_encoding.hpp"
#include "python_hash.hpp"
#include "python_task_body.hpp"
#include "python_value.hpp"
#include "store/store.hpp"

namespace jug::python {
namespace {

/// A barrier (or bvalue) that stopped the build: the engine's own signal,
/// carried through the jugfile's Python frames as BarrierStop and thrown
/// again once they are unwound.
thread_local std::exception_ptr stopped_build;

/// Runs `engine_call`, which may stop the build: the stop goes through
/// Python as jug._engine.BarrierStop (a BaseException, which an `except
/// Exception` in the jugfile does not catch).
template <class Call>
auto may_stop_build(Call engine_call) {
  try {
    return engine_call();
  } catch (const std::exception&) {
    throw;  // pybind11 makes it a Python exception with its message
  } catch (...) {
    stopped_build = std::current_exception();
    PyErr_SetString(py::module_::import("jug._engine").attr("BarrierStop").ptr(),
                    "jug: the build stops here until the tasks before it are done");
    throw py::error_already_set();
  }
}

TaskHash task_hash(const py::bytes& hex) {
  const std::optional<TaskHash> hash = TaskHash::from_hex(std::string(hex));
  if (!hash || !hash->is_python_jug()) {
    throw Error("jug: a Python task's hash is not 40 hex digits: " + std::string(hex));
  }
  return *hash;
}

/// What jug._graph calls while the jugfile builds its tasks, and after
/// jug.init has built them (`inspected`: the store they were built against).
struct Build {
  Store* inspected = nullptr;

  detail::NodeId add(py::object task, const std::string& name, const py::bytes& hash,
                     std::vector<detail::NodeId> dependencies) {
    auto body = std::make_shared<PythonTaskBody>(task, name, dependencies);
    return detail::add_node(name, task_hash(hash), std::move(dependencies), std::move(body));
  }
  /// Adds `tasks` (jug.task.Task objects, in the order made) to the graph,
  /// each with its hash (kept on it as _hash, as Task.hash() keeps it) and
  /// the nodes of its dependencies (which come before it); sets each one's
  /// _jug_node. One call for many: at 100,000 tasks, a Python loop over
  /// these steps is most of what building the graph costs. Nothing here
  /// makes a task's instance __dict__ (Python 3.11 makes it only when
  /// asked): 100,000 new dicts would set off the garbage collector's
  /// passes over every task.
  void add_all(const py::list& tasks, py::handle task_type) {
    // Made once: an attribute named by a C string costs a new str per call.
    static const py::str* jug_hash = new py::str("__jug_hash__");
    static const py::str* kept_hash = new py::str("_hash");
    static const py::str* jug_node = new py::str("_jug_node");
    static const py::str* name_attribute = new py::str("name");
    static const py::str* args_attribute = new py::str("args");
    static const py::str* kwargs_attribute = new py::str("kwargs");
    detail::reserve_nodes(tasks.size());
    for (py::handle task : tasks) {
      const std::string name = task.attr(*name_attribute).cast<std::string>();
      const py::object args = task.attr(*args_attribute);
      const py::object kwargs = task.attr(*kwargs_attribute);
      py::object hash = task.attr(*kept_hash);  // hashed before: Task.hash(), jug.compound
      if (Py_TYPE(task.ptr()) != reinterpret_cast<PyTypeObject*>(task_type.ptr())) {
        hash = task.attr(*jug_hash)();  // a subclass may hash its own way
      } else if (hash.is_none()) {
        hash = task_hash_of(name, args, kwargs);
        task.attr(*kept_hash) = hash;
      }
      std::vector<detail::NodeId> dependencies;
      for_each_dependency(args, kwargs, task_type, [&](py::handle dep) {
        dependencies.push_back(dep.attr(*jug_node).cast<detail::NodeId>());
      });
      task.attr(*jug_node) = add(py::reinterpret_borrow<py::object>(task), name, hash,
                                 std::move(dependencies));
    }
  }
  py::object value(detail::NodeId node) {
    AnyValue stored = may_stop_build([&] {
      py::gil_scoped_release unlocked;
      return detail::node_value(node);
    });
    return from_any(stored).object;
  }
  /// After jug.init, the stored result of a task made since (not in the
  /// graph): read by its hash.
  py::object value_by_hash(const py::bytes& hash, const std::string& name) {
    if (inspected == nullptr) {
      throw Error("jug: task " + name + " is not part of this run's graph");
    }
    const TaskHash h = task_hash(hash);
    AnyValue value;
    {
      py::gil_scoped_release unlocked;
      const std::unique_ptr<RecordSource> record = inspected->open_record(h);
      if (!record) {
        throw ValueNotAvailable("the result of task " + name + " (" + h.hex() +
                                ") is not stored: run jug execute first");
      }
      record::read(*record, h, kResultType,
                   [&](InputArchive& in) { value = decode_python(in, name); });
    }
    return from_any(value).object;
  }
  bool stored(detail::NodeId node) { return stored_hash(detail::node_hash(node)); }
  bool hash_stored(const py::bytes& hash) { return stored_hash(task_hash(hash)); }
  bool stored_hash(const TaskHash& hash) {
    py::gil_scoped_release unlocked;
    if (inspected != nullptr) return inspected->contains(hash);
    return detail::result_stored(hash, kResultType);
  }
  /// `where`: the jugfile's line ("analysis.py:12"), for messages.
  void barrier(const std::string& where) {
    may_stop_build([&] {
      py::gil_scoped_release unlocked;
      detail::barrier_on_all_at(where);
      return 0;
    });
  }
  void barrier_on(detail::NodeId node, const std::string& where) {
    may_stop_build([&] {
      py::gil_scoped_release unlocked;
      detail::barrier_on_at(node, where);
      return 0;
    });
  }
  void run_now(detail::NodeId node) {
    py::gil_scoped_release unlocked;
    detail::run_now_unless_stored(node);
  }
};

/// The engine's build function for a Python jugfile: calls `build` (which
/// runs the jugfile) with a Build to add its tasks to.
std::function<void()> build_function(py::object build, Store* inspected = nullptr) {
  return [build = std::move(build), inspected] {
    py::gil_scoped_acquire gil;
    stopped_build = nullptr;
    try {
      build(Build{inspected});
    } catch (py::error_already_set& e) {
      if (stopped_build) {
        const std::exception_ptr stop = std::exchange(stopped_build, nullptr);
        std::rethrow_exception(stop);
      }
      const ForeignError error = foreign_error(e);
      throw Error(fmt::format("jug: the jugfile failed while building its tasks: {}: {}",
                              error.kind(), error.what()));
    }
  };
}

/// jug::main for a Python jugfile: `build` runs the jugfile (as often as
/// the engine asks: once per barrier passed).
int run_main(std::vector<std::string> argv, py::object build) {
  std::vector<char*> pointers;
  for (std::string& arg : argv) pointers.push_back(arg.data());
  pointers.push_back(nullptr);
  const std::function<void()> build_graph = build_function(std::move(build));
  py::gil_scoped_release unlocked;
  const int code = jug::main(static_cast<int>(argv.size()), pointers.data(), build_graph);
  // jug._run may end the process at once (os._exit): what the engine wrote
  // must be out first.
  std::cout.flush();
  std::cerr.flush();
  std::fflush(nullptr);
  return code;
}

/// `jug import`: stores `payloads` ((hash, payload) pairs: a Python jug
/// result's 40 hex digits and its bytes as python_encoding.hpp lays them
/// out) in the store at `jugdir`, each as a checksummed record published
/// whole. Returns how many.
std::size_t import_payloads(const std::string& jugdir, const py::list& payloads) {
  std::vector<std::pair<TaskHash, std::string>> records;
  for (py::handle item : payloads) {
    const py::tuple pair = py::reinterpret_borrow<py::tuple>(item);
    records.emplace_back(task_hash(pair[0].cast<py::bytes>()), pair[1].cast<std::string>());
  }
  py::gil_scoped_release unlocked;
  const std::unique_ptr<Store> store = open_store(jugdir);
  for (const auto& [hash, payload] : records) {
    store->put(hash, record::make(hash, kResultType, [&payload](OutputArchive& out) {
      out.write_bytes(payload.data(), payload.size());
    }));
  }
  store->sync();
  return records.size();
}

/// What jug.init built, kept for the script to read values from.
struct Inspection {
  std::unique_ptr<Store> store;
  std::optional<Graph> graph;
  std::unique_ptr<CurrentGraph> current;
};

/// jug.init: builds the jugfile's graph (as `build` runs it) against the
/// store at `jugdir`, up to its first barrier not yet passed, and keeps it,
/// so that the script can read tasks' values. Returns the Build for that.
std::unique_ptr<Inspection>& kept_inspection() {
  static std::unique_ptr<Inspection> kept;
  return kept;
}

Build inspect(const std::string& jugdir, py::object build) {
  std::unique_ptr<Inspection>& kept = kept_inspection();
  kept.reset();
  auto inspection = std::make_unique<Inspection>();
  inspection->store = open_store(jugdir);
  Store* store = inspection->store.get();
  const std::function<void()> build_graph_fn = build_function(std::move(build), store);
  {
    py::gil_scoped_release unlocked;
    inspection->graph.emplace(build_graph(build_graph_fn, *store, BuildMode::kReadOnly));
  }
  inspection->current = std::make_unique<CurrentGraph>(*inspection->graph, *store);
  kept = std::move(inspection);
  return Build{store};
}

}  // namespace
}  // namespace jug::python

PYBIND11_MODULE(_engine, m) {
  namespace py = pybind11;
  using jug::python::Build;
  m.doc() = "The C++ engine of jug, for Python jugfiles (docs/python.md).";
  // Python writes any result as JSON itself (jug._graph.json_of).
  jug::detail::note_result_json_support();
  // A BaseException, as KeyboardInterrupt is: not caught by `except Exception`.
  m.attr("BarrierStop") = py::handle(
      PyErr_NewException("jug._engine.BarrierStop", PyExc_BaseException, nullptr));
  py::class_<Build>(m, "Build")
      .def("add_all", &Build::add_all)
      .def("value", &Build::value)
      .def("stored", &Build::stored)
      .def("hash_stored", &Build::hash_stored)
      .def("value_by_hash", &Build::value_by_hash)
      .def("barrier", &Build::barrier)
      .def("barrier_on", &Build::barrier_on)
      .def("run_now", &Build::run_now);
  m.def("main", &jug::python::run_main, py::arg("argv"), py::arg("build"));
  m.def("hash_of_pairs", &jug::python::hash_of_pairs, py::arg("elems"),
        "hash.py's hash_update over `elems` into a new SHA-1: its hex digest, as bytes");
  m.def("hash_one", &jug::python::hash_one, py::arg("obj"), "hash.py's hash_one(obj)");
  m.def("task_dependencies", &jug::python::task_dependencies, py::arg("args"),
        py::arg("kwargs"), py::arg("task_type"), "task.py's Task.dependencies(), as a list");
  m.def("inspect", &jug::python::inspect, py::arg("jugdir"), py::arg("build"));
  m.def("import_payloads", &jug::python::import_payloads, py::arg("jugdir"),
        py::arg("payloads"));
  // What jug.init keeps holds Python objects: let go of them while Python
  // is still there to take them back.
  py::module_::import("atexit").attr("register")(
      py::cpp_function([] { jug::python::kept_inspection().reset(); }));
}
