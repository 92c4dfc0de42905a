#pragma once
/// An open-addressing index from TaskHash to a position in a vector the
/// caller keeps. The graph and the status of 100,000 tasks each look up every
/// hash once: a flat table of 4-byte slots (a few hundred KiB, mostly in
/// cache) is several times faster than std::unordered_map's nodes.
///
/// A slot holds the position plus one in its low bits (as many as the
/// table's size needs) and some bits of the hash above them, so that a
/// probe of a slot holding another hash rarely reads that hash from the
/// caller's vector: at a million hashes, that read was a cache miss in a
/// third of all insertions.

#include <algorithm>
#include <cstdint>
#include <cstring>
#include <optional>
#include <vector>

#include "engine/mapped_vector.hpp"
#include "jug/task_hash.hpp"

namespace jug {

class HashIndex {
 public:
  HashIndex() = default;

  /// Finds `hash` among `keys` (the vector positions were inserted from).
  template <class Keys>
  std::optional<std::uint32_t> find(const TaskHash& hash, const Keys& keys) const {
    if (slots_.empty()) return std::nullopt;
    const std::uint32_t tag = tag_of(hash);
    for (std::size_t i = start(hash);; i = (i + 1) & mask_) {
      const std::uint32_t slot = slots_[i];
      if (slot == kEmpty) return std::nullopt;
      if ((slot & ~position_bits_) == tag && keys[position(slot)] == hash) return position(slot);
    }
  }

  /// Inserts position `index` of `keys` (which must already hold its hash),
  /// or returns the position already holding an equal hash.
  template <class Keys>
  std::optional<std::uint32_t> insert(std::uint32_t index, const Keys& keys) {
    if ((size_ + 1) * 2 > slots_.size()) grow(keys);
    const TaskHash& hash = keys[index];
    const std::uint32_t tag = tag_of(hash);
    for (std::size_t i = start(hash);; i = (i + 1) & mask_) {
      const std::uint32_t slot = slots_[i];
      if (slot == kEmpty) {
        slots_[i] = tag | (index + 1);
        ++size_;
        return std::nullopt;
      }
      if ((slot & ~position_bits_) == tag && keys[position(slot)] == hash) return position(slot);
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
  static constexpr std::uint32_t kEmpty = 0;  // a slot's position bits hold position + 1

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
  /// The bits of `hash` a slot keeps above the position: others than
  /// start() takes.
  std::uint32_t tag_of(const TaskHash& hash) const {
    std::uint32_t h;
    std::memcpy(&h, hash.bytes.data() + 8, sizeof h);
    return h & ~position_bits_;
  }
  std::uint32_t position(std::uint32_t slot) const { return (slot & position_bits_) - 1; }

  template <class Keys>
  void grow(const Keys& keys) { rebuild(capacity_for(size_ + 1) * 2, &keys); }

  template <class Keys = std::vector<TaskHash>>
  void rebuild(std::size_t capacity, const Keys* keys) {
    MappedVector<std::uint32_t> old;
    old.swap(slots_);
    const std::uint32_t old_position_bits = position_bits_;
    slots_.assign(capacity, kEmpty);
    mask_ = capacity - 1;
    // Positions plus one stay below capacity / 2 (the table is at most half
    // full): the bits of capacity - 1 hold them. (32 bits at 2^32 slots,
    // leaving none for the tag.)
    position_bits_ = static_cast<std::uint32_t>(std::min<std::size_t>(mask_, 0xffffffffu));
    if (keys == nullptr) return;  // the index was empty
    for (std::uint32_t slot : old) {
      if (slot == kEmpty) continue;
      const std::uint32_t index = (slot & old_position_bits) - 1;
      const TaskHash& hash = (*keys)[index];
      std::size_t i = start(hash);
      while (slots_[i] != kEmpty) i = (i + 1) & mask_;
      slots_[i] = tag_of(hash) | (index + 1);
    }
  }

  MappedVector<std::uint32_t> slots_;
  std::size_t mask_ = 0;
  std::uint32_t position_bits_ = 0;
  std::size_t size_ = 0;
};

}  // namespace jug
