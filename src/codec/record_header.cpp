#include "codec/record_header.hpp"

#include <xxhash.h>

#include <cstring>

#include <fmt/format.h>

#include "codec/fixed_fields.hpp"
#include "codec/record.hpp"
#include "jug/errors.hpp"

namespace jug::record {
namespace {

constexpr char kMagic[4] = {'J', 'U', 'G', 'R'};

}  // namespace

std::uint64_t type_fingerprint(std::string_view type_name) {
  return XXH3_64bits(type_name.data(), type_name.size());
}

std::uint64_t checksum_seed(std::string_view header) {
  char covered[kHeaderSize - 8];
  std::memcpy(covered, header.data(), 24);
  std::memcpy(covered + 24, header.data() + 32, kHeaderSize - 32);
  return XXH3_64bits(covered, sizeof covered);
}

void write_header(char* out, const Header& h) {
  std::memcpy(out, kMagic, sizeof kMagic);
  put_at(out, 4, h.version);
  put_at(out, 6, h.flags);
  put_at(out, 8, h.stored_length);
  put_at(out, 16, h.decoded_length);
  put_at(out, 24, h.checksum);
  std::memcpy(out + 32, h.hash.bytes.data(), TaskHash::kSize);
  put_at(out, 64, h.result_type);
  put_at(out, 72, h.metadata_length);
}

std::uint64_t Header::metadata_offset() const { return kHeaderSize + stored_length; }

Header parse_header(std::string_view bytes, std::uint64_t record_size) {
  if (record_size < kHeaderSize || bytes.size() < kHeaderSize) {
    throw CorruptRecord(fmt::format("record is truncated: {} bytes, shorter than its header",
                                    record_size));
  }
  if (std::memcmp(bytes.data(), kMagic, sizeof kMagic) != 0) {
    throw CorruptRecord("not a jug record (bad magic bytes)");
  }
  Header h;
  h.version = get_at<std::uint16_t>(bytes, 4);
  h.flags = get_at<std::uint16_t>(bytes, 6);
  h.stored_length = get_at<std::uint64_t>(bytes, 8);
  h.decoded_length = get_at<std::uint64_t>(bytes, 16);
  h.checksum = get_at<std::uint64_t>(bytes, 24);
  std::memcpy(h.hash.bytes.data(), bytes.data() + 32, TaskHash::kSize);
  h.result_type = get_at<std::uint64_t>(bytes, 64);
  h.metadata_length = get_at<std::uint64_t>(bytes, 72);
  if (h.version != kFormatVersion) {
    throw CorruptRecord(fmt::format(
        "record format version {} is not supported (this jug reads version {}); "
        "it was written by another jug version",
        h.version, kFormatVersion));
  }
  if ((h.flags & ~(kFlagZstd | kFlagMetadata)) != 0) {
    throw CorruptRecord(fmt::format(
        "record has unknown flags {:#x}: it was damaged, or written by a newer jug", h.flags));
  }
  if ((h.flags & kFlagMetadata) == 0 && h.metadata_length != 0) {
    throw CorruptRecord("record's header has a metadata length but no metadata flag");
  }
  const std::uint64_t body = record_size - kHeaderSize;
  // Compared so that no sum can wrap: both lengths come from the file.
  if (h.stored_length > body || h.metadata_length != body - h.stored_length) {
    const bool short_of = h.stored_length > body || h.metadata_length > body - h.stored_length;
    throw CorruptRecord(fmt::format(
        "record is {}: header says {} payload bytes and {} of metadata, file has {}",
        short_of ? "truncated" : "too long", h.stored_length, h.metadata_length, body));
  }
  return h;
}

}  // namespace jug::record
