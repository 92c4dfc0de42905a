#pragma once
/// The records' checksum, XXH3-64 with a seed (record.hpp), computed by the
/// fastest code this processor runs: xxHash's AVX2 loop where it has AVX2,
/// else its SSE2 one (what Debian's static libxxhash has). The value is the same
/// either way; the speed is not: 400 MB take 65 ms with SSE2 and 26 ms with
/// AVX2 on our machines, and every big result is checksummed as it is
/// written and again before it is handed to a task (bench/README.md, "Big
/// results"). Its 128-bit form digests the bytes of big task arguments for
/// their hash (docs/hashing.md).

#include <array>
#include <cstddef>
#include <cstdint>
#include <string_view>

namespace jug::record {

/// XXH3-64 of `bytes` with `seed`.
std::uint64_t checksum_of(std::string_view bytes, std::uint64_t seed);

/// XXH3-64 with a seed of bytes given in pieces.
class Checksum {
 public:
  explicit Checksum(std::uint64_t seed);
  Checksum(const Checksum&) = delete;
  Checksum& operator=(const Checksum&) = delete;

  void add(const char* data, std::size_t size);
  void add(std::string_view bytes) { add(bytes.data(), bytes.size()); }
  /// Of everything added so far.
  std::uint64_t value() const;
  /// XXH3-128 of everything added so far, in xxHash's canonical
  /// (big-endian) byte order; for a Checksum made with seed 0, the
  /// XXH3-128 of the bytes (docs/hashing.md: big arguments).
  std::array<unsigned char, 16> wide_value() const;

  /// Room for xxHash's XXH3_state_t (576 bytes, 64-aligned, in 0.8), kept
  /// here so that a checksum allocates nothing; each implementation checks
  /// that its state fits.
  static constexpr std::size_t kStateBytes = 640;
  static constexpr std::size_t kStateAlignment = 64;

 private:
  alignas(kStateAlignment) unsigned char state_[kStateBytes];
};

namespace detail {

/// One implementation of XXH3 (checksum_default.cpp,
/// checksum_avx2.cpp), working on a Checksum's state.
struct Xxh3 {
  std::uint64_t (*of)(const void* data, std::size_t size, std::uint64_t seed);
  void (*reset)(void* state, std::uint64_t seed);
  void (*add)(void* state, const void* data, std::size_t size);
  std::uint64_t (*value)(const void* state);
  void (*wide_value)(const void* state, unsigned char* out);
};

extern const Xxh3 kXxh3Default;
#if defined(__x86_64__)
extern const Xxh3 kXxh3Avx2;
#endif

}  // namespace detail
}  // namespace jug::record
