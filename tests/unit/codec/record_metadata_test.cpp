/// Tests of the metadata trailer of records (src/codec/record.hpp) and of
/// what it holds (src/codec/run_metadata.hpp): a record with a trailer reads
/// back as the same value, small or big; the trailer reads back alone;
/// every damage to it is caught, by the record's checksum when the value is
/// read and by its own when the trailer alone is; records written before
/// trailers came in read as they did.

#include <gtest/gtest.h>
#include <xxhash.h>

#include <cstdint>
#include <cstring>
#include <random>
#include <string>
#include <string_view>
#include <vector>

#include "codec/record.hpp"
#include "codec/record_header.hpp"
#include "codec/run_metadata.hpp"
#include "jug/codec.hpp"
#include "jug/errors.hpp"
#include "jug/task_hash.hpp"
#include "store/record_io.hpp"

namespace {

constexpr std::string_view kType = "test-result-type";

jug::TaskHash hash_of(std::string_view name) { return jug::TaskHash::of(name); }

jug::RunMetadata sample_metadata() {
  jug::RunMetadata m;
  m.task_name = "fit";
  m.started_ns = 1'700'000'000'000'000'000;
  m.finished_ns = 1'700'000'001'500'000'000;
  m.host = "node17";
  m.pid = 4242;
  m.batch_job = "SLURM job 99";
  m.jug_version = "0.1.0";
  m.peak_rss_bytes = 123'456'789;
  m.code_version = 3;
  m.argument_identities = {"V\x08\0\0\0\0\0\0\0\x02\0\0\0\0\0\0\0", "T" + std::string(32, 'h')};
  return m;
}

std::string small_record(std::string_view payload, const jug::TaskHash& hash,
                         std::string_view metadata) {
  std::string buffer = jug::record::begin();
  buffer.append(payload);
  jug::record::finish(buffer, hash, kType, metadata);
  return buffer;
}

std::optional<std::string> metadata_of(std::string record, const jug::TaskHash& hash) {
  jug::RecordInMemory source(std::move(record));
  return jug::record::read_metadata(source, hash);
}

std::vector<double> ramp(std::size_t n) {
  std::vector<double> v(n);
  for (std::size_t i = 0; i < n; ++i) v[i] = static_cast<double>(i) * 0.5 + 1.0 / (i + 1);
  return v;
}

/// The bytes of a big record as written, piece by piece.
struct CollectingWriter final : jug::RecordWriter {
  std::string bytes;
  void append(std::string_view piece) override { bytes += piece; }
  void overwrite_start(std::string_view start) override { bytes.replace(0, start.size(), start); }
};

std::vector<double> read_doubles(std::string record, const jug::TaskHash& hash) {
  jug::RecordInMemory source(std::move(record));
  std::vector<double> value;
  jug::record::read(source, hash, kType, [&value](jug::InputArchive& ar) {
    value = jug::decode_from<std::vector<double>>(ar);
  });
  return value;
}

TEST(RecordMetadata, ASmallRecordKeepsItsPayloadAndItsTrailer) {
  const jug::TaskHash h = hash_of("small");
  const std::string metadata = jug::encode_run_metadata(sample_metadata());
  const std::string record = small_record("the payload", h, metadata);
  std::uint16_t flags;
  std::memcpy(&flags, record.data() + 6, sizeof flags);
  EXPECT_EQ(flags, jug::record::kFlagMetadata);
  std::string scratch;
  EXPECT_EQ(jug::record::open(record, h, kType, scratch), "the payload");
  EXPECT_EQ(metadata_of(record, h), metadata);
  EXPECT_EQ(jug::decode_run_metadata(*metadata_of(record, h)), sample_metadata());
}

TEST(RecordMetadata, ACompressedRecordKeepsItsTrailer) {
  const jug::TaskHash h = hash_of("compressed");
  std::string payload;
  for (int i = 0; i < 2000; ++i) payload += "the same line again\n";
  const std::string record = small_record(payload, h, "meta");
  std::uint16_t flags;
  std::memcpy(&flags, record.data() + 6, sizeof flags);
  EXPECT_EQ(flags, jug::record::kFlagMetadata | jug::record::kFlagZstd);
  std::string scratch;
  EXPECT_EQ(jug::record::open(record, h, kType, scratch), payload);
  EXPECT_EQ(metadata_of(record, h), "meta");
}

TEST(RecordMetadata, ARecordWithoutMetadataIsTheRecordOfBefore) {
  // The bytes records had before trailers came in: a store written then
  // reads as it did, with no metadata.
  const jug::TaskHash h = hash_of("old");
  const std::string record = small_record("payload", h, "");
  ASSERT_EQ(record.size(), jug::record::kHeaderSize + 7);
  std::uint64_t reserved;
  std::memcpy(&reserved, record.data() + 72, sizeof reserved);
  EXPECT_EQ(reserved, 0u);
  const std::string covered = record.substr(0, 24) + record.substr(32, 48);
  const std::uint64_t seed = XXH3_64bits(covered.data(), covered.size());
  std::uint64_t checksum;
  std::memcpy(&checksum, record.data() + 24, sizeof checksum);
  EXPECT_EQ(checksum, XXH3_64bits_withSeed("payload", 7, seed));
  EXPECT_EQ(metadata_of(record, h), std::nullopt);
}

TEST(RecordMetadata, EveryByteChangeIsCaughtByTheRecordAndTrailerChangesByTheTrailer) {
  const jug::TaskHash h = hash_of("flips");
  const std::string metadata = jug::encode_run_metadata(sample_metadata());
  const std::string record = small_record("a payload of some length", h, metadata);
  const std::size_t trailer_start = jug::record::kHeaderSize + 24;
  for (std::size_t i = 0; i < record.size(); ++i) {
    std::string damaged = record;
    damaged[i] = static_cast<char>(damaged[i] ^ 0x10);
    std::string scratch;
    EXPECT_THROW((void)jug::record::open(damaged, h, kType, scratch), jug::CorruptRecord)
        << "byte " << i;
    const bool read_by_read_metadata =
        i < 16 || (i >= 32 && i < 64) || (i >= 72 && i < 80) || i >= trailer_start;
    if (read_by_read_metadata) {
      // The header's magic, version, flags, stored length, task and trailer
      // length, and the trailer: not the payload, the decoded length, the
      // result type or the record's checksum.
      EXPECT_THROW((void)metadata_of(damaged, h), jug::CorruptRecord) << "byte " << i;
    }
  }
}

TEST(RecordMetadata, EveryTruncationIsCaught) {
  const jug::TaskHash h = hash_of("cut");
  const std::string record = small_record("payload", h, "some metadata");
  for (std::size_t n = 0; n < record.size(); ++n) {
    std::string scratch;
    EXPECT_THROW((void)jug::record::open(record.substr(0, n), h, kType, scratch),
                 jug::CorruptRecord)
        << n;
    EXPECT_THROW((void)metadata_of(record.substr(0, n), h), jug::CorruptRecord) << n;
  }
}

TEST(RecordMetadata, AnotherTasksRecordIsRefused) {
  const std::string record = small_record("payload", hash_of("a"), "m");
  EXPECT_THROW((void)metadata_of(record, hash_of("b")), jug::CorruptRecord);
}

TEST(RecordMetadata, AnImpossibleTrailerLengthIsRefusedBeforeAllocating) {
  // A header (resealed, so that only the length check can refuse it) that
  // gives the trailer all of a long record: not read into memory.
  const jug::TaskHash h = hash_of("long");
  std::string incompressible(20 << 20, '\0');
  std::mt19937_64 random(7);
  for (std::size_t i = 0; i + 8 <= incompressible.size(); i += 8) {
    const std::uint64_t word = random();
    std::memcpy(incompressible.data() + i, &word, sizeof word);
  }
  std::string record = small_record(incompressible, h, "m");
  const std::uint64_t zero = 0, everything = record.size() - jug::record::kHeaderSize;
  std::memcpy(record.data() + 8, &zero, sizeof zero);
  std::memcpy(record.data() + 72, &everything, sizeof everything);
  try {
    (void)metadata_of(record, h);
    ADD_FAILURE() << "accepted";
  } catch (const jug::CorruptRecord& e) {
    EXPECT_NE(std::string(e.what()).find("impossible length"), std::string::npos) << e.what();
  }
}

TEST(RecordMetadata, AMetadataLengthWithoutItsFlagIsRefused) {
  const jug::TaskHash h = hash_of("flagless");
  std::string record = small_record("payload", h, "meta");
  const std::uint16_t no_flags = 0;
  std::memcpy(record.data() + 6, &no_flags, sizeof no_flags);
  std::string scratch;
  EXPECT_THROW((void)jug::record::open(record, h, kType, scratch), jug::CorruptRecord);
}

class BigRecordMetadata : public ::testing::Test {
 protected:
  void SetUp() override { jug::record::set_big_record_size(4096); }
  void TearDown() override { jug::record::set_big_record_size(0); }

