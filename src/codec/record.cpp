#include "codec/record.hpp"

#include "codec/compression.hpp"
#include "codec/checksum.hpp"
#include "codec/record_header.hpp"

#include <zstd.h>

#include <cstdint>
#include <cstring>
#include <optional>

#include <fmt/format.h>

#include "jug/errors.hpp"

namespace jug::record {
namespace {

/// The checksum of a record: the XXH3-64 of what follows its header (its
/// stored payload and trailer), seeded with the other header bytes.
std::uint64_t checksum(std::string_view header, std::string_view after_header) {
  return checksum_of(after_header, checksum_seed(header));
}

template <class T>
void put_at(std::string& buffer, std::size_t offset, T v) {
  std::memcpy(buffer.data() + offset, &v, sizeof v);
}

/// Returns the compressed form of `payload`, or nothing when compression
/// saves less than an eighth.
std::optional<std::string> compress(std::string_view payload) {
  if (payload.size() < kMinCompressSize) return std::nullopt;
  if (payload.size() > 2 * kCompressProbeSize && !probe_compresses(payload)) return std::nullopt;
  std::string out(ZSTD_compressBound(payload.size()), '\0');
  const std::size_t n =
      ZSTD_compress(out.data(), out.size(), payload.data(), payload.size(), kZstdLevel);
  if (ZSTD_isError(n) || !saves_enough(n, payload.size())) return std::nullopt;
  out.resize(n);
  return out;
}

}  // namespace

std::string begin() { return std::string(kHeaderSize, '\0'); }

void finish(std::string& buffer, const TaskHash& hash, std::string_view result_type,
            std::string_view metadata) {
  const std::string_view payload = std::string_view(buffer).substr(kHeaderSize);
  Header h{kFormatVersion, 0, payload.size(), payload.size(), 0, hash,
           type_fingerprint(result_type)};
  if (auto compressed = compress(payload)) {
    h.flags = kFlagZstd;
    h.stored_length = compressed->size();
    buffer.resize(kHeaderSize);
    buffer += *compressed;
  }
  if (!metadata.empty()) {
    const std::string trailer = metadata_trailer(hash, metadata);
    h.flags |= kFlagMetadata;
    h.metadata_length = trailer.size();
    buffer += trailer;
  }
  write_header(buffer.data(), h);
  h.checksum = checksum(buffer, std::string_view(buffer).substr(kHeaderSize));
  put_at(buffer, 24, h.checksum);
}

std::string_view open(std::string_view record, const TaskHash& expected,
                      std::string_view result_type, std::string& scratch) {
  const Header h = parse_header(record, record.size());
  const std::string_view stored = record.substr(kHeaderSize, h.stored_length);
  if (checksum(record, record.substr(kHeaderSize)) != h.checksum) {
    throw CorruptRecord(std::string(kChecksumMismatch));
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
  // Checksummed, so not damaged; the frame must agree all the same before
  // we allocate what it says.
  if (!frame_decodes_to(stored, h.stored_length, h.decoded_length)) {
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

std::optional<std::string_view> open_uncompressed(std::string_view record,
                                                  const TaskHash& expected,
                                                  std::string_view result_type) {
  if (parse_header(record, record.size()).compressed()) return std::nullopt;
  std::string no_scratch;
  return open(record, expected, result_type, no_scratch);
}

}  // namespace jug::record
