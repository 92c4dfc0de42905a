#include "python_hash.hpp"

#include <nettle/sha1.h>

#include "engine/hex.hpp"
#include "python_pickle.hpp"

#include <algorithm>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace jug::python {
namespace {

/// SHA-1, fed as hash.py feeds its hashlib object.
class Sha1 {
 public:
  Sha1() { sha1_init(&context_); }
  void update(std::string_view bytes) {
    sha1_update(&context_, bytes.size(), reinterpret_cast<const std::uint8_t*>(bytes.data()));
  }
  void update(py::handle bytes_object) {
    char* data = nullptr;
    Py_ssize_t size = 0;
    if (PyBytes_AsStringAndSize(bytes_object.ptr(), &data, &size) != 0) {
      throw py::error_already_set();
    }
    update(std::string_view(data, static_cast<std::size_t>(size)));
  }
  /// The digest as hex digits (hexdigest().encode()).
  std::string hex() {
    std::uint8_t digest[SHA1_DIGEST_SIZE];
    sha1_digest(&context_, SHA1_DIGEST_SIZE, digest);
    std::string out(2 * SHA1_DIGEST_SIZE, '0');
    encode_hex(digest, SHA1_DIGEST_SIZE, out.data());
    return out;
  }

 private:
  sha1_ctx context_;
};

/// What the walk needs of Python, looked up once.
struct Python {
  py::object dumps = py::module_::import("pickle").attr("dumps");
  /// numpy.ndarray once the jugfile has imported numpy (no value can be an
  /// array before; importing it here would cost every command 0.1 s).
  py::object numpy_array;
  bool is_array(py::handle value) {
    if (!numpy_array) {
      PyObject* numpy = PyDict_GetItemString(PyImport_GetModuleDict(), "numpy");
      if (numpy == nullptr) return false;
      numpy_array = py::reinterpret_borrow<py::object>(numpy).attr("ndarray");
    }
    return py::type::of(value).is(numpy_array);
  }
  py::str jug_hash = "__jug_hash__";
  py::str kept_hash = "_hash";
  /// Is `value` a jug.task.Task itself (not a subclass, which may hash its
  /// own way)? Its hash, once taken, is kept in its _hash.
  bool is_task(PyObject* value) {
    if (!task_type) {
      PyObject* module = PyDict_GetItemString(PyImport_GetModuleDict(), "jug.task");
      if (module == nullptr) return false;
      task_type = py::reinterpret_borrow<py::object>(module).attr("Task");
    }
    return Py_TYPE(value) == reinterpret_cast<PyTypeObject*>(task_type.ptr());
  }
  py::object task_type;
  std::string list_repr = py::repr(py::type::of(py::list())).cast<std::string>();
  std::string tuple_repr = py::repr(py::type::of(py::tuple())).cast<std::string>();
};

/// Never released: a static Python object must not outlive the interpreter.
Python& python() {
  static Python* p = new Python();
  return *p;
}

/// Feeds pickle.dumps(value) to `sha`: written here for the plain kinds,
/// by pickle for the rest.
void feed_pickle(Sha1& sha, py::handle value) {
  PickleBuffer buffer;
  if (plain_pickle(value.ptr(), buffer)) {
    sha.update(buffer.bytes());
  } else {
    sha.update(python().dumps(value));
  }
}

void feed(Sha1& sha, py::handle elems);
void feed_value(Sha1& sha, py::handle e);

/// hash.py's `hash_update` for one (name, value) pair.
void feed_pair(Sha1& sha, py::handle name, py::handle e) {
  feed_pickle(sha, name);
  feed_value(sha, e);
}

/// The same for a pair named by a position (enumerate's index), without
/// making a Python int of it.
void feed_pair(Sha1& sha, std::size_t index, py::handle e) {
  PickleBuffer buffer;
  if (int_pickle(static_cast<std::int64_t>(index), buffer)) {
    sha.update(buffer.bytes());
  } else {
    sha.update(python().dumps(py::int_(index)));
  }
  feed_value(sha, e);
}

/// What hash.py's `hash_update` feeds for one value, after its name.
void feed_value(Sha1& sha, py::handle e) {
  Python& p = python();
  PyObject* object = e.ptr();
  // The exact built-in kinds have no __jug_hash__ and are not walked:
  // their pickle, without a lookup.
  if (PyLong_CheckExact(object) || PyUnicode_CheckExact(object) ||
      PyFloat_CheckExact(object) || PyBytes_CheckExact(object) || PyBool_Check(object) ||
      object == Py_None) {
    feed_pickle(sha, e);
  } else if (p.is_task(object) && PyBytes_CheckExact(py::getattr(e, p.kept_hash).ptr())) {
    sha.update(e.attr(p.kept_hash));  // what its __jug_hash__ returns, without the call
  } else if (PyList_CheckExact(object) || PyTuple_CheckExact(object)) {
    sha.update(PyList_CheckExact(object) ? p.list_repr : p.tuple_repr);
    const py::sequence items = py::reinterpret_borrow<py::sequence>(e);
    const Py_ssize_t n = PySequence_Fast_GET_SIZE(object);
    for (Py_ssize_t i = 0; i < n; ++i) {
      feed_pair(sha, static_cast<std::size_t>(i), PySequence_Fast_GET_ITEM(object, i));
    }
  } else if (PySet_CheckExact(object)) {
    sha.update(std::string_view("set"));
    std::vector<std::string> hashes;
    for (py::handle element : e) hashes.push_back(hash_one(element).cast<std::string>());
    std::sort(hashes.begin(), hashes.end());
    for (std::size_t i = 0; i < hashes.size(); ++i) {
      feed_pair(sha, i, py::bytes(hashes[i]));
    }
  } else if (PyDict_CheckExact(object)) {
    sha.update(std::string_view("dict"));
    std::vector<std::pair<std::string, py::handle>> entries;
    for (auto [key, value] : py::reinterpret_borrow<py::dict>(e)) {
      entries.emplace_back(hash_one(key).cast<std::string>(), value);
    }
    std::stable_sort(entries.begin(), entries.end(),
                     [](const auto& a, const auto& b) { return a.first < b.first; });
    for (const auto& [key_hash, value] : entries) feed_pair(sha, py::bytes(key_hash), value);
  } else if (py::hasattr(e, p.jug_hash)) {
    // After the exact built-in containers, which have none: same order as
    // hash.py's for everything that could.
    sha.update(e.attr(p.jug_hash)());
  } else if (p.is_array(e)) {
    sha.update(std::string_view("np.ndarray"));
    sha.update(p.dumps(e.attr("dtype")));
    sha.update(p.dumps(e.attr("shape")));
    // hash.py feeds the array's buffer, or a copy's where it is not
    // contiguous (as Python jug does).
    const py::object contiguous =
        e.attr("flags").attr("c_contiguous").cast<bool>() ? py::reinterpret_borrow<py::object>(e)
                                                          : e.attr("copy")();
    const py::buffer_info buffer = py::buffer(contiguous).request();
    sha.update(std::string_view(static_cast<const char*>(buffer.ptr),
                                static_cast<std::size_t>(buffer.size * buffer.itemsize)));
  } else {
    feed_pickle(sha, e);
  }
}

void feed(Sha1& sha, py::handle elems) {
  for (py::handle pair : elems) {
    const py::tuple t = py::reinterpret_borrow<py::tuple>(pair);
    feed_pair(sha, t[0], t[1]);
  }
}

/// Calls `visit` with each item of `items`: a list or tuple by index (no
/// iterator object to make), anything else through its iterator.
template <class Visit>
void for_each_item(const py::object& items, Visit visit) {
  PyObject* sequence = items.ptr();
  if (PyTuple_CheckExact(sequence)) {
    for (Py_ssize_t i = 0; i < PyTuple_GET_SIZE(sequence); ++i) {
      visit(PyTuple_GET_ITEM(sequence, i));
    }
  } else if (PyList_CheckExact(sequence)) {
    // The size read again each time: the list is the jugfile's, and
    // __jug_dependencies__ is its code too.
    for (Py_ssize_t i = 0; i < PyList_GET_SIZE(sequence); ++i) {
      visit(py::reinterpret_borrow<py::object>(PyList_GET_ITEM(sequence, i)));
    }
  } else {
    for (py::handle item : items) visit(item);
  }
}

}  // namespace

