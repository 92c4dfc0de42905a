#pragma once
/// The bytes of a `jug status --cache` file (status_cache.hpp): what it is
/// valid for, and which tasks it found finished. The file lies in the
/// user's directory, where anything may have changed it: it is read as
/// untrusted bytes (a fuzz target feeds it: fuzz/status_cache_fuzzer.cpp).
///
///     "jug status cache 1\n"
///     store, token      each a 64-bit length and its bytes
///     graph digest      16 bytes
///     tasks             64 bits
///     finished          a bit per task, lowest bit first
///     XXH3-64 of all the bytes before it (seed "jug-stat")
///
/// Numbers are little-endian.

#include <array>
#include <cstddef>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace jug {

/// What a cache file is valid for.
struct StatusCacheKey {
  /// Store::describe(): which store.
  std::string store;
  /// Store::RemovalGeneration::token when it was made.
  std::string token;
  /// XXH3-128 of the graph's task hashes, in order: which tasks.
  std::array<unsigned char, 16> graph_digest{};
  std::size_t tasks = 0;

  friend bool operator==(const StatusCacheKey&, const StatusCacheKey&) = default;
};

/// A cache file's content: per task (by NodeId), whether it was finished.
struct StatusCacheFile {
  StatusCacheKey key;
  std::vector<bool> finished;
};

/// The bytes of a cache file for `key` (finished.size() == key.tasks).
std::string encode_status_cache(const StatusCacheKey& key, const std::vector<bool>& finished);
/// The content of a cache file's bytes; nullopt when they are not one,
/// damaged, or cut short.
std::optional<StatusCacheFile> decode_status_cache(std::string_view bytes);
/// The checksum that ends a cache file whose other bytes are `body`.
std::uint64_t status_cache_checksum(std::string_view body);

}  // namespace jug
