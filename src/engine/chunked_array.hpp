#pragma once
/// ChunkedArray: an array whose elements never move as it grows.

#include <bit>
#include <cstddef>
#include <new>
#include <utility>
#include <vector>

#include "engine/large_memory.hpp"

namespace jug {

/// An array whose elements never move: it grows by adding chunks, each
/// twice as big as the one before, so that it may hold what cannot be
/// moved bytewise (a graph's nodes) without copying any when it grows.
template <class T>
class ChunkedArray {
 public:
  ChunkedArray() = default;
  ChunkedArray(const ChunkedArray&) = delete;
  ChunkedArray& operator=(const ChunkedArray&) = delete;
  ChunkedArray(ChunkedArray&& other) noexcept
      : chunks_(std::move(other.chunks_)), size_(std::exchange(other.size_, 0)) {}
  ChunkedArray& operator=(ChunkedArray&&) = delete;
  ~ChunkedArray() {
    while (size_ > 0) pop_back();
    for (std::size_t k = 0; k < chunks_.size(); ++k) {
      LargeArrayAllocator<T>().deallocate(chunks_[k], chunk_size(k));
    }
  }

  std::size_t size() const { return size_; }
  bool empty() const { return size_ == 0; }
  T& operator[](std::size_t i) { return *at(i); }
  const T& operator[](std::size_t i) const { return *at(i); }
  T& back() { return *at(size_ - 1); }
  const T& back() const { return *at(size_ - 1); }

  template <class... Args>
  T& emplace_back(Args&&... args) {
    if (chunk_of(size_) == chunks_.size()) {
      chunks_.reserve(chunks_.size() + 1);  // a throw here leaves nothing allocated
      chunks_.push_back(LargeArrayAllocator<T>().allocate(chunk_size(chunks_.size())));
    }
    T* element = at(size_);
    new (element) T(std::forward<Args>(args)...);
    ++size_;
    return *element;
  }
  void pop_back() {
    --size_;
    at(size_)->~T();
  }

 private:
  /// The first chunk's elements: 2^kFirstShift.
  static constexpr std::size_t kFirstShift = 6;

  /// Chunk k holds the elements from 2^kFirstShift (2^k - 1) on.
  static std::size_t chunk_of(std::size_t i) {
    return static_cast<std::size_t>(std::bit_width((i >> kFirstShift) + 1)) - 1;
  }
  static std::size_t chunk_size(std::size_t k) { return std::size_t{1} << (kFirstShift + k); }
  T* at(std::size_t i) const {
    const std::size_t k = chunk_of(i);
    return chunks_[k] + (i - (chunk_size(k) - chunk_size(0)));
  }

  std::vector<T*> chunks_;
  std::size_t size_ = 0;
};

}  // namespace jug
