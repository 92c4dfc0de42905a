#pragma once
/// The frames of a segment file (docs/store-layout.md, `segments/`): how
/// small results, and the removals of results, are appended one after
/// another to a file that only one process writes.
///
/// A frame is a 64-byte header and a body:
///
///      0    4  magic "JUGF"
///      4    1  kind: 1 a result, 2 the removal of one, 3 the writer's last
///      5    3  zero
///      8    4  body length, little-endian
///     12    4  zero
///     16    8  put id: names this result (its removal names the result it
///              removes by it; copies keep it): the milliseconds since 1970
///              when it was stored, then 20 random bits, so that of two
///              results stored for one task the later is the larger
///     24   32  task hash
///     56    8  XXH3-64 of bytes 0-55
///
/// A reader trusts a frame only once it is whole and its header's checksum
/// holds: a frame being appended, or cut short by a crash, is not yet (or
/// never) a result. The body of a result is its record (record.hpp), which
/// checks itself when decoded: a damaged record is then reported and
/// computed again exactly as one in a file of its own is, rather than
/// vanishing with its frame.

#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>

#include "jug/task_hash.hpp"

namespace jug::segment {

inline constexpr std::size_t kFrameHeaderSize = 64;
/// What a segment file starts with, before its first frame.
inline constexpr std::string_view kFileHeader = "jug-cpp segment 1\n";

enum class FrameKind : std::uint8_t {
  /// A result: the body is its record.
  result = 1,
  /// Removes the result of `hash` whose put id is `put_id`; no body.
  removal = 2,
  /// The segment's writer closed it: nothing follows. No body.
  sealed = 3,
};

struct FrameHeader {
  FrameKind kind = FrameKind::result;
  std::uint32_t body_size = 0;
  std::uint64_t put_id = 0;
  TaskHash hash;
};

/// A new put id: later ones are larger (by this host's clock).
std::uint64_t new_put_id();

/// Appends the frame of `header` and `body` (body_size is taken from it).
void append_frame(std::string& out, FrameHeader header, std::string_view body);

/// What read_frame() found at the start of some bytes.
enum class FrameState {
  /// A whole frame whose checksum holds.
  whole,
  /// The start of a frame that may be whole once more bytes are there: a
  /// header cut short, or a body running past the bytes given. Only at the
  /// end of what was read.
  incomplete,
  /// Not a frame: wrong magic or kind, or a header checksum that fails.
  damaged,
};

struct FrameRead {
  FrameState state = FrameState::damaged;
  FrameHeader header;
  /// The body, within the bytes given (whole frames only).
  std::string_view body;
  /// Bytes the frame takes, header included (whole frames only).
  std::size_t size = 0;
};

/// Reads the frame at the start of `bytes`.
FrameRead read_frame(std::string_view bytes);

/// Where the first whole frame after `from` starts in `bytes`, searched for
/// by its magic (after damage: a flipped length byte leaves no other way to
/// find the next frame); `bytes.size()` when there is none.
std::size_t next_whole_frame(std::string_view bytes, std::size_t from);

}  // namespace jug::segment
