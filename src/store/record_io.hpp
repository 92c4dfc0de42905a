#pragma once
/// How a record travels between the engine and a store without being whole
/// in memory. A small record is a string, as it always was; a big one (a
/// result of several GB) is written as it is encoded (RecordBytes) and read
/// in pieces into the value being decoded (RecordSource), so that a result
/// costs one copy of itself in memory. Stores see opaque bytes either way.

#include <cstdint>
#include <functional>
#include <memory>
#include <optional>
#include <span>
#include <stdexcept>
#include <string>
#include <string_view>

#include "store/file_system.hpp"

namespace jug {

/// Receives a record's bytes, in order, in pieces of any size.
class RecordWriter {
 public:
  /// The next bytes of the record.
  virtual void append(std::string_view piece) = 0;
  /// Writes `bytes` over the record's first bytes, appended already: its
  /// header, known only once the rest went by (it holds their checksum).
  virtual void overwrite_start(std::string_view bytes) = 0;

 protected:
  ~RecordWriter() = default;
};

/// A record to store: its bytes in memory, or what produces them.
class RecordBytes {
 public:
  /// Produces the record's bytes into a writer; may be called more than once.
  using Producer = std::function<void(RecordWriter&)>;

  /// A record whose bytes are in memory, owned by the caller, who keeps
  /// them for as long as this lives.
  RecordBytes(std::string_view whole) : whole_(whole), size_(whole.size()) {}
  RecordBytes(const std::string& whole) : RecordBytes(std::string_view(whole)) {}
  RecordBytes(const char* whole) : RecordBytes(std::string_view(whole)) {}
  /// A record whose bytes are in memory, owned by it.
  RecordBytes(std::string&& whole);
  /// A record of `size` bytes that `produce` writes.
  RecordBytes(std::uint64_t size, Producer produce)
      : produce_(std::move(produce)), size_(size) {}

  std::uint64_t size() const { return size_; }
  /// All of its bytes, when they are in memory.
  std::optional<std::string_view> whole() const { return whole_; }
  /// Writes all of its bytes into `writer`.
  void write_to(RecordWriter& writer) const;
  /// All of its bytes in one string (a store that cannot take them in
  /// pieces).
  std::string to_string() const;
  /// All of its bytes: its own when they are in memory, else made into
  /// `storage`.
  std::string_view bytes(std::string& storage) const {
    if (whole_) return *whole_;
    storage = to_string();
    return storage;
  }

 private:
  std::shared_ptr<const std::string> owned_;
  std::optional<std::string_view> whole_;
  Producer produce_;
  std::uint64_t size_ = 0;
};

/// A stored record, read in pieces, from any place in it.
class RecordSource {
 public:
  virtual ~RecordSource() = default;
  virtual std::uint64_t size() const = 0;
  /// Reads into `buffer` the bytes from `offset` on: all of `buffer` unless
  /// the record ends first; returns how many. Throws StoreError.
  virtual std::size_t read_at(std::uint64_t offset, std::span<char> buffer) = 0;
  /// All of its bytes mapped read-only into memory, valid for as long as
  /// the mapping lives (the record removed or replaced meanwhile too);
  /// nullptr where the store cannot map them (it is not a local file, or
  /// its file system cannot map). Throws StoreError.
  virtual std::shared_ptr<const FileMapping> map() { return nullptr; }
};

/// Thrown by RecordSource::read_at when the record was replaced or removed
/// while it was read, in a store that cannot go on reading the record it
/// began with (Redis, where a replaced record's parts are deleted): read it
/// again from the start.
class RecordReplaced : public std::runtime_error {
 public:
  using std::runtime_error::runtime_error;
};

/// A record read whole into memory (what Store::get returned).
class RecordInMemory final : public RecordSource {
 public:
  explicit RecordInMemory(std::string bytes) : bytes_(std::move(bytes)) {}
  std::uint64_t size() const override { return bytes_.size(); }
  std::size_t read_at(std::uint64_t offset, std::span<char> buffer) override;

 private:
  std::string bytes_;
};

}  // namespace jug
