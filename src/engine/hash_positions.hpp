#pragma once
/// Where each of many distinct hashes stands in a list the caller keeps (a
/// graph's hashes, asked which the store holds). A store read in the order
/// it was written meets them mostly in the list's order (a worker runs
/// tasks in the graph's order), so a lookup tries the next few positions
/// after the last one found, then (a few times: where each segment starts)
/// the whole list, before an index of it is made: a million hashes cost
/// some 60 ms and 8 MB to index, a pass over them 3 ms, and most such
/// questions need no index.

#include <algorithm>
#include <cstdint>
#include <mutex>
#include <optional>
#include <span>

#include "engine/hash_index.hpp"
#include "jug/task_hash.hpp"

namespace jug {

class HashPositions {
 public:
  /// `hashes`: distinct (a repeated hash is found at one of its places).
  explicit HashPositions(std::span<const TaskHash> hashes) : hashes_(hashes) {}

  /// Where lookups in list order go on from: past the last position found.
  struct Cursor {
    std::size_t next = 0;
    /// Hashes compared in passes over the whole list.
    std::size_t passed = 0;
  };

  /// The position of `hash`, trying the few after `cursor` first, and
  /// moving `cursor` past what it finds. Not thread-safe for one cursor.
  std::optional<std::uint32_t> find(const TaskHash& hash, Cursor& cursor) const {
    const std::size_t end = std::min(hashes_.size(), cursor.next + kNear);
    for (std::size_t i = cursor.next; i < end; ++i) {
      if (hashes_[i] == hash) {
        cursor.next = i + 1;
        return static_cast<std::uint32_t>(i);
      }
    }
    std::optional<std::uint32_t> found;
    if (cursor.passed < kPassesBeforeIndex * hashes_.size()) {
      cursor.passed += hashes_.size();
      const auto at = std::find(hashes_.begin(), hashes_.end(), hash);
      if (at != hashes_.end()) found = static_cast<std::uint32_t>(at - hashes_.begin());
    } else {
      found = find(hash);
    }
    if (found) cursor.next = *found + std::size_t{1};
    return found;
  }

  /// The position of `hash`, from the index. Thread-safe.
  std::optional<std::uint32_t> find(const TaskHash& hash) const {
    std::call_once(indexed_, [this] { index_ = HashIndex::of(hashes_); });
    return index_.find(hash, hashes_);
  }

  std::span<const TaskHash> hashes() const { return hashes_; }

 private:
  /// Positions tried after the cursor: several workers' tasks interleave
  /// in the graph's order, each worker's segment holding every few.
  static constexpr std::size_t kNear = 8;
  /// Passes over the whole list a cursor makes before the index is made.
  static constexpr std::size_t kPassesBeforeIndex = 8;

  std::span<const TaskHash> hashes_;
  mutable std::once_flag indexed_;
  mutable HashIndex index_;
};

}  // namespace jug
