// jug::write_npy: NumPy's .npy format (numpy.lib.format, versions 1.0 and
// 2.0): a magic string, the version, the header's length, a Python dict
// literal padded so that the data starts at a multiple of 64 bytes, then the
// raw elements.

#include "jug/npy.hpp"

#include <fcntl.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>

#include <fmt/format.h>

#include "jug/errors.hpp"

namespace jug {
namespace {

constexpr std::string_view kMagic = "\x93NUMPY";
constexpr std::size_t kAlignment = 64;

std::string header_dict(const NpyArray& array) {
  std::string shape;  // a Python tuple's inside: "3, 4", "3," for one, "" for none
  for (std::size_t i = 0; i < array.shape.size(); ++i) {
    if (i != 0) shape += ", ";
    shape += std::to_string(array.shape[i]);
  }
  if (array.shape.size() == 1) shape += ",";
  return fmt::format("{{'descr': '{}', 'fortran_order': {}, 'shape': ({}), }}", array.dtype,
                     array.fortran_order ? "True" : "False", shape);
}

/// The bytes before the elements.
std::string preamble(const NpyArray& array) {
  std::string dict = header_dict(array);
  // Version 1.0 gives the header's length in 2 bytes, 2.0 in 4.
  const bool wide = kMagic.size() + 2 + 2 + dict.size() + 1 > 65535;
  const std::size_t before = kMagic.size() + 2 + (wide ? 4 : 2);
  const std::size_t unpadded = before + dict.size() + 1;  // + '\n'
  dict.append((kAlignment - unpadded % kAlignment) % kAlignment, ' ');
  dict.push_back('\n');
  std::string out(kMagic);
  out.push_back(static_cast<char>(wide ? 2 : 1));
  out.push_back(0);
  const std::uint32_t length = static_cast<std::uint32_t>(dict.size());
  for (std::size_t i = 0; i < (wide ? 4u : 2u); ++i) out.push_back(static_cast<char>(length >> (8 * i)));
  return out + dict;
}

[[noreturn]] void fail(const std::string& path, const char* doing, int err) {
  throw Error(fmt::format("jug: cannot write {}: {} failed: {}", path, doing, std::strerror(err)));
}

void write_all(int fd, const char* data, std::size_t size, const std::string& path) {
  while (size > 0) {
    const ssize_t n = ::write(fd, data, std::min<std::size_t>(size, std::size_t{1} << 30));
    if (n < 0 && errno == EINTR) continue;
    if (n < 0) fail(path, "write", errno);
    data += n;
    size -= static_cast<std::size_t>(n);
  }
}

}  // namespace

void write_npy(const std::string& path, const NpyArray& array) {
  std::uint64_t elements = 1;
  for (const std::uint64_t extent : array.shape) elements *= extent;
  const std::string temporary = fmt::format("{}.tmp-{}", path, ::getpid());
  const int fd = ::open(temporary.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0666);
  if (fd < 0) fail(path, "creating it", errno);
  try {
    const std::string head = preamble(array);
    write_all(fd, head.data(), head.size(), path);
    write_all(fd, static_cast<const char*>(array.data), elements * array.element_size, path);
    if (::fsync(fd) != 0) fail(path, "fsync", errno);
  } catch (...) {
    ::close(fd);
    ::unlink(temporary.c_str());
    throw;
  }
  if (::close(fd) != 0) {  // where a network filesystem reports a failed write
    const int err = errno;
    ::unlink(temporary.c_str());
    fail(path, "close", err);
  }
  if (::rename(temporary.c_str(), path.c_str()) != 0) {
    const int err = errno;
    ::unlink(temporary.c_str());
    fail(path, "renaming it into place", err);
  }
}

}  // namespace jug
