#include "jug/archives.hpp"

#include <sys/mman.h>

#include <cstdint>

#include <fmt/format.h>

namespace jug {

namespace {

/// How much an InputArchive reading from a source holds at once: small
/// enough to stay in the CPU's cache while it is copied on.
constexpr std::size_t kInputBufferSize = 256 * 1024;

[[noreturn]] void throw_ends_early(std::uint64_t wanted, std::uint64_t left) {
  throw CorruptRecord(
      fmt::format("encoded value ends early: wanted {} more bytes, {} left", wanted, left));
}

/// Smaller memory is not worth a system call.
constexpr std::size_t kHugePageAdviceMin = 8 << 20;
constexpr std::uintptr_t kHugePage = 2 << 20;

}  // namespace

void detail::advise_huge_pages(void* memory, std::size_t bytes) noexcept {
  if (bytes < kHugePageAdviceMin) return;
  const auto start = reinterpret_cast<std::uintptr_t>(memory);
  const std::uintptr_t first = (start + kHugePage - 1) & ~(kHugePage - 1);
  const std::uintptr_t last = (start + bytes) & ~(kHugePage - 1);
  if (last > first) (void)::madvise(reinterpret_cast<void*>(first), last - first, MADV_HUGEPAGE);
}

InputArchive::InputArchive(ByteSource& source, std::uint64_t length)
    : cereal::InputArchive<InputArchive, cereal::AllowEmptyClassElision>(this),
      source_(&source),
      left_in_source_(length),
      buffer_(new char[kInputBufferSize]) {
  next_ = end_ = buffer_.get();
}

void InputArchive::check_room(std::uint64_t count, std::size_t element_size) const {
  if (count > remaining() / element_size) {
    throw CorruptRecord(fmt::format(
        "encoded container claims {} elements of {} bytes but only {} bytes are left", count,
        element_size, remaining()));
  }
}

void InputArchive::refill() {
  if (left_in_source_ == 0) throw_ends_early(1, 0);
  const std::size_t want =
      static_cast<std::size_t>(std::min<std::uint64_t>(kInputBufferSize, left_in_source_));
  const std::size_t got = source_->read(buffer_.get(), want);
  if (got != want) {
    throw CorruptRecord(fmt::format("the stored bytes end {} bytes early",
                                    left_in_source_ - got));
  }
  left_in_source_ -= got;
  next_ = buffer_.get();
  end_ = next_ + got;
}

void InputArchive::read_beyond_buffer(char* data, std::size_t size) {
  if (size > remaining()) throw_ends_early(size, remaining());
  const std::size_t buffered = static_cast<std::size_t>(end_ - next_);
  if (buffered != 0) std::memcpy(data, next_, buffered);
  data += buffered;
  size -= buffered;
  next_ = end_;
  if (size >= kInputBufferSize) {  // straight into the value: no copy through the buffer
    const std::size_t got = source_->read(data, size);
    if (got != size) {
      throw CorruptRecord(fmt::format("the stored bytes end {} bytes early",
                                      left_in_source_ - got));
    }
    left_in_source_ -= size;
    return;
  }
  refill();
  std::memcpy(data, next_, size);
  next_ += size;
}

}  // namespace jug
