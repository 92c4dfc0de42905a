#pragma once
/// MappedVector: an array of plain values that grows in place, by mremap
/// (large_memory.hpp: allocate_growable).

#include <algorithm>
#include <cstddef>
#include <cstring>
#include <type_traits>
#include <utility>

#include "engine/large_memory.hpp"

namespace jug {

/// A vector of plain values (trivially copyable) in huge pages that grows
/// in place: the graph's hashes, the store's index of results. A
/// std::vector doubling 32 MB would hold the old 16 and the new 32 at once,
/// and have all of them zeroed and copied.
template <class T>
class MappedVector {
  static_assert(std::is_trivially_copyable_v<T> && alignof(T) <= alignof(std::max_align_t));

 public:
  MappedVector() = default;
  MappedVector(const MappedVector& other) { *this = other; }
  MappedVector(MappedVector&& other) noexcept { swap(other); }
  MappedVector& operator=(const MappedVector& other) {
    if (this != &other) {
      clear();
      reserve(other.size_);
      if (other.size_ > 0) std::memcpy(data_, other.data_, other.size_ * sizeof(T));
      size_ = other.size_;
    }
    return *this;
  }
  MappedVector& operator=(MappedVector&& other) noexcept {
    MappedVector gone(std::move(*this));
    swap(other);
    return *this;
  }
  ~MappedVector() {
    if (data_ != nullptr) free_growable(data_, capacity_ * sizeof(T));
  }
  void swap(MappedVector& other) noexcept {
    std::swap(data_, other.data_);
    std::swap(size_, other.size_);
    std::swap(capacity_, other.capacity_);
  }

  std::size_t size() const { return size_; }
  std::size_t capacity() const { return capacity_; }
  bool empty() const { return size_ == 0; }
  T* data() { return data_; }
  const T* data() const { return data_; }
  T* begin() { return data_; }
  T* end() { return data_ + size_; }
  const T* begin() const { return data_; }
  const T* end() const { return data_ + size_; }
  T& operator[](std::size_t i) { return data_[i]; }
  const T& operator[](std::size_t i) const { return data_[i]; }
  T& back() { return data_[size_ - 1]; }
  const T& back() const { return data_[size_ - 1]; }

  void reserve(std::size_t n) {
    if (n <= capacity_) return;
    const std::size_t bytes = growable_room(n * sizeof(T));
    data_ = static_cast<T*>(data_ == nullptr ? allocate_growable(bytes)
                                             : grow_growable(data_, capacity_ * sizeof(T), bytes));
    capacity_ = bytes / sizeof(T);
  }
  void push_back(const T& value) {
    if (size_ == capacity_) {
      const T copy = value;  // `value` may lie in what grows
      reserve(std::max<std::size_t>(16, capacity_ * 2));
      data_[size_++] = copy;
      return;
    }
    data_[size_++] = value;
  }
  void pop_back() { --size_; }
  void clear() { size_ = 0; }
  /// `n` copies of `value`.
  void assign(std::size_t n, const T& value) {
    reserve(n);
    std::fill(data_, data_ + n, value);
    size_ = n;
  }

 private:
  T* data_ = nullptr;
  std::size_t size_ = 0;
  std::size_t capacity_ = 0;
};

}  // namespace jug
