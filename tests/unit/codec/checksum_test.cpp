/// Tests of the records' checksum (src/codec/checksum.hpp): each
/// implementation (the build's default, and AVX2 where the processor has
/// it) gives libxxhash's XXH3-64 with a seed, at once or in pieces of any
/// size, so that records written by one are read by the other; and its
/// 128-bit form, which digests big task arguments.

#include "codec/checksum.hpp"

#include <gtest/gtest.h>
#define XXH_STATIC_LINKING_ONLY  // XXH3_state_t's fields
#include <xxhash.h>

#include <cstdint>
#include <cstring>
#include <random>
#include <string>
#include <vector>

namespace jug::record {
namespace {

std::vector<const detail::Xxh3*> implementations() {
  std::vector<const detail::Xxh3*> all{&detail::kXxh3Default};
#if defined(__x86_64__)
  if (__builtin_cpu_supports("avx2")) all.push_back(&detail::kXxh3Avx2);
#endif
  return all;
}

std::string random_bytes(std::size_t size, unsigned seed) {
  std::mt19937_64 rng(seed);
  std::string bytes(size, '\0');
  for (char& c : bytes) c = static_cast<char>(rng());
  return bytes;
}

TEST(Checksum, EveryImplementationGivesXxh3AtOnceAndInPieces) {
  std::mt19937 rng(7);
  // Sizes around XXH3's internal boundaries (16, 128, 240 bytes, its
  // 256-byte buffer, its 1 KiB stripes), and a few MB.
  for (const std::size_t size : {0ul, 1ul, 16ul, 17ul, 128ul, 129ul, 240ul, 241ul, 256ul, 1023ul,
                                 1024ul, 1025ul, 4096ul, 65537ul, 3'000'001ul}) {
    const std::string bytes = random_bytes(size, static_cast<unsigned>(size));
    for (const std::uint64_t seed : {0ull, 1ull, 0x9e3779b97f4a7c15ull}) {
      const std::uint64_t expected = XXH3_64bits_withSeed(bytes.data(), bytes.size(), seed);
      for (const detail::Xxh3* xxh3 : implementations()) {
        SCOPED_TRACE(::testing::Message() << "size " << size << ", seed " << seed << ", "
                                          << (xxh3 == &detail::kXxh3Default ? "default" : "avx2"));
        EXPECT_EQ(xxh3->of(bytes.data(), bytes.size(), seed), expected);
        // Memory that held something else: a seed that matches and a
        // secret that does not (what a stack slot may hold).
        alignas(Checksum::kStateAlignment) unsigned char state[Checksum::kStateBytes];
        std::memset(state, 0xab, sizeof state);
        reinterpret_cast<XXH3_state_t*>(state)->seed = seed;
        reinterpret_cast<XXH3_state_t*>(state)->extSecret = nullptr;
        xxh3->reset(state, seed);
        for (std::size_t at = 0; at < size;) {
          const std::size_t piece = std::min<std::size_t>(size - at, rng() % (rng() % 2 ? 3000 : 300000));
          xxh3->add(state, bytes.data() + at, piece);
          at += piece;
        }
        EXPECT_EQ(xxh3->value(state), expected);
      }
      Checksum checksum(seed);
      checksum.add(bytes.substr(0, size / 3));
      checksum.add(bytes.substr(size / 3));
      EXPECT_EQ(checksum.value(), expected);
      EXPECT_EQ(checksum_of(bytes, seed), expected);
    }
  }
}

TEST(Checksum, WideValueIsXxh3_128InCanonicalOrder) {
  for (const std::size_t size : {0ul, 1ul, 17ul, 240ul, 241ul, 1025ul, 65537ul, 3'000'001ul}) {
    SCOPED_TRACE(::testing::Message() << "size " << size);
    const std::string bytes = random_bytes(size, static_cast<unsigned>(size) + 1);
    XXH128_canonical_t expected;
    XXH128_canonicalFromHash(&expected, XXH3_128bits(bytes.data(), bytes.size()));
    for (const detail::Xxh3* xxh3 : implementations()) {
      alignas(Checksum::kStateAlignment) unsigned char state[Checksum::kStateBytes];
      std::memset(state, 0xcd, sizeof state);
      reinterpret_cast<XXH3_state_t*>(state)->seed = 0;
      reinterpret_cast<XXH3_state_t*>(state)->extSecret = nullptr;
      xxh3->reset(state, 0);
      xxh3->add(state, bytes.data(), size / 2);
      xxh3->add(state, bytes.data() + size / 2, size - size / 2);
      unsigned char wide[16];
      xxh3->wide_value(state, wide);
      EXPECT_EQ(std::memcmp(wide, expected.digest, sizeof wide), 0);
    }
    Checksum checksum(0);
    checksum.add(bytes);
    EXPECT_EQ(std::memcmp(checksum.wide_value().data(), expected.digest, 16), 0);
  }
}

}  // namespace
}  // namespace jug::record
