// A record's metadata trailer: made with its record, and read back alone,
// without the payload before it (a result may be several GB; `jug show`
// and `jug why` want only what is known about the run that made it).

#include <xxhash.h>

#include <cstring>

#include <fmt/format.h>

#include "codec/record.hpp"
#include "codec/record_header.hpp"
#include "jug/errors.hpp"

namespace jug::record {
namespace {

constexpr std::size_t kTrailerChecksumSize = 8;
/// Far more than any trailer jug writes (run_metadata.cpp keeps the
/// arguments under 1 MiB; a name or host is not that long): a larger length
/// is a damaged header, not memory to set aside.
constexpr std::uint64_t kMaxTrailerSize = 16 << 20;

/// The trailer's own checksum: seeded with the task's hash, so that a
/// trailer is never taken for another task's.
std::uint64_t trailer_checksum(const TaskHash& hash, std::string_view metadata) {
  const std::uint64_t seed = XXH3_64bits(hash.bytes.data(), hash.bytes.size());
  return XXH3_64bits_withSeed(metadata.data(), metadata.size(), seed);
}

}  // namespace

std::string metadata_trailer(const TaskHash& hash, std::string_view metadata) {
  std::string trailer(metadata);
  const std::uint64_t sum = trailer_checksum(hash, metadata);
  trailer.append(reinterpret_cast<const char*>(&sum), sizeof sum);
  return trailer;
}

std::optional<std::string> read_metadata(RecordSource& source, const TaskHash& expected) {
  char header[kHeaderSize];
  const std::size_t got = source.read_at(0, std::span<char>(header, kHeaderSize));
  const Header h = parse_header(std::string_view(header, got), source.size());
  if (h.hash != expected) {
    throw CorruptRecord(fmt::format("record belongs to task {}, not {}", h.hash.hex(),
                                    expected.hex()));
  }
  if ((h.flags & kFlagMetadata) == 0) return std::nullopt;
  if (h.metadata_length < kTrailerChecksumSize || h.metadata_length > kMaxTrailerSize) {
    throw CorruptRecord(fmt::format(
        "record's header gives its metadata trailer an impossible length ({} bytes)",
        h.metadata_length));
  }
  std::string trailer(static_cast<std::size_t>(h.metadata_length), '\0');
  if (source.read_at(h.metadata_offset(), trailer) != trailer.size()) {
    throw CorruptRecord("record is truncated: its metadata trailer ends early");
  }
  std::uint64_t stored_sum;
  std::memcpy(&stored_sum, trailer.data() + trailer.size() - kTrailerChecksumSize,
              sizeof stored_sum);
  trailer.resize(trailer.size() - kTrailerChecksumSize);
  if (trailer_checksum(expected, trailer) != stored_sum) {
    throw CorruptRecord("record's metadata trailer fails its checksum: it was damaged");
  }
  return trailer;
}

}  // namespace jug::record
