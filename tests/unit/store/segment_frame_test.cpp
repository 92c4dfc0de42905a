// The frames of segment files (segment_frame.hpp): what a reader takes for a
// result, and what it must not.

#include "store/segment_frame.hpp"

#include <gtest/gtest.h>

#include "unit/store/store_test_support.hpp"

namespace jug::segment {
namespace {

using store_test::task;

FrameHeader result_header(int i, std::uint64_t put_id) {
  FrameHeader header;
  header.kind = FrameKind::result;
  header.put_id = put_id;
  header.hash = task(i);
  return header;
}

TEST(SegmentFrame, ReadsBackWhatWasAppended) {
  std::string bytes;
  append_frame(bytes, result_header(1, 42), "the record");
  const FrameRead read = read_frame(bytes);
  ASSERT_EQ(read.state, FrameState::whole);
  EXPECT_EQ(read.header.kind, FrameKind::result);
  EXPECT_EQ(read.header.put_id, 42u);
  EXPECT_EQ(read.header.hash, task(1));
  EXPECT_EQ(read.header.body_size, 10u);
  EXPECT_EQ(read.body, "the record");
  EXPECT_EQ(read.size, bytes.size());
  EXPECT_EQ(bytes.size(), kFrameHeaderSize + 10);
}

TEST(SegmentFrame, AFrameCutShortAnywhereIsIncompleteNeverAResult) {
  std::string bytes;
  append_frame(bytes, result_header(1, 7), "a record of some length");
  for (std::size_t cut = 1; cut < bytes.size(); ++cut) {
    EXPECT_EQ(read_frame(std::string_view(bytes).substr(0, cut)).state, FrameState::incomplete)
        << "cut at " << cut;
  }
}

TEST(SegmentFrame, EveryFlippedHeaderByteIsDamage) {
  std::string bytes;
  append_frame(bytes, result_header(2, 9), "payload bytes");
  for (std::size_t at = 0; at < kFrameHeaderSize; ++at) {
    std::string flipped = bytes;
    flipped[at] = static_cast<char>(flipped[at] ^ 0x10);
    EXPECT_EQ(read_frame(flipped).state, FrameState::damaged) << "byte " << at;
  }
}

TEST(SegmentFrame, AFlippedBodyByteIsLeftToTheRecordsOwnChecksum) {
  std::string bytes;
  append_frame(bytes, result_header(2, 9), "payload bytes");
  bytes[kFrameHeaderSize + 3] = 'X';
  const FrameRead read = read_frame(bytes);
  ASSERT_EQ(read.state, FrameState::whole);
  EXPECT_EQ(read.body, "payXoad bytes");
}

TEST(SegmentFrame, TheNextWholeFrameIsFoundPastDamage) {
  std::string bytes;
  append_frame(bytes, result_header(1, 1), "first");
  const std::size_t second = bytes.size();
  append_frame(bytes, result_header(2, 2), "second");
  bytes[8] = static_cast<char>(0x7f);  // the first frame's length
  EXPECT_NE(read_frame(bytes).state, FrameState::whole);
  EXPECT_EQ(next_whole_frame(bytes, 1), second);
  EXPECT_EQ(next_whole_frame(bytes, second + 1), bytes.size());
}

TEST(SegmentFrame, ZerosAreNoFrame) {
  const std::string zeros(200, '\0');
  EXPECT_EQ(read_frame(zeros).state, FrameState::damaged);
  EXPECT_EQ(next_whole_frame(zeros, 0), zeros.size());
}

}  // namespace
}  // namespace jug::segment
