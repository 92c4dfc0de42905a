#pragma once
/// How a Python task's result is stored (docs/python.md, "Results"): a
/// numpy array of plain numbers as its dtype, order and shape, then its raw
/// bytes, written from the array's own memory and read into a new array's
/// (one copy each way, none through pickle); anything else as its pickle at
/// the highest protocol. The payload's first byte says which: `N` or `P`.

#include <pybind11/pybind11.h>

#include <string>
#include <string_view>

#include "jug/archives.hpp"
#include "jug/node.hpp"

namespace jug::python {

namespace py = pybind11;

/// What the stored records of Python results are, in place of a C++ type:
/// such a record is never read as anything else, nor a C++ one as this.
inline constexpr std::string_view kResultType = "python:1";

/// Writes `value`'s payload to `out`; `name` (the task's) is for messages.
/// May be called more than once for one value, writing the same bytes.
void encode_python(const AnyValue& value, OutputArchive& out, const std::string& name);

/// Reads a payload encode_python wrote.
AnyValue decode_python(InputArchive& in, const std::string& name);

}  // namespace jug::python
