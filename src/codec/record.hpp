#pragma once
/// Records: how a result is framed in a store. A record is an 80-byte header
/// followed by the payload (the codec's bytes, possibly zstd-compressed) and,
/// in records written since metadata came in, a metadata trailer:
///
///   offset size  field
///        0    4  magic "JUGR"
///        4    2  format version (1), little-endian
///        6    2  flags: bit 0 = payload compressed with zstd,
///                       bit 1 = a metadata trailer follows the payload
///        8    8  stored payload length
///       16    8  decoded payload length
///       24    8  XXH3-64 of every byte after the header (payload, then
///                trailer), seeded with the XXH3-64 of the other header
///                bytes (0..23 and 32..79): covers it all
///       32   32  the task hash the record belongs to
///       64    8  XXH3-64 of the result's C++ type name (typeid, Itanium ABI):
///                a result read back as another type is refused, not misread
///       72    8  length of the metadata trailer (0 without one)
///
/// The trailer (run_metadata.hpp says what it holds) ends with an XXH3-64 of
/// its other bytes, seeded with the task hash's, so that it can be read and
/// trusted without reading the payload before it (read_metadata). A record
/// without the flag reads as before: its checksum is the same either way.
///
/// A record is checked whole before any value decoded from it is handed on:
/// magic, version, lengths, checksum and hash. See docs/store-layout.md.
///
/// A small record is made and read whole in memory (begin, finish, open). A
/// big one (more than big_record_size() bytes) is written to the store as
/// its value is encoded and decoded as it is read (make, read): the value is
/// the only copy of it in memory.

#include <cstddef>
#include <cstdint>
#include <functional>
#include <optional>
#include <stdexcept>
#include <string>
#include <string_view>

#include "jug/task_hash.hpp"
#include "store/record_io.hpp"

namespace jug {
class InputArchive;
class OutputArchive;
}  // namespace jug

namespace jug::record {

inline constexpr std::size_t kHeaderSize = 80;
inline constexpr std::uint16_t kFormatVersion = 1;

/// Starts a record buffer: reserves the header so that the payload can be
/// encoded straight after it with no copy.
std::string begin();

/// Fills in the header of a buffer made by begin() whose payload has been
/// appended; compresses the payload when that saves space; appends
/// `metadata` as the trailer unless it is empty.
void finish(std::string& buffer, const TaskHash& hash, std::string_view result_type,
            std::string_view metadata = {});

/// Checks a record and returns its decoded payload: a view into `record`, or
/// into `scratch` when the payload had to be decompressed. Throws
/// CorruptRecord saying what is wrong (truncated, bad checksum, wrong task...).
/// Throws ResultTypeMismatch when the record holds another type than
/// `result_type`.
std::string_view open(std::string_view record, const TaskHash& expected,
                      std::string_view result_type, std::string& scratch);

/// open() of a record whose payload is not compressed: a view of its
/// payload within `record`; nullopt, with nothing checked, when it is
/// compressed (read() it then). Throws as open() does.
std::optional<std::string_view> open_uncompressed(std::string_view record,
                                                  const TaskHash& expected,
                                                  std::string_view result_type);

/// Records above this many bytes are written and read in pieces: 1 MiB, or
/// what the environment variable JUG_TEST_BIG_RECORD_BYTES says (for tests,
/// so that a few KB take the paths of several GB).
std::uint64_t big_record_size();
/// Sets big_record_size() (unit tests); 0 puts back the default.
void set_big_record_size(std::uint64_t bytes);

/// Writes a result's payload into an archive (TaskBody::encode of the
/// value). It may be called more than once, and writes the same bytes each
/// time.
using Encoder = std::function<void(OutputArchive&)>;

/// The record of a result whose payload `encode` writes, as the result of
/// task `hash`. A small payload is encoded into memory and compressed when
/// that pays, as finish() does; a big one is encoded once to learn its
/// length (and, if its start compresses well, once more to learn its
/// compressed length), and the record returned encodes it again as it is
/// written, through a buffer of bounded size. `metadata`, unless empty, is
/// its trailer. Throws what `encode` throws.
RecordBytes make(const TaskHash& hash, std::string_view result_type, Encoder encode,
                 std::string_view metadata = {});

/// Reads a payload into a value from an archive (TaskBody::decode); throws
/// CorruptRecord when the bytes do not decode.
using Decoder = std::function<void(InputArchive&)>;

/// Thrown by read() when a record is intact (its checksum holds) but its
/// payload does not decode: the result's type was defined otherwise when it
/// was stored (a field added, say).
class UndecodablePayload : public std::runtime_error {
 public:
  using std::runtime_error::runtime_error;
};

/// Checks the record in `source` and hands its payload to `decode`: whole,
/// as open() does, for a small record; for a big one, as it is read, the
/// checksum computed on the way and checked before read() returns (a
/// compressed one is checked first). Throws as open() does, and
/// UndecodablePayload (see there); StoreError when the store fails.
void read(RecordSource& source, const TaskHash& expected, std::string_view result_type,
          const Decoder& decode);

/// read() without a value: checks the record whole, decompressing it.
void verify(RecordSource& source, const TaskHash& expected, std::string_view result_type);

/// The metadata trailer of the record of task `expected` in `source`, read
/// without its payload (two reads: the header, the trailer); nullopt when
/// the record has none (it was written before metadata came in). Throws
/// CorruptRecord when the header or the trailer is damaged, or the record
/// is another task's; StoreError when the store fails.
std::optional<std::string> read_metadata(RecordSource& source, const TaskHash& expected);

/// The trailer that carries `metadata` in the record of task `hash`.
std::string metadata_trailer(const TaskHash& hash, std::string_view metadata);

}  // namespace jug::record
