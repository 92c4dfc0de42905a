#include "python_pickle.hpp"

#include <bit>
#include <cstdint>
#include <cstring>

namespace jug::python {
namespace {

// pickle's opcodes (Lib/pickle.py).
constexpr char kProto = '\x80';
constexpr char kFrame = '\x95';
constexpr char kStop = '.';
constexpr char kMemoize = '\x94';
constexpr char kNone = 'N';
constexpr char kTrue = '\x88';
constexpr char kFalse = '\x89';
constexpr char kBinInt1 = 'K';
constexpr char kBinInt2 = 'M';
constexpr char kBinInt = 'J';
constexpr char kLong1 = '\x8a';
constexpr char kBinFloat = 'G';
constexpr char kShortBinUnicode = '\x8c';
constexpr char kBinUnicode = 'X';
constexpr char kShortBinBytes = 'C';
constexpr char kBinBytes = 'B';

/// A frame's header: FRAME and its length in 8 bytes. The pickler writes
/// one only around a body of at least 4 bytes (_pickle.c, FRAME_SIZE_MIN).
constexpr std::size_t kFrameHeader = 9;
constexpr std::size_t kFrameSizeMin = 4;

/// The largest str or bytes written here: well inside one frame (pickle
/// starts writing large payloads outside the frame at 64 KiB).
constexpr std::size_t kLargestPayload = PickleBuffer::kCapacity - 32;

/// pickle.DEFAULT_PROTOCOL when it is one whose bytes are these (4 or 5:
/// they differ only in the number after PROTO); 0 otherwise.
int default_protocol() {
  static const int protocol = [] {
    const int p = pybind11::module_::import("pickle").attr("DEFAULT_PROTOCOL").cast<int>();
    return p == 4 || p == 5 ? p : 0;
  }();
  return protocol;
}

class Writer {
 public:
  explicit Writer(char* out) : out_(out) {}
  void byte(char c) { out_[size_++] = c; }
  void bytes(const void* data, std::size_t n) {
    std::memcpy(out_ + size_, data, n);
    size_ += n;
  }
  /// `n` bytes of `v`, least significant first.
  void little_endian(std::uint64_t v, std::size_t n) {
    for (std::size_t i = 0; i < n; ++i) byte(static_cast<char>((v >> (8 * i)) & 0xff));
  }
  std::size_t size() const { return size_; }

 private:
  char* out_;
  std::size_t size_ = 0;
};

/// Python's encode_long: the fewest little-endian two's-complement bytes
/// that hold `v` (with its sign bit).
std::size_t long1_length(std::int64_t v) {
  const std::uint64_t magnitude_bits =
      v >= 0 ? static_cast<std::uint64_t>(v) : ~static_cast<std::uint64_t>(v);
  const std::size_t bit_length = 64 - static_cast<std::size_t>(std::countl_zero(magnitude_bits));
  return bit_length / 8 + 1;
}

void write_int(Writer& w, std::int64_t v) {
  if (v >= 0 && v < 0x100) {
    w.byte(kBinInt1);
    w.little_endian(static_cast<std::uint64_t>(v), 1);
  } else if (v >= 0 && v < 0x10000) {
    w.byte(kBinInt2);
    w.little_endian(static_cast<std::uint64_t>(v), 2);
  } else if (v >= INT32_MIN && v <= INT32_MAX) {
    w.byte(kBinInt);
    w.little_endian(static_cast<std::uint64_t>(v), 4);
  } else {
    // n is at most 8 for 64 bits; the bytes are v's own, sign included.
    const std::size_t n = long1_length(v);
    w.byte(kLong1);
    w.byte(static_cast<char>(n));
    w.little_endian(static_cast<std::uint64_t>(v), n);
  }
}

/// SHORT_BINx below 256 bytes, BINx (4-byte length) above.
void write_sized(Writer& w, char short_op, char op, const char* data, std::size_t n) {
  if (n < 0x100) {
    w.byte(short_op);
    w.little_endian(n, 1);
  } else {
    w.byte(op);
    w.little_endian(n, 4);
  }
  w.bytes(data, n);
  w.byte(kMemoize);
}

/// The body of the pickle (between PROTO and the frame, and STOP), or
/// false when the value is not one written here.
bool write_body(PyObject* value, Writer& w) {
  if (value == Py_None) {
    w.byte(kNone);
  } else if (PyBool_Check(value)) {
    w.byte(value == Py_True ? kTrue : kFalse);
  } else if (PyLong_CheckExact(value)) {
    int overflow = 0;
    const long long v = PyLong_AsLongLongAndOverflow(value, &overflow);
    if (overflow != 0 || (v == -1 && PyErr_Occurred() != nullptr)) {
      PyErr_Clear();
      return false;
    }
    write_int(w, v);
  } else if (PyFloat_CheckExact(value)) {
    const std::uint64_t bits = std::bit_cast<std::uint64_t>(PyFloat_AS_DOUBLE(value));
    w.byte(kBinFloat);
    for (int i = 7; i >= 0; --i) w.byte(static_cast<char>((bits >> (8 * i)) & 0xff));
  } else if (PyUnicode_CheckExact(value)) {
    Py_ssize_t size = 0;
    const char* utf8 = PyUnicode_AsUTF8AndSize(value, &size);
    if (utf8 == nullptr) {  // lone surrogates: pickle writes them its own way
      PyErr_Clear();
      return false;
    }
    if (static_cast<std::size_t>(size) > kLargestPayload) return false;
    write_sized(w, kShortBinUnicode, kBinUnicode, utf8, static_cast<std::size_t>(size));
  } else if (PyBytes_CheckExact(value)) {
    const std::size_t size = static_cast<std::size_t>(PyBytes_GET_SIZE(value));
    if (size > kLargestPayload) return false;
    write_sized(w, kShortBinBytes, kBinBytes, PyBytes_AS_STRING(value), size);
  } else {
    return false;
  }
  w.byte(kStop);
  return true;
}

/// Writes PROTO, the body `write` writes (false: none), in a frame when it
/// is long enough for one, into `data` (its length to `size`).
template <class WriteBody>
bool framed(char* data, std::size_t& size, WriteBody write) {
  const int protocol = default_protocol();
  if (protocol == 0) return false;
  // The body is written after room for PROTO and a frame header, and moved
  // up if it is too short for a frame.
  constexpr std::size_t kBodyAt = 2 + kFrameHeader;
  Writer body(data + kBodyAt);
  if (!write(body)) return false;
  data[0] = kProto;
  data[1] = static_cast<char>(protocol);
  if (body.size() >= kFrameSizeMin) {
    Writer header(data + 2);
    header.byte(kFrame);
    header.little_endian(body.size(), 8);
    size = kBodyAt + body.size();
  } else {
    std::memmove(data + 2, data + kBodyAt, body.size());
    size = 2 + body.size();
  }
  return true;
}

}  // namespace

bool plain_pickle(PyObject* value, PickleBuffer& out) {
  return framed(out.data_, out.size_, [value](Writer& w) { return write_body(value, w); });
}

bool bytes_pickle(std::string_view value, PickleBuffer& out) {
  if (value.size() > kLargestPayload) return false;
  return framed(out.data_, out.size_, [value](Writer& w) {
    write_sized(w, kShortBinBytes, kBinBytes, value.data(), value.size());
    w.byte(kStop);
    return true;
  });
}

bool int_pickle(std::int64_t value, PickleBuffer& out) {
  return framed(out.data_, out.size_, [value](Writer& w) {
    write_int(w, value);
    w.byte(kStop);
    return true;
  });
}

}  // namespace jug::python