py::bytes hash_of_pairs(py::handle elems) {
  Sha1 sha;
  feed(sha, elems);
  return py::bytes(sha.hex());
}

py::bytes hash_one(py::handle obj) {
  Sha1 sha;
  feed_pair(sha, py::str("hash1"), obj);
  return py::bytes(sha.hex());
}

py::bytes task_hash_of(const std::string& name, py::handle args, py::handle kwargs) {
  static const py::str* keys[] = {new py::str("name"), new py::str("args"), new py::str("kwargs")};
  Sha1 sha;
  feed_pickle(sha, *keys[0]);
  PickleBuffer name_pickle;
  if (bytes_pickle(name, name_pickle)) {  // as feed_value(py::bytes(name)) feeds it
    sha.update(name_pickle.bytes());
  } else {
    feed_value(sha, py::bytes(name));
  }
  feed_pair(sha, *keys[1], args);
  feed_pair(sha, *keys[2], kwargs);
  return py::bytes(sha.hex());
}

py::list task_dependencies(py::handle args, py::handle kwargs, py::handle task_type) {
  py::list found;
  for_each_dependency(args, kwargs, task_type, [&found](py::handle dep) { found.append(dep); });
  return found;
}

void for_each_dependency(py::handle args, py::handle kwargs, py::handle task_type,
                         const std::function<void(py::handle)>& found) {
  static const py::str* jug_dependencies = new py::str("__jug_dependencies__");
  // Python jug's order: a stack of iterables, the last pushed walked first.
  std::vector<py::object> pending{py::reinterpret_borrow<py::object>(args)};
  if (PyDict_Size(kwargs.ptr()) != 0) pending.push_back(kwargs.attr("values")());
  while (!pending.empty()) {
    const py::object deps = std::move(pending.back());
    pending.pop_back();
    for_each_item(deps, [&](py::handle dep) {
      PyObject* object = dep.ptr();
      if (PyLong_CheckExact(object) || PyUnicode_CheckExact(object) ||
          PyFloat_CheckExact(object) || PyBytes_CheckExact(object) || object == Py_None) {
        return;  // the kinds most arguments are: nothing to find in them
      }
      if (Py_TYPE(object) == reinterpret_cast<PyTypeObject*>(task_type.ptr())) {
        found(dep);  // a Task itself has no __jug_dependencies__: no lookup
      } else if (py::hasattr(dep, *jug_dependencies)) {
        pending.push_back(dep.attr(*jug_dependencies)());
      } else if (PyObject_IsInstance(object, task_type.ptr()) == 1) {
        found(dep);
      } else if (PyList_Check(object) || PyTuple_Check(object)) {
        pending.push_back(py::reinterpret_borrow<py::object>(dep));
      } else if (PyDict_Check(object)) {
        pending.push_back(py::iter(dep.attr("values")()));
      }
    });
  }
}

}  // namespace jug::python
