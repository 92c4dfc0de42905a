#include "store/segment_index_file.hpp"

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

bool decode_index(std::string_view bytes, std::uint64_t segment_size,
                  const std::function<void(const IndexedFrame&)>& visit) {
  constexpr std::size_t kFixed = kIndexHeader.size() + kCountsSize + kChecksumSize;
  if (bytes.size() < kFixed || !bytes.starts_with(kIndexHeader)) return false;
  const std::size_t checked = bytes.size() - kChecksumSize;
  if (get_at<std::uint64_t>(bytes, checked) != record::checksum_of(bytes.substr(0, checked), 0)) {
    return false;
  }
  const std::size_t first = kIndexHeader.size() + kCountsSize;
  if (get_at<std::uint64_t>(bytes, kIndexHeader.size()) != segment_size) return false;
  const auto count = get_at<std::uint64_t>(bytes, kIndexHeader.size() + 8);
  if ((checked - first) % kEntrySize != 0 || count != (checked - first) / kEntrySize) {
    return false;
  }
  // Every frame checked before any is visited: all or nothing.
  for (std::size_t at = first; at < checked; at += kEntrySize) {
    if (!frame_at(bytes, at, segment_size)) return false;
  }
  for (std::size_t at = first; at < checked; at += kEntrySize) {
    visit(*frame_at(bytes, at, segment_size));
  }
  return true;
}

}  // namespace jug::segment
