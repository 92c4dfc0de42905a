#pragma once
/// The codec's two archives (codec.hpp says what they write): OutputArchive
/// writes a value's bytes into a string or passes them on as they come;
/// InputArchive reads them back from bytes in memory or pulls them from a
/// source in pieces. Streaming is what lets a result of several GB be stored
/// and loaded with one copy of it in memory (docs/codec.md, "Big values").

#include <algorithm>
#include <cstddef>
#include <cstdint>
#include <cstring>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include <cereal/cereal.hpp>

#include "jug/errors.hpp"

namespace jug {

/// Where an OutputArchive passes bytes on to when they are not collected in
/// a string: pieces of any size, in order.
class ByteSink {
 public:
  virtual void write(std::string_view piece) = 0;

 protected:
  ~ByteSink() = default;
};

/// Where an InputArchive pulls bytes from when they are not all in memory.
class ByteSource {
 public:
  /// Reads the next `size` bytes into `buffer`; fewer only where the bytes
  /// end. Throws what its origin throws (StoreError, CorruptRecord).
  virtual std::size_t read(char* buffer, std::size_t size) = 0;

 protected:
  ~ByteSource() = default;
};

/// Writes values into a byte string, or passes their bytes to a sink.
class OutputArchive
    : public cereal::OutputArchive<OutputArchive, cereal::AllowEmptyClassElision> {
 public:
  explicit OutputArchive(std::string& out)
      : cereal::OutputArchive<OutputArchive, cereal::AllowEmptyClassElision>(this),
        out_(&out) {}
  explicit OutputArchive(ByteSink& sink)
      : cereal::OutputArchive<OutputArchive, cereal::AllowEmptyClassElision>(this),
        sink_(&sink) {}

  void write_bytes(const void* data, std::size_t size) {
    if (out_ != nullptr) {
      out_->append(static_cast<const char*>(data), size);
    } else {
      sink_->write(std::string_view(static_cast<const char*>(data), size));
    }
  }

 private:
  std::string* out_ = nullptr;
  ByteSink* sink_ = nullptr;
};

/// Reads values back from bytes; every read is bounds-checked, so a record
/// that is shorter than its contents claim is an error, never a wild read.
class InputArchive
    : public cereal::InputArchive<InputArchive, cereal::AllowEmptyClassElision> {
 public:
  /// Reads from `in`, all of it in memory.
  explicit InputArchive(std::string_view in)
      : cereal::InputArchive<InputArchive, cereal::AllowEmptyClassElision>(this),
        next_(in.data()),
        end_(in.data() + in.size()) {}
  /// Pulls `length` bytes from `source`, through a buffer of its own; reads
  /// too big for the buffer go straight into the value.
  InputArchive(ByteSource& source, std::uint64_t length);

  void read_bytes(void* data, std::size_t size) {
    if (size <= static_cast<std::size_t>(end_ - next_)) {
      if (size != 0) std::memcpy(data, next_, size);
      next_ += size;
      return;
    }
    read_beyond_buffer(static_cast<char*>(data), size);
  }

  /// The bytes not read yet.
  std::uint64_t remaining() const {
    return static_cast<std::uint64_t>(end_ - next_) + left_in_source_;
  }

  /// The next bytes, at most `max` and at least one: a view into the
  /// archive's buffer, valid until the next read. For copying a long run of
  /// bytes into a value piece by piece. Throws CorruptRecord at the end.
  std::string_view next_piece(std::size_t max) {
    if (next_ == end_) refill();
    const std::size_t n = std::min(max, static_cast<std::size_t>(end_ - next_));
    const std::string_view piece(next_, n);
    next_ += n;
    return piece;
  }

  /// Throws CorruptRecord unless `count` elements of `element_size` bytes
  /// each can be left: checked before memory is set aside for them.
  void check_room(std::uint64_t count, std::size_t element_size) const;

 private:
  void read_beyond_buffer(char* data, std::size_t size);
  void refill();

  const char* next_ = nullptr;
  const char* end_ = nullptr;
  ByteSource* source_ = nullptr;
  std::uint64_t left_in_source_ = 0;
  std::unique_ptr<char[]> buffer_;
};

namespace detail {

/// Asks the kernel to back the whole 2 MiB pages inside [memory, memory +
/// bytes) with transparent huge pages, before they are first touched: a
/// big result decoded into fresh memory then costs a few hundred page
/// faults, not hundreds of thousands (on a virtual machine, faults cost
/// more than the copy). Only a hint: nothing changes where it is refused.
void advise_huge_pages(void* memory, std::size_t bytes) noexcept;

/// Appends `count` elements of an arithmetic type read from `ar` to `out`,
/// with no zero-filling first (std::vector::resize would write every byte
/// twice, and a several-GB result is mostly that).
template <class T, class A>
void append_elements(InputArchive& ar, std::vector<T, A>& out, std::uint64_t count) {
  ar.check_room(count, sizeof(T));
  out.reserve(out.size() + static_cast<std::size_t>(count));
  advise_huge_pages(out.data() + out.size(), static_cast<std::size_t>(count) * sizeof(T));
  while (count > 0) {
    const std::string_view piece = ar.next_piece(static_cast<std::size_t>(
        std::min<std::uint64_t>(count * sizeof(T), std::uint64_t{1} << 30)));
    std::size_t whole = piece.size() / sizeof(T);
    const std::size_t split = piece.size() % sizeof(T);
    const bool aligned = reinterpret_cast<std::uintptr_t>(piece.data()) % alignof(T) == 0;
    if (aligned && whole > 0) {
      const T* first = reinterpret_cast<const T*>(piece.data());
      out.insert(out.end(), first, first + whole);
    } else if (whole > 0) {
      const std::size_t at = out.size();
      out.resize(at + whole);
      std::memcpy(out.data() + at, piece.data(), whole * sizeof(T));
    }
    if (split != 0) {  // an element cut by the buffer's end
      T last;
      std::memcpy(&last, piece.data() + whole * sizeof(T), split);
      ar.read_bytes(reinterpret_cast<char*>(&last) + split, sizeof(T) - split);
      out.push_back(last);
      ++whole;
    }
    count -= whole;
  }
}

}  // namespace detail

}  // namespace jug
