#pragma once
/// The 80-byte header of a record (record.hpp gives its layout): reading it,
/// checking what can be checked before the payload is read, writing it, and
/// the checksum's seed, which covers every header field but the checksum.

#include <cstdint>
#include <string_view>

#include "jug/task_hash.hpp"

namespace jug::record {

inline constexpr std::uint16_t kFlagZstd = 1;
/// The record ends with a metadata trailer (record.hpp), whose length the
/// header's last field gives.
inline constexpr std::uint16_t kFlagMetadata = 2;

struct Header {
  std::uint16_t version = 0;
  std::uint16_t flags = 0;
  std::uint64_t stored_length = 0;
  std::uint64_t decoded_length = 0;
  std::uint64_t checksum = 0;
  TaskHash hash;
  std::uint64_t result_type = 0;
  /// Bytes of the metadata trailer after the payload; 0 without one (and
  /// then the flag must be clear).
  std::uint64_t metadata_length = 0;

  bool compressed() const { return (flags & kFlagZstd) != 0; }
  /// Where the metadata trailer starts.
  std::uint64_t metadata_offset() const;
};

/// Reads the header at the start of a record of `record_size` bytes and
/// checks its magic, version, flags and lengths (against the size); throws
/// CorruptRecord saying what is wrong.
Header parse_header(std::string_view bytes, std::uint64_t record_size);

/// Writes `h` (with its magic) into `out`, kHeaderSize bytes.
void write_header(char* out, const Header& h);

/// What the payload's XXH3-64 is seeded with: the XXH3-64 of the header's
/// bytes other than the checksum, so that a damaged length, flag or hash is
/// caught like damaged payload.
std::uint64_t checksum_seed(std::string_view header);

/// The fingerprint of a result's type name stored in the header.
std::uint64_t type_fingerprint(std::string_view type_name);

/// What a record that fails its checksum is reported as.
inline constexpr std::string_view kChecksumMismatch =
    "record checksum mismatch: its bytes were changed or damaged";

}  // namespace jug::record
