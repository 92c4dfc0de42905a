#include "python_encoding.hpp"

#include <cstdint>
#include <cstring>

#include <fmt/format.h>

#include "jug/errors.hpp"
#include "python_task_body.hpp"
#include "python_value.hpp"

namespace jug::python {
namespace {

constexpr char kPickled = 'P';
constexpr char kNumpyArray = 'N';

/// numpy, if this Python has it (None otherwise). Never released: a static
/// Python object must not be destroyed after the interpreter.
py::object numpy() {
  static const py::object* module = [] {
    try {
      return new py::object(py::module_::import("numpy"));
    } catch (py::error_already_set&) {
      return new py::object(py::none());
    }
  }();
  return *module;
}

/// numpy, if the jugfile has imported it (None otherwise): no value can be
/// an array before, and importing it would cost every command 0.1 s.
py::object numpy_if_imported() {
  PyObject* module = PyDict_GetItemString(PyImport_GetModuleDict(), "numpy");
  return module == nullptr ? py::object(py::none()) : numpy();
}

/// True for a numpy array (not a subclass) of plain numbers, stored raw.
bool raw_array(const py::object& value) {
  const py::object np = numpy_if_imported();
  if (np.is_none() || !py::type::of(value).is(np.attr("ndarray"))) return false;
  const py::object dtype = value.attr("dtype");
  return !dtype.attr("hasobject").cast<bool>() && dtype.attr("names").is_none();
}

void encode_array(const py::object& array, OutputArchive& out) {
  const py::object flags = array.attr("flags");
  const bool fortran = !flags.attr("c_contiguous").cast<bool>() &&
                       flags.attr("f_contiguous").cast<bool>();
  // A strided view is written as a contiguous copy of itself.
  const py::object contiguous = fortran || flags.attr("c_contiguous").cast<bool>()
                                    ? array
                                    : numpy().attr("ascontiguousarray")(array);
  const py::bytes header = py::module_::import("pickle").attr("dumps")(
      py::make_tuple(contiguous.attr("dtype").attr("str"), fortran, contiguous.attr("shape")), 4);
  const std::string header_bytes = header;
  const std::uint64_t header_length = header_bytes.size();
  out.write_bytes(&kNumpyArray, 1);
  out.write_bytes(&header_length, sizeof header_length);
  out.write_bytes(header_bytes.data(), header_bytes.size());
  const py::buffer_info buffer = py::buffer(contiguous).request();
  const std::size_t bytes = static_cast<std::size_t>(buffer.size * buffer.itemsize);
  if (bytes != 0) out.write_bytes(buffer.ptr, bytes);
}

AnyValue decode_array(InputArchive& in, const std::string& name) {
  std::uint64_t header_length = 0;
  in.read_bytes(&header_length, sizeof header_length);
  if (header_length > in.remaining()) throw CorruptRecord("stored numpy array's header is cut");
  std::string header(static_cast<std::size_t>(header_length), '\0');
  if (!header.empty()) in.read_bytes(header.data(), header.size());
  const py::tuple described = py::module_::import("pickle").attr("loads")(py::bytes(header));
  const py::object np = numpy();
  if (np.is_none()) {
    throw Error(fmt::format("the stored result of task {} is a numpy array, and numpy cannot be "
                            "imported here",
                            name));
  }
  const py::object array =
      np.attr("empty")(described[2], py::arg("dtype") = described[0],
                       py::arg("order") = described[1].cast<bool>() ? "F" : "C");
  const py::buffer_info buffer = py::buffer(array).request(true);
  const std::size_t bytes = static_cast<std::size_t>(buffer.size * buffer.itemsize);
  if (bytes != in.remaining()) {
    throw CorruptRecord(fmt::format("stored numpy array holds {} bytes, its shape and dtype say {}",
                                    in.remaining(), bytes));
  }
  if (bytes != 0) {
    py::gil_scoped_release unlocked;  // the array is ours alone until returned
    in.read_bytes(buffer.ptr, bytes);
  }
  return to_any(array);
}

}  // namespace

void encode_python(const AnyValue& value, OutputArchive& out, const std::string& name) {
  const PythonValue& python = from_any(value);
  py::gil_scoped_acquire gil;
  if (raw_array(python.object)) {
    encode_array(python.object, out);
    return;
  }
  if (!python.pickled) {
    try {
      py::module_ pickle = py::module_::import("pickle");
      python.pickled = pickle.attr("dumps")(python.object, pickle.attr("HIGHEST_PROTOCOL"));
    } catch (py::error_already_set& e) {
      const std::string type = py::str(py::type::of(python.object).attr("__qualname__"));
      const ForeignError error = foreign_error(e);  // named by pickle's error, not a C++ type
      throw ForeignError(error.kind(),
                         fmt::format("the result of task {}, a {}, cannot be pickled to be "
                                     "stored: {}",
                                     name, type, error.what()));
    }
  }
  char* data = nullptr;
  Py_ssize_t size = 0;
  PyBytes_AsStringAndSize(python.pickled.ptr(), &data, &size);
  out.write_bytes(&kPickled, 1);
  out.write_bytes(data, static_cast<std::size_t>(size));
}

AnyValue decode_python(InputArchive& in, const std::string& name) {
  char kind = 0;
  in.read_bytes(&kind, 1);
  py::gil_scoped_acquire gil;
  try {
    if (kind == kNumpyArray) return decode_array(in, name);
    if (kind != kPickled) throw CorruptRecord("stored Python result of an unknown kind");
    std::string bytes(static_cast<std::size_t>(in.remaining()), '\0');
    if (!bytes.empty()) in.read_bytes(bytes.data(), bytes.size());
    return to_any(py::module_::import("pickle").attr("loads")(py::bytes(bytes)));
  } catch (py::error_already_set& e) {
    // Not CorruptRecord: the bytes passed their checksum, and a pickle that
    // needs a module this process lacks is no reason to drop the result.
    throw Error(fmt::format("the stored result of task {} does not load here: {}", name,
                            foreign_error(e).what()));
  }
}

}  // namespace jug::python
