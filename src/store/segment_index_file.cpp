#include "store/segment_index_file.hpp"

#include <algorithm>
#include <cstring>

#include "codec/checksum.hpp"
#include "codec/fixed_fields.hpp"

namespace jug::segment {
namespace {

constexpr std::string_view kIndexHeader = "jug-cpp segment index 1\n";
constexpr std::string_view kIndexPrefix = "index.";
constexpr std::size_t kEntrySize = 56;
constexpr std::size_t kCountsSize = 16;
constexpr std::size_t kChecksumSize = 8;

}  // namespace

std::string index_file_name(std::string_view segment_name) {
  std::string name(kIndexPrefix);
  name.append(segment_name);
  return name;
}

std::optional<std::string_view> indexed_segment(std::string_view file_name) {
  if (!file_name.starts_with(kIndexPrefix)) return std::nullopt;
  const std::string_view segment = file_name.substr(kIndexPrefix.size());
  // Segments are named as temporary files are, "seg." first (writer_tag.hpp).
  if (!segment.starts_with("seg.") || segment.size() == 4) return std::nullopt;
  return segment;
}

std::string encode_index(std::uint64_t segment_size, std::span<const IndexedFrame> frames) {
  std::string out;
  out.reserve(kIndexHeader.size() + kCountsSize + frames.size() * kEntrySize + kChecksumSize);
  out.append(kIndexHeader);
  append_field(out, segment_size);
  append_field(out, static_cast<std::uint64_t>(frames.size()));
  for (const IndexedFrame& frame : frames) {
    out.push_back(static_cast<char>(frame.kind));
    out.append(3, '\0');
    append_field(out, frame.frame_size);
    append_field(out, frame.put_id);
    append_field(out, frame.offset);
    out.append(reinterpret_cast<const char*>(frame.hash.bytes.data()), TaskHash::kSize);
  }
  append_field(out, record::checksum_of(out, 0));
  return out;
}

namespace {

/// The frame at `at` of an index file's bytes, if it can be one of a
/// segment of `segment_size` bytes.
std::optional<IndexedFrame> frame_at(std::string_view bytes, std::size_t at,
                                     std::uint64_t segment_size) {
  const auto kind = static_cast<std::uint8_t>(bytes[at]);
  if (kind != static_cast<std::uint8_t>(FrameKind::result) &&
      kind != static_cast<std::uint8_t>(FrameKind::removal)) {
    return std::nullopt;
  }
  IndexedFrame frame;
  frame.kind = static_cast<FrameKind>(kind);
  frame.frame_size = get_at<std::uint32_t>(bytes, at + 4);
  frame.put_id = get_at<std::uint64_t>(bytes, at + 8);
  frame.offset = get_at<std::uint64_t>(bytes, at + 16);
  std::memcpy(frame.hash.bytes.data(), bytes.data() + at + 24, TaskHash::kSize);
  // A frame past the segment's end cannot be one of it.
  if (frame.frame_size < kFrameHeaderSize || frame.offset > segment_size ||
      frame.frame_size > segment_size - frame.offset) {
    return std::nullopt;
  }
  return frame;
}

}  // namespace

std::uint64_t frames_in_index_of(std::uint64_t bytes) {
  constexpr std::size_t kFixed = kIndexHeader.size() + kCountsSize + kChecksumSize;
  return bytes < kFixed ? 0 : (bytes - kFixed) / kEntrySize;
}

bool decode_index(std::uint64_t file_size, const ReadPiece& read, std::uint64_t segment_size,
                  const std::function<void(const IndexedFrame&)>& visit) {
  constexpr std::size_t kFirst = kIndexHeader.size() + kCountsSize;
  if (file_size < kFirst + kChecksumSize) return false;
  const std::uint64_t checked = file_size - kChecksumSize;
  if ((checked - kFirst) % kEntrySize != 0) return false;
  std::string piece;
  read(0, kFirst, piece);
  if (piece.size() != kFirst || !piece.starts_with(kIndexHeader) ||
      get_at<std::uint64_t>(piece, kIndexHeader.size()) != segment_size ||
      get_at<std::uint64_t>(piece, kIndexHeader.size() + 8) != (checked - kFirst) / kEntrySize) {
    return false;
  }
  record::Checksum checksum(0);
  checksum.add(piece);
  // The entries, a piece at a time; false when one is not whole, or `frame`
  // says no to one.
  const auto each_entry = [&](const auto& frame) {
    constexpr std::size_t kPiece = (std::size_t{1} << 20) / kEntrySize * kEntrySize;
    for (std::uint64_t at = kFirst; at < checked; at += kPiece) {
      const auto size = static_cast<std::size_t>(std::min<std::uint64_t>(kPiece, checked - at));
      read(at, size, piece);
      if (piece.size() != size) return false;
      if (!frame(std::string_view(piece))) return false;
    }
    return true;
  };
  // Every frame checked before any is visited: all or nothing.
  const bool whole = each_entry([&](std::string_view entries) {
    checksum.add(entries);
    for (std::size_t at = 0; at < entries.size(); at += kEntrySize) {
      if (!frame_at(entries, at, segment_size)) return false;
    }
    return true;
  });
  if (!whole) return false;
  read(checked, kChecksumSize, piece);
  if (piece.size() != kChecksumSize || get_at<std::uint64_t>(piece, 0) != checksum.value()) {
    return false;
  }
  // Read again from the same file, which never changes (written aside and
  // renamed into place once): the frames just checked.
  return each_entry([&](std::string_view entries) {
    for (std::size_t at = 0; at < entries.size(); at += kEntrySize) {
      const std::optional<IndexedFrame> frame = frame_at(entries, at, segment_size);
      if (!frame) return false;  // not what was checked: changed on the disk meanwhile
      visit(*frame);
    }
    return true;
  });
}

}  // namespace jug::segment
