#pragma once
/// The bytes `pickle.dumps(value)` gives (protocol 4, Python's default from
/// 3.8 to 3.13; 5 differs only in its number) for the plain kinds a task's
/// arguments mostly are, made without calling pickle: at 100,000 tasks, a
/// call into pickle per argument was half of what hashing the graph cost.
/// Python jug's hashes are built on these bytes (python_hash.hpp), so they
/// must be exactly pickle's: tests/integration/test_python_jugfiles.py
/// compares them at every size boundary.

#include <pybind11/pybind11.h>

#include <cstddef>
#include <cstdint>
#include <string_view>

namespace jug::python {

/// Room for the pickle of any value written here.
class PickleBuffer {
 public:
  static constexpr std::size_t kCapacity = 4096;
  std::string_view bytes() const { return {data_, size_}; }

 private:
  friend bool plain_pickle(PyObject* value, PickleBuffer& out);
  friend bool int_pickle(std::int64_t value, PickleBuffer& out);
  friend bool bytes_pickle(std::string_view value, PickleBuffer& out);
  char data_[kCapacity];
  std::size_t size_ = 0;
};

/// Writes pickle.dumps(value) to `out` when `value` is an exact int that
/// fits in 64 bits, float, bool, None, or a str (valid UTF-8) or bytes
/// short enough; returns false, leaving the value to pickle, otherwise.
bool plain_pickle(PyObject* value, PickleBuffer& out);

/// pickle.dumps(value) of a Python int of that value (a list's index), into
/// `out`; false only where pickle's protocol is not one written here.
bool int_pickle(std::int64_t value, PickleBuffer& out);

/// pickle.dumps of a Python bytes object holding `value`, into `out`;
/// false where `value` is too long or the protocol is not one written here.
bool bytes_pickle(std::string_view value, PickleBuffer& out);

}  // namespace jug::python
