#include "store/record_io.hpp"

#include <algorithm>
#include <cstring>

namespace jug {

RecordBytes::RecordBytes(std::string&& whole)
    : owned_(std::make_shared<const std::string>(std::move(whole))),
      whole_(*owned_),
      size_(owned_->size()) {}

void RecordBytes::write_to(RecordWriter& writer) const {
  if (whole_) {
    writer.append(*whole_);
  } else {
    produce_(writer);
  }
}

std::string RecordBytes::to_string() const {
  if (whole_) return std::string(*whole_);
  struct Collect final : RecordWriter {
    std::string bytes;
    void append(std::string_view piece) override { bytes += piece; }
    void overwrite_start(std::string_view start) override {
      bytes.replace(0, start.size(), start);
    }
  } collect;
  collect.bytes.reserve(static_cast<std::size_t>(size_));
  produce_(collect);
  return std::move(collect.bytes);
}

std::size_t RecordInMemory::read_at(std::uint64_t offset, std::span<char> buffer) {
  if (offset >= bytes_.size()) return 0;
  return bytes_.copy(buffer.data(), buffer.size(), static_cast<std::size_t>(offset));
}

}  // namespace jug
