/// Tests of result records (src/codec/record.hpp): the 80-byte header, zstd
/// compression when it pays, and that every damage to a record (a changed
/// byte, a truncation, the wrong task, another format version) is reported
/// as jug::CorruptRecord rather than returned as a wrong value.

#include "codec/record.hpp"

#include <gtest/gtest.h>
#include <xxhash.h>

#include <typeinfo>

#include <cstdint>
#include <cstring>
#include <optional>
#include <random>
#include <string>
#include <string_view>
#include <vector>

#include "jug/codec.hpp"
#include "jug/errors.hpp"
#include "jug/task_hash.hpp"

namespace {

/// The result type every record here is written and read as.
constexpr std::string_view kType = "test-result-type";

jug::TaskHash hash_of(std::string_view name) { return jug::TaskHash::of(name); }

/// A finished record holding `payload`.
std::string make_record(std::string_view payload, const jug::TaskHash& hash) {
  std::string buffer = jug::record::begin();
  buffer.append(payload);
  jug::record::finish(buffer, hash, kType);
  return buffer;
}

std::string open_copy(std::string_view record, const jug::TaskHash& hash) {
  std::string scratch;
  return std::string(jug::record::open(record, hash, kType, scratch));
}

std::string random_bytes(std::size_t n, unsigned seed) {
  std::mt19937_64 rng(seed);
  std::string out(n, '\0');
  for (char& c : out) c = static_cast<char>(rng());
  return out;
}

std::string compressible_bytes(std::size_t n) {
  std::string out;
  out.reserve(n);
  for (std::size_t i = 0; out.size() < n; ++i) out += "line " + std::to_string(i % 100) + " of a log\n";
  out.resize(n);
  return out;
}

std::uint16_t u16_at(std::string_view s, std::size_t offset) {
  std::uint16_t v;
  std::memcpy(&v, s.data() + offset, sizeof v);
  return v;
}
std::uint64_t u64_at(std::string_view s, std::size_t offset) {
  std::uint64_t v;
  std::memcpy(&v, s.data() + offset, sizeof v);
  return v;
}

/// The message of the CorruptRecord that opening `record` throws ("" and a
/// test failure when it opens, or throws something else).
std::string open_error(std::string_view record, const jug::TaskHash& hash) {
  std::string scratch;
  try {
    (void)jug::record::open(record, hash, kType, scratch);
  } catch (const jug::CorruptRecord& e) {
    return e.what();
  } catch (const std::exception& e) {
    ADD_FAILURE() << "threw something other than CorruptRecord: " << e.what();
    return "";
  }
  ADD_FAILURE() << "a damaged record was accepted";
  return "";
}

TEST(Record, BeginReservesTheHeader) {
  EXPECT_EQ(jug::record::kHeaderSize, 80u);
  EXPECT_EQ(jug::record::begin().size(), jug::record::kHeaderSize);
}

TEST(Record, HeaderLayoutOfASmallRecord) {
  const jug::TaskHash h = hash_of("task");
  const std::string record = make_record("payload", h);
  ASSERT_EQ(record.size(), 80u + 7);
  EXPECT_EQ(record.substr(0, 4), "JUGR");
  EXPECT_EQ(u16_at(record, 4), jug::record::kFormatVersion);
  EXPECT_EQ(u16_at(record, 4), 1);
  EXPECT_EQ(u16_at(record, 6), 0) << "a 7-byte payload is not compressed";
  EXPECT_EQ(u64_at(record, 8), 7u);
  EXPECT_EQ(u64_at(record, 16), 7u);
  EXPECT_EQ(std::memcmp(record.data() + 32, h.bytes.data(), 32), 0);
  EXPECT_EQ(record.substr(80), "payload");
}

TEST(Record, EmptyPayloadRoundTrips) {
  const jug::TaskHash h = hash_of("empty");
  const std::string record = make_record("", h);
  EXPECT_EQ(record.size(), 80u);
  EXPECT_EQ(open_copy(record, h), "");
}

TEST(Record, SmallPayloadRoundTripsAsAViewIntoTheRecord) {
  const jug::TaskHash h = hash_of("small");
  const std::string payload = std::string("a\0b", 3) + "xyz";
  const std::string record = make_record(payload, h);
  std::string scratch;
  const std::string_view opened = jug::record::open(record, h, kType, scratch);
  EXPECT_EQ(opened, payload);
  EXPECT_EQ(opened.data(), record.data() + 80) << "an uncompressed payload is not copied";
}

TEST(Record, PayloadsOfManySizesRoundTrip) {
  const jug::TaskHash h = hash_of("sizes");
  for (std::size_t n : {1u, 63u, 64u, 65u, 511u, 512u, 513u, 4096u, 65535u, 65536u, 131073u,
                        200000u}) {
    const std::string random = random_bytes(n, static_cast<unsigned>(n));
    EXPECT_EQ(open_copy(make_record(random, h), h), random) << n;
    const std::string text = compressible_bytes(n);
    EXPECT_EQ(open_copy(make_record(text, h), h), text) << n;
  }
}

TEST(Record, CodecPayloadRoundTrips) {
  const jug::TaskHash h = hash_of("codec");
  const std::vector<std::string> value(1000, "repeated string value");
  std::string buffer = jug::record::begin();
  jug::encode_into(buffer, value);
  jug::record::finish(buffer, h, kType);
  std::string scratch;
  EXPECT_EQ(jug::decode<std::vector<std::string>>(jug::record::open(buffer, h, kType, scratch)), value);
}

TEST(Record, LargeCompressiblePayloadIsStoredCompressed) {
  const jug::TaskHash h = hash_of("large");
  const std::string payload = compressible_bytes(4 << 20);
  const std::string record = make_record(payload, h);
  EXPECT_LT(record.size(), payload.size() / 4);
  EXPECT_EQ(u16_at(record, 6) & 1, 1) << "compressed flag";
  EXPECT_EQ(u64_at(record, 8), record.size() - 80);
  EXPECT_EQ(u64_at(record, 16), payload.size());
  std::string scratch;
  const std::string_view opened = jug::record::open(record, h, kType, scratch);
  EXPECT_EQ(opened, payload);
}

TEST(Record, IncompressiblePayloadIsStoredAsIs) {
  const jug::TaskHash h = hash_of("random");
  const std::string payload = random_bytes(1 << 20, 99);
  const std::string record = make_record(payload, h);
  EXPECT_EQ(record.size(), 80 + payload.size());
  EXPECT_EQ(u16_at(record, 6), 0) << "not compressed";
  EXPECT_EQ(record.substr(80), payload);
  EXPECT_EQ(open_copy(record, h), payload);
}

TEST(Record, SmallCompressiblePayloadIsNotWorthCompressing) {
  const jug::TaskHash h = hash_of("tiny");
  const std::string payload(100, 'a');
  const std::string record = make_record(payload, h);
  EXPECT_EQ(record.size(), 80 + payload.size());
  EXPECT_EQ(open_copy(record, h), payload);
}

TEST(Record, FinishingTheSameContentTwiceGivesTheSameBytes) {
  const jug::TaskHash h = hash_of("same");
  const std::string payload = compressible_bytes(100000);
  EXPECT_EQ(make_record(payload, h), make_record(payload, h));
}

TEST(Record, WrongExpectedHashIsRejected) {
  const jug::TaskHash h = hash_of("right");
  const jug::TaskHash other = hash_of("wrong");
  for (const std::string& payload : {std::string("small"), compressible_bytes(100000)}) {
    const std::string record = make_record(payload, h);
    const std::string message = open_error(record, other);
    EXPECT_NE(message.find(h.hex()), std::string::npos) << message;
    EXPECT_NE(message.find(other.hex()), std::string::npos) << message;
  }
}

TEST(Record, OtherFormatVersionIsRejectedNamingTheVersion) {
  const jug::TaskHash h = hash_of("version");
  for (std::uint16_t version : {0, 2, 7, 0xffff}) {
    std::string record = make_record("payload", h);
    std::memcpy(record.data() + 4, &version, sizeof version);
    const std::string message = open_error(record, h);
    EXPECT_NE(message.find("version"), std::string::npos) << message;
    EXPECT_NE(message.find(std::to_string(version)), std::string::npos) << message;
  }
}

TEST(Record, BadMagicIsRejected) {
  const jug::TaskHash h = hash_of("magic");
  std::string record = make_record("payload", h);
  record[0] = 'X';
  EXPECT_NE(open_error(record, h), "");
  EXPECT_NE(open_error(std::string(100, '\0'), h), "");
}

TEST(Record, EverySingleByteChangeOfASmallRecordIsDetected) {
  const jug::TaskHash h = hash_of("flip");
  const std::string record = make_record("a small payload of a few bytes", h);
  ASSERT_EQ(u16_at(record, 6), 0);
  for (std::size_t i = 0; i < record.size(); ++i) {
    for (unsigned char mask : {0xff, 0x01, 0x80}) {
      std::string damaged = record;
      damaged[i] = static_cast<char>(damaged[i] ^ mask);
      SCOPED_TRACE("byte " + std::to_string(i) + " xor " + std::to_string(mask));
      (void)open_error(damaged, h);
    }
  }
}

TEST(Record, EveryByteChangeOfACompressedRecordIsDetected) {
  const jug::TaskHash h = hash_of("flip-compressed");
  const std::string payload = compressible_bytes(20000);
  const std::string record = make_record(payload, h);
  ASSERT_EQ(u16_at(record, 6), 1);
  ASSERT_LT(record.size(), 2000u);
  for (std::size_t i = 0; i < record.size(); ++i) {
    std::string damaged = record;
    damaged[i] = static_cast<char>(damaged[i] ^ 0xff);
    SCOPED_TRACE("byte " + std::to_string(i));
    (void)open_error(damaged, h);
  }
}

// The checksum covers the header too: a damaged decoded length (which the
// file's size does not give away) is reported as damage, telling the user
// that the bytes changed, rather than as a disagreement between fields that
// reads like a bug of the writer.
TEST(Record, ADamagedDecodedLengthIsReportedAsAChecksumMismatch) {
  const jug::TaskHash h = hash_of("damaged-length");
  for (const std::string& payload : {std::string("a small payload"), compressible_bytes(20000)}) {
    const std::string record = make_record(payload, h);
    for (std::size_t i = 16; i < 24; ++i) {
      std::string damaged = record;
      damaged[i] = static_cast<char>(damaged[i] ^ 0x01);
      SCOPED_TRACE("flags " + std::to_string(u16_at(record, 6)) + ", byte " + std::to_string(i));
      const std::string message = open_error(damaged, h);
      EXPECT_NE(message.find("checksum mismatch"), std::string::npos) << message;
    }
  }
}

TEST(Record, DecodedLengthOfACompressedRecordIsChecked) {
  const jug::TaskHash h = hash_of("decoded-length");
  const std::string payload = compressible_bytes(20000);
  const std::string record = make_record(payload, h);
  ASSERT_EQ(u16_at(record, 6), 1);
  for (std::uint64_t length : {std::uint64_t{0}, std::uint64_t{19999}, std::uint64_t{20001},
                               std::uint64_t{1} << 20}) {
    std::string damaged = record;
    std::memcpy(damaged.data() + 16, &length, sizeof length);
    SCOPED_TRACE("decoded length " + std::to_string(length));
    (void)open_error(damaged, h);
  }
}

// A damaged decoded length of a compressed record, caught by the checksum
// (which covers it) before anything is allocated.
TEST(Record, HugeDecodedLengthIsRejectedWithoutAllocating) {
  const jug::TaskHash h = hash_of("huge-length");
  const std::string record = make_record(compressible_bytes(20000), h);
  ASSERT_EQ(u16_at(record, 6), 1);
  std::string damaged = record;
  const std::uint64_t length = std::uint64_t{1} << 63;
  std::memcpy(damaged.data() + 16, &length, sizeof length);
  (void)open_error(damaged, h);
}

// The checks behind the checksum: a record whose checksum is right (written
// so by another program, or a bug of ours) but whose fields disagree. Each
// must be refused by its own check, not allocate what a field says, and not
// hand out a wrong value.

/// Computes `record`'s checksum again, as docs/codec.md defines it: XXH3 of
/// the stored payload, seeded with XXH3 of the header without its checksum.
void reseal(std::string& record) {
  constexpr std::size_t kHeader = jug::record::kHeaderSize;
  std::string covered = record.substr(0, 24) + record.substr(32, kHeader - 32);
  const std::uint64_t seed = XXH3_64bits(covered.data(), covered.size());
  const std::uint64_t sum =
      XXH3_64bits_withSeed(record.data() + kHeader, record.size() - kHeader, seed);
  std::memcpy(record.data() + 24, &sum, sizeof sum);
}

template <class T>
std::string with_field(std::string record, std::size_t offset, T value) {
  std::memcpy(record.data() + offset, &value, sizeof value);
  reseal(record);
  return record;
}

TEST(Record, ResealingAnUnchangedRecordKeepsItsChecksum) {
  const std::string record = make_record(compressible_bytes(20000), hash_of("reseal"));
  std::string again = record;
  reseal(again);
  EXPECT_EQ(again, record) << "reseal() computes another checksum than the format's";
}

TEST(Record, ADecodedLengthTheFrameDisagreesWithIsRefusedBeforeAllocating) {
  const jug::TaskHash h = hash_of("sealed-length");
  const std::string record = make_record(compressible_bytes(20000), h);
  ASSERT_EQ(u16_at(record, 6), 1);
  for (const std::uint64_t length : {std::uint64_t{0}, std::uint64_t{19999}, std::uint64_t{20001},
                                     std::uint64_t{1} << 40, std::uint64_t{1} << 63}) {
    SCOPED_TRACE("decoded length " + std::to_string(length));
    const std::string message = open_error(with_field(record, 16, length), h);
    EXPECT_NE(message.find("disagrees with its decoded length"), std::string::npos) << message;
  }
}

TEST(Record, LengthsOfAnUncompressedRecordMustAgree) {
  const jug::TaskHash h = hash_of("sealed-plain");
  const std::string record = make_record("a small payload", h);
  ASSERT_EQ(u16_at(record, 6), 0);
  const std::string message = open_error(with_field(record, 16, std::uint64_t{1} << 40), h);
  EXPECT_NE(message.find("lengths disagree"), std::string::npos) << message;
}

TEST(Record, UnknownFlagsAreRefusedEvenWhenSealed) {
  const jug::TaskHash h = hash_of("sealed-flags");
  const std::string record = make_record("a small payload", h);
  const std::string message = open_error(with_field(record, 6, std::uint16_t{4}), h);
  EXPECT_NE(message.find("unknown flags"), std::string::npos) << message;
}

TEST(Record, AnUncompressedPayloadMarkedCompressedIsRefused) {
  const jug::TaskHash h = hash_of("sealed-not-zstd");
  const std::string record = make_record(random_bytes(2000, 7), h);
  ASSERT_EQ(u16_at(record, 6), 0);
  const std::string message = open_error(with_field(record, 6, std::uint16_t{1}), h);
  EXPECT_NE(message.find("compressed payload"), std::string::npos) << message;
}

TEST(Record, ACompressedPayloadThatDoesNotDecompressIsRefused) {
  const jug::TaskHash h = hash_of("sealed-bad-frame");
  std::string record = make_record(compressible_bytes(20000), h);
  ASSERT_EQ(u16_at(record, 6), 1);
  // The frame's header (its size) intact, its blocks damaged.
  for (std::size_t i = jug::record::kHeaderSize + 20; i < record.size(); i += 7) record[i] ^= 0x5a;
  reseal(record);
  const std::string message = open_error(record, h);
  EXPECT_NE(message.find("does not decompress"), std::string::npos) << message;
}

/// A sealed record of task `h` whose payload is `frame`, marked compressed,
/// its header giving `decoded_length`.
std::string record_of_frame(const std::string& frame, std::uint64_t decoded_length,
                            const jug::TaskHash& h) {
  std::string record = make_record(compressible_bytes(20000), h);
  EXPECT_EQ(u16_at(record, 6), 1);
  record.resize(jug::record::kHeaderSize);
  record += frame;
  const std::uint64_t stored_length = frame.size();
  std::memcpy(record.data() + 8, &stored_length, sizeof stored_length);
  std::memcpy(record.data() + 16, &decoded_length, sizeof decoded_length);
  reseal(record);
  return record;
}

/// A zstd frame made by hand, of one raw block holding "x", declaring
/// `content_size` as what it decodes to (nothing when nullopt).
std::string zstd_frame_declaring(std::optional<std::uint64_t> content_size) {
  std::string frame = "\x28\xb5\x2f\xfd";
  if (content_size) {
    frame += '\xe0';  // a single segment, with an 8-byte content size
    frame.append(reinterpret_cast<const char*>(&*content_size), sizeof *content_size);
  } else {
    frame.append(2, '\0');  // no content size, the smallest window
  }
  frame.append("\x09\x00\x00x", 4);  // the last block, raw, of 1 byte
  return frame;
}

/// Records above `bytes` are read streamed while it lives.
class StreamedAbove {
 public:
  explicit StreamedAbove(std::uint64_t bytes) { jug::record::set_big_record_size(bytes); }
  ~StreamedAbove() { jug::record::set_big_record_size(0); }
};

// A frame may declare any size, or none. A sealed header that agrees with it
// is refused all the same when no frame as long as the payload could decode
// to that many bytes (zstd makes at most 32768 of each byte it stores), or
// when the frame does not say: before anything that large is set aside,
// read whole or streamed.
TEST(Record, ADecodedLengthNoFrameOfItsSizeCouldHoldIsRefusedBeforeAllocating) {
  const jug::TaskHash h = hash_of("sealed-impossible-length");
  std::vector<std::string> records;
  for (const std::uint64_t length : {std::uint64_t{1} << 30, std::uint64_t{1} << 60}) {
    records.push_back(record_of_frame(zstd_frame_declaring(length), length, h));
  }
  // All ones: what ZSTD_getFrameContentSize returns for a frame without a size.
  records.push_back(record_of_frame(zstd_frame_declaring(std::nullopt), ~std::uint64_t{0}, h));
  for (const std::string& record : records) {
    SCOPED_TRACE("decoded length " + std::to_string(u64_at(record, 16)));
    const std::string message = open_error(record, h);
    EXPECT_NE(message.find("disagrees with its decoded length"), std::string::npos) << message;
    const StreamedAbove streamed(jug::record::kHeaderSize);
    jug::RecordInMemory source(record);
    try {
      jug::record::verify(source, h, kType);
      ADD_FAILURE() << "verified";
    } catch (const jug::CorruptRecord& e) {
      EXPECT_NE(std::string(e.what()).find("disagrees with its decoded length"),
                std::string::npos)
          << e.what();
    }
  }
}

TEST(Record, EveryTruncationIsDetected) {
  const jug::TaskHash h = hash_of("truncate");
  for (const std::string& payload : {std::string("a small payload"), compressible_bytes(50000)}) {
    const std::string record = make_record(payload, h);
    for (std::size_t n = 0; n < record.size(); ++n) {
      SCOPED_TRACE("truncated to " + std::to_string(n) + " of " + std::to_string(record.size()));
      (void)open_error(std::string_view(record).substr(0, n), h);
    }
  }
}

TEST(Record, TruncationMessageSaysTruncated) {
  const jug::TaskHash h = hash_of("truncate-message");
  const std::string record = make_record("0123456789", h);
  EXPECT_NE(open_error(std::string_view(record).substr(0, 10), h).find("truncated"),
            std::string::npos);
  EXPECT_NE(open_error(std::string_view(record).substr(0, record.size() - 1), h).find("truncated"),
            std::string::npos);
}

TEST(Record, ExtraBytesAfterTheRecordAreDetected) {
  const jug::TaskHash h = hash_of("extra");
  EXPECT_NE(open_error(make_record("payload", h) + "x", h), "");
  EXPECT_NE(open_error(make_record(compressible_bytes(50000), h) + '\0', h), "");
}

TEST(Record, PayloadSwappedBetweenRecordsIsDetected) {
  // Two records of the same length: the header of one with the payload of the other.
  const jug::TaskHash h = hash_of("swap");
  const std::string a = make_record("AAAAAAAA", h);
  const std::string b = make_record("BBBBBBBB", h);
  EXPECT_NE(open_error(a.substr(0, 80) + b.substr(80), h), "");
}

TEST(Record, AResultReadAsAnotherTypeIsRefused) {
  const jug::TaskHash h = hash_of("typed");
  std::string buffer = jug::record::begin();
  buffer += jug::encode(36);
  jug::record::finish(buffer, h, typeid(int).name());
  std::string scratch;
  EXPECT_EQ(jug::decode<int>(jug::record::open(buffer, h, typeid(int).name(), scratch)), 36);
  // Same size, another type: without the check 36 would be read as a float.
  EXPECT_THROW((void)jug::record::open(buffer, h, typeid(float).name(), scratch),
               jug::ResultTypeMismatch);
}

}  // namespace
