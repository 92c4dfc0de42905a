#pragma once
/// The fixed-size fields of jug's binary layouts (a record's header, a
/// segment's frame header, a segment's index file): numbers copied in and
/// out at byte offsets, in the host's byte order, with no alignment assumed.
/// The layouts' checksums refuse bytes written by a host of the other order.

#include <cstddef>
#include <cstring>
#include <string>
#include <string_view>

namespace jug {

/// Writes `v` at `offset` of `buffer`.
template <class T>
void put_at(char* buffer, std::size_t offset, T v) {
  std::memcpy(buffer + offset, &v, sizeof v);
}

/// Appends `v` to `out`.
template <class T>
void append_field(std::string& out, T v) {
  char bytes[sizeof v];
  std::memcpy(bytes, &v, sizeof v);
  out.append(bytes, sizeof v);
}

/// The T at `offset` of `bytes`, which holds it.
template <class T>
T get_at(std::string_view bytes, std::size_t offset) {
  T v;
  std::memcpy(&v, bytes.data() + offset, sizeof v);
  return v;
}

}  // namespace jug
