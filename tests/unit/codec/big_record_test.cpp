/// Tests of big records (record::make and record::read, src/codec/record.hpp):
/// a result above big_record_size() is written as it is encoded and decoded
/// as it is read. The threshold is lowered here so that a few hundred KB
/// take the paths of several GB: the records made must be ordinary records
/// (record::open reads them), round trips must give the value back, and
/// every damage must still be caught before a value is returned.

#include <gtest/gtest.h>
#include <xxhash.h>

#include <algorithm>
#include <cstdint>
#include <map>
#include <random>
#include <string>
#include <string_view>
#include <type_traits>
#include <vector>

#include "codec/record.hpp"
#include "codec/record_header.hpp"
#include "jug/codec.hpp"
#include "jug/errors.hpp"
#include "jug/task_hash.hpp"
#include "store/record_io.hpp"

namespace {

constexpr std::string_view kType = "test-result-type";
/// What big_record_size() is set to here.
constexpr std::uint64_t kBig = 4096;

const jug::TaskHash& task_hash() {
  static const jug::TaskHash hash = jug::TaskHash::of("big");
  return hash;
}

class BigRecord : public ::testing::Test {
 protected:
  void SetUp() override { jug::record::set_big_record_size(kBig); }
  void TearDown() override { jug::record::set_big_record_size(0); }
};

template <class T>
jug::RecordBytes make_record(const T& value) {
  return jug::record::make(task_hash(), kType,
                           [&value](jug::OutputArchive& ar) { ar(value); });
}

/// Reads a record from its bytes the way a store hands it over.
template <class T>
std::remove_cvref_t<T> read_back(std::string bytes) {
  jug::RecordInMemory source(std::move(bytes));
  std::remove_cvref_t<T> value{};
  jug::record::read(source, task_hash(), kType,
                    [&value](jug::InputArchive& ar) { value = jug::decode_from<std::remove_cvref_t<T>>(ar); });
  return value;
}

/// The bytes of a record as written through a writer that keeps the
/// largest piece it was given.
struct CollectingWriter final : jug::RecordWriter {
  std::string bytes;
  std::size_t largest_piece = 0;
  void append(std::string_view piece) override {
    bytes += piece;
    largest_piece = std::max(largest_piece, piece.size());
  }
  void overwrite_start(std::string_view start) override { bytes.replace(0, start.size(), start); }
};

std::vector<double> random_doubles(std::size_t n, unsigned seed) {
  std::mt19937_64 rng(seed);
  std::uniform_real_distribution<double> d(-1e6, 1e6);
  std::vector<double> v(n);
  for (double& x : v) x = d(rng);
  return v;
}

/// A value whose encoding is not one contiguous array: many small pieces.
std::map<std::string, std::vector<int>> many_pieces(std::size_t n) {
  std::map<std::string, std::vector<int>> m;
  for (std::size_t i = 0; i < n; ++i) {
    m["key " + std::to_string(i)] = std::vector<int>(i % 7, static_cast<int>(i));
  }
  return m;
}

/// Reads `bytes` and returns the CorruptRecord message ("" and a failure
/// when it reads, or throws something else).
std::string read_error(std::string bytes) {
  try {
    (void)read_back<std::vector<double>>(std::move(bytes));
  } catch (const jug::CorruptRecord& e) {
    return e.what();
  } catch (const std::exception& e) {
    ADD_FAILURE() << "threw something other than CorruptRecord: " << e.what();
    return "";
  }
  ADD_FAILURE() << "a damaged record was read";
  return "";
}

bool compressed(std::string_view record) { return (record[6] & 1) != 0; }

TEST_F(BigRecord, SmallValuesAreRecordsInMemory) {
  const std::vector<double> value(10, 1.5);
  const jug::RecordBytes record = make_record(value);
  ASSERT_TRUE(record.whole().has_value());
  std::string scratch;
  EXPECT_EQ(jug::decode<std::vector<double>>(
                jug::record::open(*record.whole(), task_hash(), kType, scratch)),
            value);
}

TEST_F(BigRecord, RoundTripsOfEverySizeAroundTheThreshold) {
  // The payload of a vector is 8 bytes of length, then its elements.
  const std::size_t at_threshold = (kBig - jug::record::kHeaderSize - 8) / sizeof(double);
  for (const std::size_t n : {at_threshold - 1, at_threshold, at_threshold + 1,
                              std::size_t{100'000}, std::size_t{1'000'003}}) {
    SCOPED_TRACE(n);
    const std::vector<double> value = random_doubles(n, static_cast<unsigned>(n));
    const jug::RecordBytes record = make_record(value);
    EXPECT_EQ(record.whole().has_value(), n <= at_threshold);
    const std::string bytes = record.to_string();
    ASSERT_EQ(bytes.size(), record.size());
    EXPECT_FALSE(compressed(bytes)) << "random doubles do not compress";
    EXPECT_EQ(read_back<std::vector<double>>(bytes), value);
    // An ordinary record: read whole, as a jug that streams nothing would.
    std::string scratch;
    EXPECT_EQ(jug::decode<std::vector<double>>(
                  jug::record::open(bytes, task_hash(), kType, scratch)),
              value);
  }
}

TEST_F(BigRecord, ValuesOfManyPiecesAndElementsCutByTheBuffer) {
  // An odd-length string first: the doubles after it sit across the
  // reading buffer's edges and off their alignment.
  const std::pair<std::string, std::vector<double>> odd{std::string(12'345, 'x'),
                                                        random_doubles(200'000, 7)};
  EXPECT_EQ((read_back<std::pair<std::string, std::vector<double>>>(make_record(odd).to_string())),
            odd);
  const auto map = many_pieces(50'000);
  EXPECT_EQ(read_back<decltype(map)>(make_record(map).to_string()), map);
  const std::string text(3'000'001, 'y');
  EXPECT_EQ(read_back<std::string>(make_record(text).to_string()), text);
  const std::vector<std::uint8_t> bytes(777'777, 0x5a);
  EXPECT_EQ(read_back<std::vector<std::uint8_t>>(make_record(bytes).to_string()), bytes);
}

TEST_F(BigRecord, CompressiblePayloadsAreStoredCompressed) {
  const std::vector<double> zeros(2'000'000, 0.0);
  const std::string bytes = make_record(zeros).to_string();
  EXPECT_TRUE(compressed(bytes));
  EXPECT_LT(bytes.size(), zeros.size() * sizeof(double) / 100);
  EXPECT_EQ(read_back<std::vector<double>>(bytes), zeros);
  std::string scratch;
  EXPECT_EQ(jug::decode<std::vector<double>>(jug::record::open(bytes, task_hash(), kType, scratch)),
            zeros);
  const auto map = many_pieces(30'000);  // repetitive: compresses
  const std::string map_bytes = make_record(map).to_string();
  EXPECT_TRUE(compressed(map_bytes));
  EXPECT_EQ(read_back<decltype(map)>(map_bytes), map);
}

TEST_F(BigRecord, IsWrittenThroughABoundedBufferWithArraysPassedStraightOn) {
  const auto map = many_pieces(100'000);
  CollectingWriter writer;
  const jug::RecordBytes record = make_record(map);
  ASSERT_FALSE(record.whole().has_value());
  record.write_to(writer);
  EXPECT_LE(writer.largest_piece, 256u * 1024) << "pieces are gathered in a bounded buffer";
  EXPECT_EQ(read_back<decltype(map)>(writer.bytes), map);

  const std::vector<double> array = random_doubles(500'000, 3);
  CollectingWriter array_writer;
  make_record(array).write_to(array_writer);
  EXPECT_EQ(array_writer.largest_piece, array.size() * sizeof(double))
      << "an array's bytes go to the store as they are, not through a buffer";
}

TEST_F(BigRecord, DamageAnywhereIsCaughtBeforeAValueIsReturned) {
  for (const bool compress : {false, true}) {
    SCOPED_TRACE(compress ? "compressed" : "plain");
    const std::vector<double> value =
        compress ? std::vector<double>(300'000, 2.0) : random_doubles(300'000, 11);
    const std::string good = make_record(value).to_string();
    ASSERT_EQ(compressed(good), compress);
    for (const std::size_t at : {std::size_t{9}, std::size_t{30}, std::size_t{70},
                                 good.size() / 2, good.size() - 1}) {
      SCOPED_TRACE(at);
      std::string bad = good;
      bad[at] = static_cast<char>(bad[at] ^ 0x10);
      EXPECT_NE(read_error(bad), "");
    }
    EXPECT_NE(read_error(good.substr(0, good.size() - 1)).find("truncated"), std::string::npos);
    EXPECT_NE(read_error(good.substr(0, good.size() / 2)).find("truncated"), std::string::npos);
    EXPECT_NE(read_error(good + "x").find("too long"), std::string::npos);
    std::string flipped = good;
    flipped[good.size() / 2] ^= 1;
    EXPECT_NE(read_error(flipped).find("checksum mismatch"), std::string::npos);
  }
}

TEST_F(BigRecord, ACompressedFrameOfAnotherSizeThanItsHeaderIsRefused) {
  std::string bytes = make_record(std::vector<double>(300'000, 2.0)).to_string();
  ASSERT_TRUE(compressed(bytes));
  // Forged: the header claims 8 more decoded bytes than the frame holds,
  // and its checksum holds.
  jug::record::Header h = jug::record::parse_header(bytes, bytes.size());
  h.decoded_length += 8;
  jug::record::write_header(bytes.data(), h);
  h.checksum = XXH3_64bits_withSeed(bytes.data() + jug::record::kHeaderSize,
                                    bytes.size() - jug::record::kHeaderSize,
                                    jug::record::checksum_seed(bytes));
  jug::record::write_header(bytes.data(), h);
  EXPECT_NE(read_error(bytes).find("disagrees with its decoded length"), std::string::npos);
}

TEST_F(BigRecord, AnotherTaskOrTypeIsRefused) {
  const std::string bytes = make_record(random_doubles(100'000, 5)).to_string();
  jug::RecordInMemory source(bytes);
  EXPECT_THROW(jug::record::verify(source, jug::TaskHash::of("other"), kType),
               jug::CorruptRecord);
  EXPECT_THROW(jug::record::verify(source, task_hash(), "another type"),
               jug::ResultTypeMismatch);
  EXPECT_NO_THROW(jug::record::verify(source, task_hash(), kType));
}

TEST_F(BigRecord, AnIntactRecordThatDoesNotDecodeIsToldApartFromDamage) {
  for (const bool compress : {false, true}) {
    SCOPED_TRACE(compress ? "compressed" : "plain");
    const std::vector<double> value =
        compress ? std::vector<double>(300'000, 2.0) : random_doubles(300'000, 13);
    const std::string bytes = make_record(value).to_string();
    // Read as a type with one more field: it runs out of bytes.
    EXPECT_THROW((void)(read_back<std::pair<std::vector<double>, int>>(bytes)),
                 jug::record::UndecodablePayload);
    // Read as a shorter type: bytes are left over.
    EXPECT_THROW((void)read_back<std::vector<float>>(bytes), jug::record::UndecodablePayload);
    std::string damaged = bytes;
    damaged[jug::record::kHeaderSize + 3] ^= 0x40;  // the element count
    EXPECT_THROW((void)read_back<std::vector<double>>(damaged), jug::CorruptRecord);
  }
}

TEST_F(BigRecord, AnEncodingThatChangesBetweenPassesIsAnError) {
  int calls = 0;
  const jug::RecordBytes record =
      jug::record::make(task_hash(), kType, [&calls](jug::OutputArchive& ar) {
        ar(random_doubles(10'000 + 10 * calls++, 1));
      });
  CollectingWriter writer;
  try {
    record.write_to(writer);
    FAIL() << "a payload of another length was written";
  } catch (const jug::Error& e) {
    EXPECT_NE(std::string(e.what()).find("must write the same bytes each time"),
              std::string::npos)
        << e.what();
  }
}

}  // namespace
