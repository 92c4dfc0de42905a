#include "codec/record.hpp"

#include <xxhash.h>
#include <zstd.h>

#include <cstdint>
#include <cstring>
#include <optional>

#include <fmt/format.h>

#include "jug/errors.hpp"

namespace jug::record {
namespace {

constexpr char kMagic[4] = {'J', 'U', 'G', 'R'};
constexpr std::uint16_t kFlagZstd = 1;
/// Payloads smaller than this are never worth compressing.
constexpr std::size_t kMinCompressSize = 512;
/// How much of a payload is tried first, to skip incompressible data cheaply.
constexpr std::size_t kCompressProbeSize = 64 * 1024;
/// Fast compression: results are written once, read a few times.
constexpr int kZstdLevel = 1;

struct Header {
  std::uint16_t version;
  std::uint16_t flags;
  std::uint64_t stored_length;
  std::uint64_t decoded_length;
  std::uint64_t checksum;
  TaskHash hash;
  std::uint64_t result_type;
};

std::uint64_t type_fingerprint(std::string_view type_name) {
  return XXH3_64bits(type_name.data(), type_name.size());
}

template <class T>
void put_at(std::string& buffer, std::size_t offset, T v) {
  std::memcpy(buffer.data() + offset, &v, sizeof v);
}
template <class T>
T get_at(std::string_view buffer, std::size_t offset) {
  T v;
  std::memcpy(&v, buffer.data() + offset, sizeof v);
  return v;
}

/// The checksum covers the payload and every other header field, so that a
/// damaged length, flag or hash is caught like damaged payload.
std::uint64_t checksum(std::string_view header, std::string_view stored_payload) {
  char covered[kHeaderSize - 8];
  std::memcpy(covered, header.data(), 24);
  std::memcpy(covered + 24, header.data() + 32, kHeaderSize - 32);
  return XXH3_64bits_withSeed(stored_payload.data(), stored_payload.size(),
                              XXH3_64bits(covered, sizeof covered));
}

void write_header(std::string& buffer, const Header& h) {
  std::memcpy(buffer.data(), kMagic, sizeof kMagic);
  put_at(buffer, 4, h.version);
  put_at(buffer, 6, h.flags);
  put_at(buffer, 8, h.stored_length);
  put_at(buffer, 16, h.decoded_length);
  put_at(buffer, 24, h.checksum);
  std::memcpy(buffer.data() + 32, h.hash.bytes.data(), TaskHash::kSize);
  put_at(buffer, 64, h.result_type);
  put_at(buffer, 72, std::uint64_t{0});
}

/// Returns the compressed form of `payload`, or nothing when compression
/// saves less than an eighth.
std::optional<std::string> compress(std::string_view payload) {
  if (payload.size() < kMinCompressSize) return std::nullopt;
  std::string out;
  if (payload.size() > 2 * kCompressProbeSize) {
    out.resize(ZSTD_compressBound(kCompressProbeSize));
    const std::size_t n = ZSTD_compress(out.data(), out.size(), payload.data(),
                                        kCompressProbeSize, kZstdLevel);
    if (ZSTD_isError(n) || n > kCompressProbeSize * 7 / 8) return std::nullopt;
  }
  out.resize(ZSTD_compressBound(payload.size()));
  const std::size_t n =
      ZSTD_compress(out.data(), out.size(), payload.data(), payload.size(), kZstdLevel);
  if (ZSTD_isError(n) || n > payload.size() * 7 / 8) return std::nullopt;
  out.resize(n);
  return out;
}

}  // namespace

std::string begin() { return std::string(kHeaderSize, '\0'); }

void finish(std::string& buffer, const TaskHash& hash, std::string_view result_type) {
  const std::string_view payload = std::string_view(buffer).substr(kHeaderSize);
  Header h{kFormatVersion, 0, payload.size(), payload.size(), 0, hash,
           type_fingerprint(result_type)};
  if (auto compressed = compress(payload)) {
    h.flags = kFlagZstd;
    h.stored_length = compressed->size();
    buffer.resize(kHeaderSize);
    buffer += *compressed;
  }
  write_header(buffer, h);
  h.checksum = checksum(buffer, std::string_view(buffer).substr(kHeaderSize));
  put_at(buffer, 24, h.checksum);
}

std::string_view open(std::string_view record, const TaskHash& expected,
                      std::string_view result_type, std::string& scratch) {
  if (record.size() < kHeaderSize) {
    throw CorruptRecord(fmt::format("record is truncated: {} bytes, shorter than its header",
                                    record.size()));
  }
  if (std::memcmp(record.data(), kMagic, sizeof kMagic) != 0) {
    throw CorruptRecord("not a jug record (bad magic bytes)");
  }
  Header h;
  h.version = get_at<std::uint16_t>(record, 4);
  h.flags = get_at<std::uint16_t>(record, 6);
  h.stored_length = get_at<std::uint64_t>(record, 8);
  h.decoded_length = get_at<std::uint64_t>(record, 16);
  h.checksum = get_at<std::uint64_t>(record, 24);
  std::memcpy(h.hash.bytes.data(), record.data() + 32, TaskHash::kSize);
  h.result_type = get_at<std::uint64_t>(record, 64);
  if (h.version != kFormatVersion) {
    throw CorruptRecord(fmt::format(
        "record format version {} is not supported (this jug reads version {}); "
        "it was written by another jug version",
        h.version, kFormatVersion));
  }
  if ((h.flags & ~kFlagZstd) != 0) {
    throw CorruptRecord(fmt::format("record has unknown flags {:#x}", h.flags));
  }
  const std::size_t body = record.size() - kHeaderSize;
  if (h.stored_length != body) {
    throw CorruptRecord(fmt::format("record is {}: header says {} payload bytes, file has {}",
                                    body < h.stored_length ? "truncated" : "too long",
                                    h.stored_length, body));
  }
  const std::string_view stored = record.substr(kHeaderSize);
  if (checksum(record, stored) != h.checksum) {
    throw CorruptRecord("record checksum mismatch: its bytes were changed or damaged");
  }
  if (h.hash != expected) {
    throw CorruptRecord(fmt::format("record belongs to task {}, not {}", h.hash.hex(),
                                    expected.hex()));
  }
  if (h.result_type != type_fingerprint(result_type)) {
    throw ResultTypeMismatch(fmt::format(
        "it holds a value of another type than the task now returns ({})", result_type));
  }
  if ((h.flags & kFlagZstd) == 0) {
    if (h.decoded_length != h.stored_length) {
      throw CorruptRecord("record lengths disagree for an uncompressed payload");
    }
    return stored;
  }
  // Checksummed, so trusted; the frame must agree all the same before we
  // allocate what it says.
  if (ZSTD_getFrameContentSize(stored.data(), stored.size()) != h.decoded_length) {
    throw CorruptRecord("record's compressed payload disagrees with its decoded length");
  }
  scratch.resize(h.decoded_length);
  const std::size_t n =
      ZSTD_decompress(scratch.data(), scratch.size(), stored.data(), stored.size());
  if (ZSTD_isError(n) || n != h.decoded_length) {
    throw CorruptRecord("record's compressed payload does not decompress");
  }
  return scratch;
}

}  // namespace jug::record
