#include "store/segment_frame.hpp"

#include <algorithm>
#include <chrono>
#include <cstring>

#include "codec/checksum.hpp"
#include "codec/fixed_fields.hpp"
#include "store/posix_files.hpp"

namespace jug::segment {
namespace {

constexpr char kMagic[4] = {'J', 'U', 'G', 'F'};
/// Where the checksum sits; it covers the bytes before it.
constexpr std::size_t kChecksumOffset = 56;

std::uint64_t checksum_of(const char* header) {
  return record::checksum_of(std::string_view(header, kChecksumOffset), 0);
}

bool known_kind(std::uint8_t kind) {
  return kind >= static_cast<std::uint8_t>(FrameKind::result) &&
         kind <= static_cast<std::uint8_t>(FrameKind::sealed);
}

}  // namespace

std::uint64_t new_put_id() {
  const auto milliseconds = std::chrono::duration_cast<std::chrono::milliseconds>(
                                std::chrono::system_clock::now().time_since_epoch())
                                .count();
  constexpr int kRandomBits = 20;
  return (static_cast<std::uint64_t>(milliseconds) << kRandomBits) |
         (posix::random_number() & ((std::uint64_t{1} << kRandomBits) - 1));
}

void append_frame(std::string& out, FrameHeader header, std::string_view body) {
  char bytes[kFrameHeaderSize] = {};
  std::memcpy(bytes, kMagic, sizeof kMagic);
  bytes[4] = static_cast<char>(header.kind);
  put_at(bytes, 8, static_cast<std::uint32_t>(body.size()));
  put_at(bytes, 16, header.put_id);
  std::memcpy(bytes + 24, header.hash.bytes.data(), TaskHash::kSize);
  put_at(bytes, kChecksumOffset, checksum_of(bytes));
  out.append(bytes, sizeof bytes);
  out.append(body);
}

FrameRead read_frame(std::string_view bytes) {
  FrameRead read;
  const std::size_t magic_seen = std::min(bytes.size(), sizeof kMagic);
  if (std::memcmp(bytes.data(), kMagic, magic_seen) != 0) return read;  // damaged
  if (bytes.size() < kFrameHeaderSize) {
    read.state = FrameState::incomplete;
    return read;
  }
  const char* header = bytes.data();
  const auto kind = static_cast<std::uint8_t>(header[4]);
  if (!known_kind(kind)) return read;
  // Checked before the length is believed: a damaged length would make a
  // frame in the middle of a segment look unfinished.
  if (get_at<std::uint64_t>(bytes, kChecksumOffset) != checksum_of(header)) return read;
  const auto body_size = get_at<std::uint32_t>(bytes, 8);
  if (bytes.size() - kFrameHeaderSize < body_size) {
    read.state = FrameState::incomplete;
    return read;
  }
  const std::string_view body = bytes.substr(kFrameHeaderSize, body_size);
  read.state = FrameState::whole;
  read.header.kind = static_cast<FrameKind>(kind);
  read.header.body_size = body_size;
  read.header.put_id = get_at<std::uint64_t>(bytes, 16);
  std::memcpy(read.header.hash.bytes.data(), header + 24, TaskHash::kSize);
  read.body = body;
  read.size = kFrameHeaderSize + body_size;
  return read;
}

std::size_t next_whole_frame(std::string_view bytes, std::size_t from) {
  const std::string_view magic(kMagic, sizeof kMagic);
  for (std::size_t at = bytes.find(magic, from); at != std::string_view::npos;
       at = bytes.find(magic, at + 1)) {
    if (read_frame(bytes.substr(at)).state == FrameState::whole) return at;
  }
  return bytes.size();
}

}  // namespace jug::segment
