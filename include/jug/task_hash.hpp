#pragma once
/// TaskHash: the identity of a task, a SHA-256 digest of its name and the
/// canonical bytes of its arguments (see docs/hashing.md).

#include <array>
#include <cstddef>
#include <cstdint>
#include <cstring>
#include <functional>
#include <optional>
#include <string>
#include <string_view>

namespace jug {

struct TaskHash {
  static constexpr std::size_t kSize = 32;
  std::array<std::uint8_t, kSize> bytes{};

  /// 64 lower-case hex digits, the name used in stores.
  std::string hex() const;
  /// Parses 64 hex digits; nullopt for anything else.
  static std::optional<TaskHash> from_hex(std::string_view hex);
  /// SHA-256 of `data`.
  static TaskHash of(std::string_view data);

  friend bool operator==(const TaskHash& a, const TaskHash& b) {
    // Four word compares, inlined: hash tables compare hashes a lot, and a
    // call to memcmp costs more than this.
    std::uint64_t x[4], y[4];
    std::memcpy(x, a.bytes.data(), kSize);
    std::memcpy(y, b.bytes.data(), kSize);
    return ((x[0] ^ y[0]) | (x[1] ^ y[1]) | (x[2] ^ y[2]) | (x[3] ^ y[3])) == 0;
  }
  friend auto operator<=>(const TaskHash&, const TaskHash&) = default;
};

}  // namespace jug

template <>
struct std::hash<jug::TaskHash> {
  std::size_t operator()(const jug::TaskHash& h) const noexcept {
    // The digest is already uniformly distributed: any 8 bytes will do.
    std::size_t out;
    std::memcpy(&out, h.bytes.data(), sizeof out);
    return out;
  }
};