  std::string big_record(const std::vector<double>& value, const jug::TaskHash& h,
                         std::string_view metadata) {
    const jug::RecordBytes bytes = jug::record::make(
        h, kType, [&value](jug::OutputArchive& ar) { ar(value); }, metadata);
    EXPECT_FALSE(bytes.whole()) << "expected a streamed record";
    CollectingWriter writer;
    bytes.write_to(writer);
    EXPECT_EQ(writer.bytes.size(), bytes.size());
    return writer.bytes;
  }
};

TEST_F(BigRecordMetadata, AStreamedRecordKeepsItsValueAndItsTrailer) {
  const jug::TaskHash h = hash_of("big");
  const std::vector<double> value = ramp(5000);
  const std::string metadata = jug::encode_run_metadata(sample_metadata());
  const std::string record = big_record(value, h, metadata);
  EXPECT_EQ(read_doubles(record, h), value);
  EXPECT_EQ(metadata_of(record, h), metadata);
  std::string scratch;
  EXPECT_NO_THROW((void)jug::record::open(record, h, kType, scratch))
      << "a streamed record is an ordinary record";
}

TEST_F(BigRecordMetadata, ACompressedStreamedRecordKeepsItsTrailer) {
  const jug::TaskHash h = hash_of("big-zstd");
  const std::vector<double> value(20000, 2.5);
  const std::string record = big_record(value, h, "trailer");
  std::uint16_t flags;
  std::memcpy(&flags, record.data() + 6, sizeof flags);
  EXPECT_EQ(flags, jug::record::kFlagMetadata | jug::record::kFlagZstd);
  EXPECT_EQ(read_doubles(record, h), value);
  EXPECT_EQ(metadata_of(record, h), "trailer");
}

TEST_F(BigRecordMetadata, ADamagedTrailerFailsTheRecordsChecksum) {
  // Reading the value reads the trailer too: a value is handed on only when
  // every byte of its record is intact.
  const jug::TaskHash h = hash_of("big-damaged");
  const std::vector<double> value = ramp(5000);
  std::string record = big_record(value, h, "trailer bytes");
  record[record.size() - 10] ^= 1;
  EXPECT_THROW((void)read_doubles(record, h), jug::CorruptRecord);
  EXPECT_THROW((void)metadata_of(record, h), jug::CorruptRecord);
}

TEST(RunMetadata, RoundTrips) {
  const jug::RunMetadata m = sample_metadata();
  EXPECT_EQ(jug::decode_run_metadata(jug::encode_run_metadata(m)), m);
  EXPECT_EQ(jug::decode_run_metadata(jug::encode_run_metadata(jug::RunMetadata{})),
            jug::RunMetadata{});
}

TEST(RunMetadata, ANewerFormatIsNotGuessedAt) {
  std::string bytes = jug::encode_run_metadata(sample_metadata());
  const std::uint16_t newer = 2;
  std::memcpy(bytes.data(), &newer, sizeof newer);
  EXPECT_EQ(jug::decode_run_metadata(bytes), std::nullopt);
}

TEST(RunMetadata, BytesThatDoNotDecodeAreCorrupt) {
  const std::string bytes = jug::encode_run_metadata(sample_metadata());
  EXPECT_THROW((void)jug::decode_run_metadata(bytes + "x"), jug::CorruptRecord);
  EXPECT_THROW((void)jug::decode_run_metadata(bytes.substr(0, bytes.size() - 1)),
               jug::CorruptRecord);
  EXPECT_THROW((void)jug::decode_run_metadata(""), jug::CorruptRecord);
}

TEST(RunMetadata, TooManyArgumentsAreLeftOutNotCut) {
  jug::RunMetadata m = sample_metadata();
  m.argument_identities.assign(5000, std::string(256, 'a'));
  const std::string bytes = jug::encode_run_metadata(m);
  EXPECT_LE(bytes.size(), jug::kMaxRunMetadataSize);
  const auto back = jug::decode_run_metadata(bytes);
  ASSERT_TRUE(back);
  EXPECT_TRUE(back->argument_identities.empty());
  EXPECT_EQ(back->task_name, "fit");
}

TEST(ArgumentIdentity, ShortBytesAreKeptLongOnesDigested) {
  EXPECT_EQ(jug::argument_identity("V\x01"), "V\x01");
  const std::string long_value = "V" + std::string(1000, 'x');
  const std::string identity = jug::argument_identity(long_value);
  EXPECT_EQ(identity.size(), 18u);
  EXPECT_EQ(identity.substr(0, 2), "#V");
  EXPECT_EQ(jug::argument_identity(long_value), identity);
  EXPECT_NE(jug::argument_identity("V" + std::string(999, 'x') + "y"), identity);
}

}  // namespace
