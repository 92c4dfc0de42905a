#include "engine/large_memory.hpp"

#include <sys/mman.h>

#include <algorithm>
#include <cstdlib>
#include <cstring>

namespace jug {
namespace {

constexpr std::size_t kHugePage = 2 << 20;
constexpr std::size_t kFirstChunk = kHugePage;
constexpr std::size_t kLargestChunk = 64 << 20;

std::size_t round_up(std::size_t n, std::size_t to) { return (n + to - 1) / to * to; }

}  // namespace

void* map_large(std::size_t bytes) {
  const std::size_t size = round_up(bytes, kHugePage);
  void* memory = ::mmap(nullptr, size, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
  if (memory == MAP_FAILED) throw std::bad_alloc();
  // Advice only: where huge pages are off or unavailable, small pages serve.
  ::madvise(memory, size, MADV_HUGEPAGE);
  return memory;
}

void unmap_large(void* memory, std::size_t bytes) {
  ::munmap(memory, round_up(bytes, kHugePage));
}

std::size_t growable_room(std::size_t bytes) {
  return bytes < kLargeAllocation ? bytes : round_up(bytes, kHugePage);
}

void* allocate_growable(std::size_t bytes) {
  if (bytes >= kLargeAllocation) return map_large(bytes);
  void* memory = std::malloc(bytes);
  if (memory == nullptr) throw std::bad_alloc();
  return memory;
}

void* grow_growable(void* memory, std::size_t bytes, std::size_t new_bytes) {
  if (new_bytes < kLargeAllocation) {
    void* grown = std::realloc(memory, new_bytes);
    if (grown == nullptr) throw std::bad_alloc();
    return grown;
  }
  if (bytes < kLargeAllocation) {
    void* mapped = map_large(new_bytes);
    std::memcpy(mapped, memory, bytes);
    std::free(memory);
    return mapped;
  }
  void* moved = ::mremap(memory, round_up(bytes, kHugePage), round_up(new_bytes, kHugePage),
                         MREMAP_MAYMOVE);
  if (moved == MAP_FAILED) throw std::bad_alloc();
  ::madvise(moved, round_up(new_bytes, kHugePage), MADV_HUGEPAGE);
  return moved;
}

void free_growable(void* memory, std::size_t bytes) {
  if (bytes >= kLargeAllocation) {
    unmap_large(memory, bytes);
  } else {
    std::free(memory);
  }
}

Arena::~Arena() {
  for (const Chunk& c : chunks_) unmap_large(c.memory, c.size);
}

void* Arena::allocate(std::size_t bytes, std::size_t alignment) {
  const std::size_t padding = (alignment - reinterpret_cast<std::uintptr_t>(next_) % alignment) % alignment;
  if (next_ == nullptr || padding + bytes > left_) {
    // Chunks double in size, so a big graph needs few of them.
    const std::size_t previous = chunks_.empty() ? kFirstChunk / 2 : chunks_.back().size;
    const std::size_t size =
        round_up(std::max(bytes + alignment, std::min(previous * 2, kLargestChunk)), kHugePage);
    void* memory = map_large(size);
    chunks_.push_back({memory, size});
    next_ = static_cast<char*>(memory);
    left_ = size;
    return allocate(bytes, alignment);
  }
  void* out = next_ + padding;
  next_ += padding + bytes;
  left_ -= padding + bytes;
  return out;
}

}  // namespace jug
