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

  /// A task of a Python jugfile has the hash Python jug gives it, a SHA-1
  /// of 20 bytes (so that its results are Python jug's, and a Python jug
  /// store can be taken over): kept in the first 20 bytes, the other 12
  /// set to kPythonJugTail, which marks the short form (a SHA-256 ends so
  /// by chance once in 2^96).
  static constexpr std::size_t kPythonJugSize = 20;
  static constexpr std::array<std::uint8_t, kSize - kPythonJugSize> kPythonJugTail{
      'p', 'y', 't', 'h', 'o', 'n', '-', 'j', 'u', 'g', '-', '1'};

  /// The hash Python jug gave a task: its 20-byte SHA-1.
  static TaskHash python_jug(const std::array<std::uint8_t, kPythonJugSize>& sha1);
  /// True for a hash made by python_jug().
  bool is_python_jug() const {
    return std::memcmp(bytes.data() + kPythonJugSize, kPythonJugTail.data(),
                       kPythonJugTail.size()) == 0;
  }
  /// The bytes the hash stands for: 20 for a Python jug hash, else 32.
  std::size_t size() const { return is_python_jug() ? kPythonJugSize : kSize; }

  /// Lower-case hex digits, the name used in stores: 64, or 40 for a
  /// Python jug hash (as Python jug names it).
  std::string hex() const;
  /// Appends the first `digits` of hex() (all of them by default) to `out`.
  void append_hex(std::string& out, std::size_t digits = std::string::npos) const;
  /// Parses 64 hex digits, or 40 (a Python jug hash); nullopt for anything
  /// else, and for 64 digits that end as a Python jug hash's bytes do.
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
