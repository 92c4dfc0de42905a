#pragma once
/// The index file of a sealed segment (docs/store-layout.md, `segments/`):
/// where each of its frames is, so that a reader learns what a segment
/// holds from 56 bytes a frame (a third of a small result's frame) without
/// reading its records. A cache: written by the segment's writer once it
/// sealed it, checked against the segment (its size) and itself (a
/// checksum) by every reader, and ignored when either check fails (the
/// segment is read instead, until a pack copies it). A sealed segment never
/// changes, so an index that matches it stays true.
///
///     "jug-cpp segment index 1\n"   24 bytes
///     segment size                   8, in the host's byte order (as frames)
///     frame count                    8
///     each frame, 56 bytes:
///       0   1  kind (segment::FrameKind: result or removal)
///       1   3  zero
///       4   4  frame size, header included
///       8   8  put id
///      16   8  offset of the frame in the segment
///      24  32  task hash
///     XXH3-64 of all the bytes before it

#include <cstdint>
#include <functional>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "store/segment_frame.hpp"

namespace jug::segment {

/// One frame of a segment, as its index keeps it.
struct IndexedFrame {
  FrameKind kind = FrameKind::result;
  std::uint32_t frame_size = 0;
  std::uint64_t put_id = 0;
  std::uint64_t offset = 0;
  TaskHash hash;
};

/// The index file of the segment `segment_name`: "index." then its name,
/// which no segment's name starts with.
std::string index_file_name(std::string_view segment_name);
/// The segment whose index file is `file_name`, if it is one ("index.seg.").
std::optional<std::string_view> indexed_segment(std::string_view file_name);

/// The index of a sealed segment of `segment_size` bytes holding `frames`
/// (its results and removals, in order).
std::string encode_index(std::uint64_t segment_size, std::span<const IndexedFrame> frames);
/// How many frames an index file of `bytes` bytes lists, at most.
std::uint64_t frames_in_index_of(std::uint64_t bytes);
/// Reads `size` bytes of an index file from `offset` into `into` (fewer
/// where the file ends); throws what reading throws.
using ReadPiece =
    std::function<void(std::uint64_t offset, std::size_t size, std::string& into)>;

/// Calls `visit` with each frame the index file of `file_size` bytes lists,
/// in order, and returns true; or returns false, having called nothing,
/// when the file is not the index of a segment of `segment_size` bytes or
/// fails its checksum. Reads the file through `read` a megabyte at a time,
/// twice (checked whole, then visited): an index of a million frames is
/// 56 MB, never in memory at once (nor as a vector of frames). Should the
/// second reading fail (throw) or differ from the first (false), the frames
/// before were visited already.
bool decode_index(std::uint64_t file_size, const ReadPiece& read, std::uint64_t segment_size,
                  const std::function<void(const IndexedFrame&)>& visit);

}  // namespace jug::segment
