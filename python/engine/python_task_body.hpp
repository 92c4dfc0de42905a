#pragma once
/// A task of a Python jugfile, as the engine runs it: Python computes the
/// value (jug._graph.run_task); python_encoding.hpp stores it.

#include <pybind11/pybind11.h>

#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "jug/errors.hpp"
#include "jug/node.hpp"

namespace jug::python {

namespace py = pybind11;

class PythonTaskBody final : public TaskBody {
 public:
  /// `task`: a jug.task.Task named `name`; `dependencies`: the node of
  /// each task it reads, in the order the engine hands their values.
  PythonTaskBody(py::object task, std::string name, std::vector<detail::NodeId> dependencies);
  ~PythonTaskBody() override;

  AnyValue run(std::span<const AnyValue> dependency_values) const override;
  void encode(const AnyValue& value, OutputArchive& out) const override;
  std::string_view result_type() const override;
  bool same_function(const TaskBody& other) const override;
  AnyValue decode(InputArchive& in) const override;
  /// Each argument's hash (hash.py's hash_one), positional ones in order,
  /// then keyword ones by name: Python jug's --debug check, taken again.
  std::vector<std::string> argument_fingerprints() const override;
  /// Pickle's round trips are pickle's business (and Python jug's --debug
  /// makes none).
  bool round_trip_checked() const override { return false; }
  /// hash.py's hash_one of the value as it is now (its kept pickle is from
  /// before).
  std::string value_fingerprint(const AnyValue& value) const override;
  std::optional<std::string> value_json(const AnyValue& value) const override;

 private:
  py::object task_;
  std::vector<detail::NodeId> dependencies_;
  std::string name_;  // for messages, read without the GIL
};

/// The Python exception in `error` as a jug::ForeignError: its type's name,
/// its message and its traceback (jug._graph.describe_failure).
ForeignError foreign_error(py::error_already_set& error);

}  // namespace jug::python
