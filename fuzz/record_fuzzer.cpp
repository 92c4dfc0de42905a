// Fuzz target `record`: a stored record (src/codec/record.hpp), as a store
// hands it back after damage, or as another program left it.
//
// Feeds: the first byte is options (below); the rest is the record. It is
// opened whole (record::open, open_uncompressed) and streamed
// (record::read, verify: src/codec/record_reader.cpp), its metadata trailer
// is read alone (record::read_metadata) and decoded (decode_run_metadata),
// and its payload is decoded through the codec (jug/codec.hpp) as one of a
// few types. A checksum guards every record, so random bytes stop there:
// kReseal seals the bytes as the writer does (the type's fingerprint, the
// trailer's checksum, the record's checksum), so that what lies behind the
// checksum is fuzzed too: zstd frames, lengths, the codec.
//
// Findings: any exception but CorruptRecord (and ResultTypeMismatch, which
// derives from it) and, from record::read, UndecodablePayload; a crash, a
// sanitizer's report, a hang, or memory beyond libFuzzer's limit (a length
// of 2^60 believed); the whole and the streamed read decoding one record to
// different values.

#include <array>
#include <cstdint>
#include <map>
#include <optional>
#include <set>
#include <string>
#include <tuple>
#include <unordered_map>
#include <variant>
#include <vector>

#include "codec/checksum.hpp"
#include "codec/record.hpp"
#include "codec/record_header.hpp"
#include "codec/run_metadata.hpp"
#include "fuzz/fuzz_target.hpp"
#include "jug/codec.hpp"
#include "jug/errors.hpp"

