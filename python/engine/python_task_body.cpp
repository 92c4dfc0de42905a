#include "python_task_body.hpp"

#include <fmt/format.h>

#include "jug/archives.hpp"
#include "jug/errors.hpp"
#include "python_encoding.hpp"
#include "python_hash.hpp"
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

PythonTaskBody::PythonTaskBody(py::object task, std::string name,
                               std::vector<detail::NodeId> dependencies)
    : task_(std::move(task)), dependencies_(std::move(dependencies)), name_(std::move(name)) {}

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
  encode_python(value, out, name_);
}

std::string_view PythonTaskBody::result_type() const { return kResultType; }

bool PythonTaskBody::same_function(const TaskBody& other) const {
  const auto* python = dynamic_cast<const PythonTaskBody*>(&other);
  if (python == nullptr) return false;
  py::gil_scoped_acquire gil;
  return task_.attr("f").is(python->task_.attr("f"));
}

AnyValue PythonTaskBody::decode(InputArchive& in) const { return decode_python(in, name_); }

std::string PythonTaskBody::value_fingerprint(const AnyValue& value) const {
  py::gil_scoped_acquire gil;
  try {
    return hash_one(from_any(value).object);
  } catch (py::error_already_set& e) {
    throw foreign_error(e);
  }
}

std::optional<std::string> PythonTaskBody::value_json(const AnyValue& value) const {
  py::gil_scoped_acquire gil;
  try {
    return graph_module().attr("json_of")(from_any(value).object).cast<std::string>();
  } catch (py::error_already_set& e) {
    throw foreign_error(e);
  }
}

std::vector<std::string> PythonTaskBody::argument_fingerprints() const {
  py::gil_scoped_acquire gil;
  try {
    std::vector<std::string> fingerprints;
    for (py::handle arg : task_.attr("args")) fingerprints.push_back(hash_one(arg));
    const py::list keywords = py::module_::import("builtins").attr("sorted")(
        task_.attr("kwargs").attr("items")());
    for (py::handle item : keywords) fingerprints.push_back(hash_one(item));
    return fingerprints;
  } catch (py::error_already_set& e) {
    throw foreign_error(e);
  }
}

}  // namespace jug::python
