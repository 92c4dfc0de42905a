#pragma once
/// When a record's payload is stored compressed, shared by the record written
/// whole (record.cpp) and the one written as it is encoded (record_writer.cpp).

#include <zstd.h>

#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>

namespace jug::record {

/// Payloads smaller than this are never worth compressing.
inline constexpr std::size_t kMinCompressSize = 512;
/// How much of a payload is tried first, to skip incompressible data cheaply.
inline constexpr std::size_t kCompressProbeSize = 64 * 1024;
/// Fast compression: results are written once, read a few times.
inline constexpr int kZstdLevel = 1;

/// Compression is kept only when it saves at least an eighth.
inline bool saves_enough(std::uint64_t compressed, std::uint64_t original) {
  return compressed <= original * 7 / 8;
}

/// The most bytes zstd decompresses from each byte it stores: a block of
/// the largest size (128 KiB) of one repeated byte (an RLE block) takes 4
/// bytes, and no other encoding takes fewer for as much.
inline constexpr std::uint64_t kMaxZstdRatio = 128 * 1024 / 4;

/// Whether the zstd frame starting at `frame_start`, of a payload of
/// `stored_length` bytes, says it decompresses to `decoded_length` bytes,
/// and could. Checked before a buffer that large is set aside: a header
/// whose checksum holds may still be made up (by another program, or by
/// hand), and must not make jug allocate 2^60 bytes.
inline bool frame_decodes_to(std::string_view frame_start, std::uint64_t stored_length,
                             std::uint64_t decoded_length) {
  const unsigned long long declared =
      ZSTD_getFrameContentSize(frame_start.data(), frame_start.size());
  return declared != ZSTD_CONTENTSIZE_UNKNOWN && declared != ZSTD_CONTENTSIZE_ERROR &&
         declared == decoded_length && decoded_length / kMaxZstdRatio <= stored_length;
}

/// Whether the first kCompressProbeSize bytes of a payload (or all, when
/// fewer) compress well enough to try the whole.
inline bool probe_compresses(std::string_view payload) {
  const std::string_view probe = payload.substr(0, kCompressProbeSize);
  std::string out(ZSTD_compressBound(probe.size()), '\0');
  const std::size_t n =
      ZSTD_compress(out.data(), out.size(), probe.data(), probe.size(), kZstdLevel);
  return !ZSTD_isError(n) && saves_enough(n, probe.size());
}

}  // namespace jug::record