namespace jug::fuzz {
namespace {

/// Seal the record as its writer would (see above).
constexpr std::uint8_t kReseal = 1;
/// Expect the task the record names; otherwise another one.
constexpr std::uint8_t kOwnTask = 2;
/// Stream every record longer than its header, not only big ones.
constexpr std::uint8_t kStream = 4;
/// Bits 3-5: which of kTypes the payload is decoded as.
constexpr int kTypeShift = 3;
/// The rest is a metadata trailer's content (decode_run_metadata alone).
constexpr std::uint8_t kMetadataAlone = 0x40;

/// A result type: its name (whose fingerprint the record must hold), and
/// how to decode a payload into it and encode it again, for comparing.
struct ResultType {
  const char* name;
  std::string (*decode)(InputArchive&);
};

template <class T>
std::string decoded(InputArchive& ar) {
  return encode(decode_from<T>(ar));
}

/// Types whose loading covers the codec's paths: raw arrays of numbers,
/// strings, containers of containers, bools, optionals, variants, sorted
/// and unordered containers, fixed arrays of long doubles.
const std::array<ResultType, 8> kTypes = {{
    {"std::string", &decoded<std::string>},
    {"std::vector<double>", &decoded<std::vector<double>>},
    {"std::vector<std::string>", &decoded<std::vector<std::string>>},
    {"std::map<std::string, std::vector<int>>",
     &decoded<std::map<std::string, std::vector<std::int32_t>>>},
    {"std::tuple<bool, std::optional<long>, std::variant<...>>",
     &decoded<std::tuple<bool, std::optional<std::int64_t>,
                         std::variant<std::monostate, std::int32_t, std::string>>>},
    {"std::unordered_map<std::string, std::set<unsigned short>>",
     &decoded<std::unordered_map<std::string, std::set<std::uint16_t>>>},
    {"std::vector<std::array<long double, 2>>", &decoded<std::vector<std::array<long double, 2>>>},
    {"std::vector<bool>", &decoded<std::vector<bool>>},
}};

/// The task a record is expected to belong to when not its own.
const TaskHash& other_task() {
  static const TaskHash hash = TaskHash::of("fuzz: another task");
  return hash;
}

/// Seals `record` as record::finish does; leaves it as it is when its
/// header does not parse (nothing behind it is read then anyway).
void reseal(std::string& record, const ResultType& type) {
  record::Header h;
  try {
    h = record::parse_header(record, record.size());
  } catch (const CorruptRecord&) {
    return;
  }
  h.result_type = record::type_fingerprint(type.name);
  constexpr std::size_t kTrailerChecksumSize = 8;
  if ((h.flags & record::kFlagMetadata) != 0 && h.metadata_length >= kTrailerChecksumSize) {
    const std::size_t at = static_cast<std::size_t>(h.metadata_offset());
    const std::string metadata =
        record.substr(at, static_cast<std::size_t>(h.metadata_length) - kTrailerChecksumSize);
    record.replace(at, std::string::npos, record::metadata_trailer(h.hash, metadata));
  }
  record::write_header(record.data(), h);
  h.checksum = record::checksum_of(std::string_view(record).substr(record::kHeaderSize),
                                   record::checksum_seed(record));
  record::write_header(record.data(), h);
}

TaskHash expected_task(const std::string& record, bool own) {
  if (!own) return other_task();
  try {
    return record::parse_header(record, record.size()).hash;
  } catch (const CorruptRecord&) {
    return other_task();
  }
}

/// The payload's value (encoded again) when open() takes the record.
std::optional<std::string> read_whole(const std::string& record, const TaskHash& task,
                                      const ResultType& type) {
  try {
    std::string scratch;
    InputArchive ar(record::open(record, task, type.name, scratch));
    return type.decode(ar);
  } catch (const CorruptRecord&) {
    return std::nullopt;
  }
}

/// The payload's value when record::read() takes the record.
std::optional<std::string> read_streamed(const std::string& record, const TaskHash& task,
                                         const ResultType& type) {
  try {
    RecordInMemory source(record);
    std::string value;
    record::read(source, task, type.name, [&](InputArchive& ar) { value = type.decode(ar); });
    return value;
  } catch (const CorruptRecord&) {
    return std::nullopt;
  } catch (const record::UndecodablePayload&) {
    return std::nullopt;
  }
}

void verify_and_read_metadata(const std::string& record, const TaskHash& task,
                              const ResultType& type) {
  try {
    (void)record::open_uncompressed(record, task, type.name);
  } catch (const CorruptRecord&) {
  }
  try {
    RecordInMemory source(record);
    record::verify(source, task, type.name);
  } catch (const CorruptRecord&) {
  } catch (const record::UndecodablePayload&) {
  }
  try {
    RecordInMemory source(record);
    if (const std::optional<std::string> metadata = record::read_metadata(source, task)) {
      (void)decode_run_metadata(*metadata);
    }
  } catch (const CorruptRecord&) {
  }
}

}  // namespace

std::vector<Seed> seeds() {
  const TaskHash task = TaskHash::of("fuzz: a task");
  RunMetadata run;
  run.task_name = "features";
  run.host = "node7";
  run.pid = 4242;
  run.jug_version = "0.1.0";
  run.argument_identities = {"\001abc", std::string(3, '\0')};
  const std::string metadata = encode_run_metadata(run);
  // Each seed as `options`, then the record of `value` as `type`.
  const auto seed = [&](std::string name, std::uint8_t options, const auto& value,
                        std::string_view with_metadata) {
    std::string record = record::begin();
    encode_into(record, value);
    const ResultType& type = kTypes[(options >> kTypeShift) & 7];
    record::finish(record, task, type.name, with_metadata);
    return Seed{std::move(name), std::string(1, static_cast<char>(options)) + record};
  };
  constexpr std::uint8_t kSealedOwn = kReseal | kOwnTask;
  std::vector<Seed> seeds = {
      seed("string", kSealedOwn, std::string("a result"), {}),
      seed("string-with-metadata", kSealedOwn | kStream, std::string("a result"), metadata),
      // Long and repetitive: stored compressed (zstd).
      seed("doubles-compressed", kSealedOwn | (1 << kTypeShift), std::vector<double>(300, 1.5), {}),
      seed("doubles-compressed-streamed", kSealedOwn | kStream | (1 << kTypeShift),
           std::vector<double>(300, 1.5), metadata),
      seed("strings", kSealedOwn | (2 << kTypeShift), std::vector<std::string>{"a", "", "ccc"}, {}),
      seed("map", kSealedOwn | kStream | (3 << kTypeShift),
           std::map<std::string, std::vector<std::int32_t>>{{"x", {1, 2}}, {"y", {}}}, {}),
      seed("tuple", kSealedOwn | (4 << kTypeShift),
           std::tuple<bool, std::optional<std::int64_t>,
                      std::variant<std::monostate, std::int32_t, std::string>>{true, 7,
                                                                               std::string("v")},
           metadata),
      seed("unordered-map", kSealedOwn | (5 << kTypeShift),
           std::unordered_map<std::string, std::set<std::uint16_t>>{{"k", {1, 9}}}, {}),
      seed("long-doubles", kSealedOwn | kStream | (6 << kTypeShift),
           std::vector<std::array<long double, 2>>{{1.0L, -2.5L}}, {}),
      seed("bools", kSealedOwn | (7 << kTypeShift), std::vector<bool>{true, false, true}, {}),
      // As stored, not sealed again: the checksum checks as written.
      seed("unsealed", kOwnTask, std::string("a result"), metadata),
  };
  seeds.push_back(
      Seed{"metadata-alone", std::string(1, static_cast<char>(kMetadataAlone)) + metadata});
  return seeds;
}

}  // namespace jug::fuzz

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  using namespace jug;
  using namespace jug::fuzz;
  FuzzInput input(data, size);
  const std::uint8_t options = input.byte();
  if ((options & kMetadataAlone) != 0) {
    try {
      (void)decode_run_metadata(input.rest());
    } catch (const CorruptRecord&) {
    }
    return 0;
  }
  const ResultType& type = kTypes[(options >> kTypeShift) & 7];
  std::string record(input.rest());
  if ((options & kReseal) != 0) reseal(record, type);
  const TaskHash task = expected_task(record, (options & kOwnTask) != 0);
  // 0 puts back the default (1 MiB): small records are then read whole.
  record::set_big_record_size((options & kStream) != 0 ? record::kHeaderSize : 0);

  const std::optional<std::string> whole = read_whole(record, task, type);
  const std::optional<std::string> streamed = read_streamed(record, task, type);
  expect(!whole || !streamed || *whole == *streamed,
         "record::open and record::read decode one record to different values");
  verify_and_read_metadata(record, task, type);
  return 0;
}
