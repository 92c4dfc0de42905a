#pragma once
/// Python jug's task hashes (python/jug/hash.py), and the walk that finds a
/// task's dependencies (task.py), in C++: the same walk over
/// a task's name and arguments, the same bytes into the same SHA-1, so the
/// same hashes, only without Python's interpreter in the loop (at 100,000
/// tasks, hashing is most of what a no-op `jug execute` costs). Values of
/// the kinds every jugfile uses (int, str, float, bytes, bool, None) are
/// pickled here, byte for byte as pickle does (python_pickle.hpp); anything
/// else is handed to pickle, or to its own __jug_hash__, exactly as hash.py
/// does.

#include <pybind11/pybind11.h>

#include <functional>
#include <string>

namespace jug::python {

namespace py = pybind11;

/// hash.py's hash_update(M, elems) then M.hexdigest().encode(): the hex
/// digest (bytes) of `elems`, an iterable of (name, value) pairs.
py::bytes hash_of_pairs(py::handle elems);

/// hash.py's hash_one(obj).
py::bytes hash_one(py::handle obj);

/// task.py's Task.hash() of a task not yet hashed: the hex digest of its
/// name (as UTF-8 bytes), args and kwargs.
py::bytes task_hash_of(const std::string& name, py::handle args, py::handle kwargs);

/// task.py's Task.dependencies(): the tasks (instances of `task_type`) in
/// `args` and `kwargs`, in Python jug's order, each passed to `found`.
void for_each_dependency(py::handle args, py::handle kwargs, py::handle task_type,
                         const std::function<void(py::handle)>& found);

/// The same, as a list.
py::list task_dependencies(py::handle args, py::handle kwargs, py::handle task_type);

}  // namespace jug::python
