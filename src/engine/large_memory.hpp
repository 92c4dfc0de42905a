#pragma once
/// Memory for the engine's big arrays and for graph nodes, backed by
/// transparent huge pages where the kernel allows (madvise mode).
///
/// Why: building and checking a graph of 100,000 tasks touches some 20 MiB of
/// fresh memory. With 4 KiB pages that is ~5,000 page faults, which on a
/// virtual machine cost more than all of jug's own work in `jug status`;
/// with 2 MiB pages it is a handful.

#include <cstddef>
#include <memory>
#include <new>
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
