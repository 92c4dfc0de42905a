#pragma once
/// An open-addressing index from TaskHash to a position in a vector the
/// caller keeps. The graph and the status of 100,000 tasks each look up every
/// hash once: a flat table of 4-byte slots (a few hundred KiB, mostly in
/// cache) is several times faster than std::unordered_map's nodes.

#include <cstdint>
#include <cstring>
#include <optional>
#include <vector>

#include "engine/large_memory.hpp"
#include "jug/task_hash.hpp"

namespace jug {

class HashIndex {
 public:
  HashIndex() = default;

  /// Finds `hash` among `keys` (the vector positions were inserted from).
  template <class Keys>
  std::optional<std::uint32_t> find(const TaskHash& hash, const Keys& keys) const {
    if (slots_.empty()) return std::nullopt;
    for (std::size_t i = start(hash);; i = (i + 1) & mask_) {
      const std::uint32_t slot = slots_[i];
      if (slot == kEmpty) return std::nullopt;
      if (keys[slot - 1] == hash) return slot - 1;
    }
  }

  /// Inserts position `index` of `keys` (which must already hold its hash),
  /// or returns the position already holding an equal hash.
  template <class Keys>
  std::optional<std::uint32_t> insert(std::uint32_t index, const Keys& keys) {
    if ((size_ + 1) * 2 > slots_.size()) grow(keys);
    const TaskHash& hash = keys[index];
    for (std::size_t i = start(hash);; i = (i + 1) & mask_) {
      const std::uint32_t slot = slots_[i];
      if (slot == kEmpty) {
        slots_[i] = index + 1;
        ++size_;
        return std::nullopt;
      }
      if (keys[slot - 1] == hash) return slot - 1;
    }
  }

  /// An index over all of `keys`; later duplicates are ignored.
  template <class Keys>
  static HashIndex of(const Keys& keys) {
    HashIndex index;
    index.reserve(keys.size(), keys);
    for (std::uint32_t i = 0; i < keys.size(); ++i) index.insert(i, keys);
    return index;
  }

  /// Room for `n` hashes in all without growing (`keys`: those inserted).
  template <class Keys>
  void reserve(std::size_t n, const Keys& keys) {
    if (n * 2 > slots_.size()) rebuild(capacity_for(n), size_ == 0 ? nullptr : &keys);
  }

 private:
  static constexpr std::uint32_t kEmpty = 0;  // slots hold position + 1

  static std::size_t capacity_for(std::size_t n) {
    std::size_t capacity = 16;
    while (capacity < n * 2) capacity *= 2;
    return capacity;
  }

  std::size_t start(const TaskHash& hash) const {
    std::uint64_t h;
    std::memcpy(&h, hash.bytes.data(), sizeof h);  // SHA-256: already uniform
    return static_cast<std::size_t>(h) & mask_;
  }

  template <class Keys>
  void grow(const Keys& keys) { rebuild(capacity_for(size_ + 1) * 2, &keys); }

  template <class Keys = std::vector<TaskHash>>
  void rebuild(std::size_t capacity, const Keys* keys) {
    LargeVector<std::uint32_t> old;
    old.swap(slots_);
    slots_.assign(capacity, kEmpty);
    mask_ = capacity - 1;
    if (keys == nullptr) return;  // the index was empty
    for (std::uint32_t slot : old) {
      if (slot == kEmpty) continue;
      std::size_t i = start((*keys)[slot - 1]);
      while (slots_[i] != kEmpty) i = (i + 1) & mask_;
      slots_[i] = slot;
    }
  }

  LargeVector<std::uint32_t> slots_;
  std::size_t mask_ = 0;
  std::size_t size_ = 0;
};

}  // namespace jug
