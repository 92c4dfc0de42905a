#pragma once
/// Records: how a result is framed in a store. A record is an 80-byte header
/// followed by the payload (the codec's bytes, possibly zstd-compressed):
///
///   offset size  field
///        0    4  magic "JUGR"
///        4    2  format version (1), little-endian
///        6    2  flags: bit 0 = payload compressed with zstd
///        8    8  stored payload length
///       16    8  decoded payload length
///       24    8  XXH3-64 of the stored payload, seeded with the XXH3-64 of
///                the other header bytes (0..23 and 32..79): covers it all
///       32   32  the task hash the record belongs to
///       64    8  XXH3-64 of the result's C++ type name (typeid, Itanium ABI):
///                a result read back as another type is refused, not misread
///       72    8  reserved, zero
///
/// A record is checked whole before any of it is decoded: magic, version,
/// lengths, checksum and hash. See docs/store-layout.md.

#include <cstddef>
#include <string>
#include <string_view>

#include "jug/task_hash.hpp"

namespace jug::record {

inline constexpr std::size_t kHeaderSize = 80;
inline constexpr std::uint16_t kFormatVersion = 1;

/// Starts a record buffer: reserves the header so that the payload can be
/// encoded straight after it with no copy.
std::string begin();

/// Fills in the header of a buffer made by begin() whose payload has been
/// appended; compresses the payload when that saves space.
void finish(std::string& buffer, const TaskHash& hash, std::string_view result_type);

/// Checks a record and returns its decoded payload: a view into `record`, or
/// into `scratch` when the payload had to be decompressed. Throws
/// CorruptRecord saying what is wrong (truncated, bad checksum, wrong task...).
/// Throws ResultTypeMismatch when the record holds another type than
/// `result_type`.
std::string_view open(std::string_view record, const TaskHash& expected,
                      std::string_view result_type, std::string& scratch);

}  // namespace jug::record
