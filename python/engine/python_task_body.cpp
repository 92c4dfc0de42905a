#include "python_task_body.hpp"

#include <fmt/format.h>

#include "jug/archives.hpp"
#include "jug/errors.hpp"
#include "python_value.hpp"

namespace jug::python {

namespace {

py::module_ graph_module() { return py::module_::import("jug._graph"); }

}  // namespace

ForeignError foreign_error(py::error_already_set& error) {
  py::gil_scoped_acquire gil;
  try {
    const py::tuple described = graph_module().attr("describe_failure")(error.value());
    return ForeignError(described[0].cast<std::string>(), described[1].cast<std::string>());
  } catch (py::error_already_set&) {
    return ForeignError("Exception", error.what());
  }
}

PythonTaskBody::PythonTaskBody(py::object task, std::vector<detail::NodeId> dependencies)
    : task_(std::move(task)),
      dependencies_(std::move(dependencies)),
      name_(py::str(task_.attr("name")).cast<std::string>()) {}

PythonTaskBody::~PythonTaskBody() { release_under_gil(task_); }

AnyValue PythonTaskBody::run(std::span<const AnyValue> dependency_values) const {
  py::gil_scoped_acquire gil;
  try {
    py::dict values;
    for (std::size_t i = 0; i < dependency_values.size() && i < dependencies_.size(); ++i) {
      values[py::int_(dependencies_[i])] = from_any(dependency_values[i]).object;
    }
    return to_any(graph_module().attr("run_task")(task_, values));
  } catch (py::error_already_set& e) {
    throw foreign_error(e);
  }
}

void PythonTaskBody::encode(const AnyValue& value, OutputArchive& out) const {
  const PythonValue& python = from_any(value);
  py::gil_scoped_acquire gil;
  if (!python.pickled) {
    try {
      py::module_ pickle = py::module_::import("pickle");
      python.pickled = pickle.attr("dumps")(python.object, pickle.attr("HIGHEST_PROTOCOL"));
    } catch (py::error_already_set& e) {
      const std::string type = py::str(py::type::of(python.object).attr("__qualname__"));
      throw Error(fmt::format("the result of task {}, a {}, cannot be pickled to be stored: {}",
                              name_, type, foreign_error(e).what()));
    }
  }
  char* data = nullptr;
  Py_ssize_t size = 0;
  PyBytes_AsStringAndSize(python.pickled.ptr(), &data, &size);
  out.write_bytes(data, static_cast<std::size_t>(size));
}

std::string_view PythonTaskBody::result_type() const { return kResultType; }

bool PythonTaskBody::same_function(const TaskBody& other) const {
  const auto* python = dynamic_cast<const PythonTaskBody*>(&other);
  if (python == nullptr) return false;
  py::gil_scoped_acquire gil;
  return task_.attr("f").is(python->task_.attr("f"));
}

AnyValue PythonTaskBody::decode(InputArchive& in) const { return unpickle(in, name_); }

AnyValue unpickle(InputArchive& in, const std::string& name) {
  std::string bytes(static_cast<std::size_t>(in.remaining()), '\0');
  if (!bytes.empty()) in.read_bytes(bytes.data(), bytes.size());
  py::gil_scoped_acquire gil;
  try {
    return to_any(py::module_::import("pickle").attr("loads")(py::bytes(bytes)));
  } catch (py::error_already_set& e) {
    // Not CorruptRecord: the bytes passed their checksum, and a pickle that
    // needs a module this process lacks is no reason to drop the result.
    throw Error(fmt::format("the stored result of task {} does not unpickle here: {}", name,
                            foreign_error(e).what()));
  }
}

}  // namespace jug::python
