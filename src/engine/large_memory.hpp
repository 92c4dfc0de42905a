#pragma once
/// Memory for the engine's big arrays and for graph nodes, backed by
/// transparent huge pages where the kernel allows (madvise mode).
///
/// Why: building and checking a graph of 100,000 tasks touches some 20 MiB of
/// fresh memory. With 4 KiB pages that is ~5,000 page faults, which on a
/// virtual machine cost more than all of jug's own work in `jug status`;
/// with 2 MiB pages it is a handful.

#include <algorithm>
#include <bit>
#include <cstddef>
#include <cstring>
#include <memory>
#include <new>
#include <type_traits>
#include <utility>
#include <vector>

namespace jug {

/// Allocations from this size on get their own huge-page mapping.
inline constexpr std::size_t kLargeAllocation = 1 << 20;

/// An anonymous mapping of at least `bytes`, advised to use huge pages.
/// Throws std::bad_alloc.
void* map_large(std::size_t bytes);
void unmap_large(void* memory, std::size_t bytes);

/// A std allocator: huge-page mappings for large arrays, operator new for
/// small ones.
template <class T>
struct LargeArrayAllocator {
  using value_type = T;
  LargeArrayAllocator() = default;
  template <class U>
  LargeArrayAllocator(const LargeArrayAllocator<U>&) {}

  T* allocate(std::size_t n) {
    const std::size_t bytes = n * sizeof(T);
    if (bytes >= kLargeAllocation) return static_cast<T*>(map_large(bytes));
    return static_cast<T*>(::operator new(bytes, std::align_val_t(alignof(T))));
  }
  void deallocate(T* p, std::size_t n) {
    const std::size_t bytes = n * sizeof(T);
    if (bytes >= kLargeAllocation) {
      unmap_large(p, bytes);
    } else {
      ::operator delete(p, std::align_val_t(alignof(T)));
    }
  }
  friend bool operator==(const LargeArrayAllocator&, const LargeArrayAllocator&) { return true; }
};

template <class T>
using LargeVector = std::vector<T, LargeArrayAllocator<T>>;

/// Memory of `bytes` for an array that may grow: from the heap while small,
/// a huge-page mapping from kLargeAllocation on. Throws std::bad_alloc.
void* allocate_growable(std::size_t bytes);
/// The array `memory` (`bytes` long, from allocate_growable or here) made
/// `new_bytes` long, keeping its contents: a mapping is moved by the kernel
/// (mremap), page by page, never copied, so that a growing array never
/// holds its pages twice (nor has them zeroed twice). Throws std::bad_alloc.
void* grow_growable(void* memory, std::size_t bytes, std::size_t new_bytes);
void free_growable(void* memory, std::size_t bytes);
/// The bytes allocate_growable(bytes) gives room for: a mapping's whole pages.
std::size_t growable_room(std::size_t bytes);

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
    return chunks_[k] + (i - ((std::size_t{1} << (kFirstShift + k)) - (std::size_t{1} << kFirstShift)));
  }

  std::vector<T*> chunks_;
  std::size_t size_ = 0;
};

/// A bump allocator: many small objects that all die together (a graph's
/// task bodies), packed into huge-page chunks. Not thread-safe.
class Arena {
 public:
  Arena() = default;
  Arena(const Arena&) = delete;
  Arena& operator=(const Arena&) = delete;
  ~Arena();

  void* allocate(std::size_t bytes, std::size_t alignment);

 private:
  struct Chunk {
    void* memory;
    std::size_t size;
  };
  std::vector<Chunk> chunks_;
  char* next_ = nullptr;
  std::size_t left_ = 0;
};

}  // namespace jug
