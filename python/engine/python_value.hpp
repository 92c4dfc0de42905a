#pragma once
/// A Python object as the engine's AnyValue: a task's result (or argument)
/// kept alive by the engine, which may drop it on any thread, so the
/// reference is released under the GIL. Its pickle is kept once made: a big
/// result is encoded twice (once to learn its length), pickled once.

#include <pybind11/pybind11.h>

#include <string>

#include "jug/node.hpp"

namespace jug::python {

namespace py = pybind11;

/// Drops Python references held by the engine, which may do so on any
/// thread: under the GIL, and not at all once the interpreter has gone
/// (static engine state destroyed after Python's finalisation).
template <class... Held>
void release_under_gil(Held&... held) {
  if (!Py_IsInitialized() || _Py_IsFinalizing()) {
    ((void)held.release(), ...);
    return;
  }
  py::gil_scoped_acquire gil;
  ((held = Held()), ...);
}

struct PythonValue {
  explicit PythonValue(py::object value) : object(std::move(value)) {}
  PythonValue(const PythonValue&) = delete;
  PythonValue& operator=(const PythonValue&) = delete;
  ~PythonValue() { release_under_gil(object, pickled); }

  py::object object;
  mutable py::object pickled;  // bytes, once made
};

inline AnyValue to_any(py::object value) {
  return std::make_shared<const PythonValue>(std::move(value));
}

inline const PythonValue& from_any(const AnyValue& value) {
  return *static_cast<const PythonValue*>(value.get());
}

}  // namespace jug::python
