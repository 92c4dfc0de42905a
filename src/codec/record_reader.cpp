// record::read: a record's payload handed to a decoder, whole when small and
// as it is read when big. A big uncompressed payload is checksummed as it
// passes and checked before read() returns; a decoder that fails on the way
// is told apart from damage by reading the rest. A compressed one is
// checksummed first: its header's decoded length bounds what decoding may
// allocate, and is trusted only then.

#include <zstd.h>

#include <algorithm>
#include <memory>
#include <optional>

#include <fmt/format.h>

#include "codec/record.hpp"
#include "codec/checksum.hpp"
#include "codec/compression.hpp"
#include "codec/record_header.hpp"
#include "jug/archives.hpp"
#include "jug/errors.hpp"

namespace jug::record {
namespace {

/// How much of a record is read at once where nothing else asks for more.
constexpr std::size_t kReadPieceSize = 256 * 1024;
/// The most a zstd frame's header takes (ZSTD_FRAMEHEADERSIZE_MAX, which
/// zstd.h declares only for static linking).
constexpr std::size_t kZstdFrameHeaderMax = 18;

/// The stored payload of a record, read front to back, checksummed (with
/// the metadata trailer after it, which the checksum covers too).
class StoredPayload {
 public:
  StoredPayload(RecordSource& source, const Header& h, std::uint64_t seed)
      : source_(source),
        end_(h.metadata_offset()),
        record_end_(h.metadata_offset() + h.metadata_length),
        checksum_(seed) {}

  /// Reads the next bytes, at most `size`, a piece at a time: each piece
  /// is checksummed while it is still in the CPU's cache, so a big value
  /// read straight into its own memory is not read through a second time.
  std::size_t read(char* buffer, std::size_t size) { return read_until(end_, buffer, size); }

  /// Reads what is left, the trailer too; true when the checksum of all of
  /// it is `expected`.
  bool checksum_is(std::uint64_t expected) {
    std::unique_ptr<char[]> piece(new char[kReadPieceSize]);
    while (offset_ < record_end_) read_until(record_end_, piece.get(), kReadPieceSize);
    return checksum_.value() == expected;
  }

 private:
  std::size_t read_until(std::uint64_t end, char* buffer, std::size_t size) {
    size = static_cast<std::size_t>(std::min<std::uint64_t>(size, end - offset_));
    for (std::size_t done = 0; done < size;) {
      const std::size_t piece = std::min(size - done, kReadPieceSize);
      const std::size_t got = source_.read_at(offset_, std::span<char>(buffer + done, piece));
      if (got != piece) {
        throw CorruptRecord(fmt::format("record is truncated: it ended {} bytes early, as it "
                                        "was being read",
                                        record_end_ - offset_ - got));
      }
      checksum_.add(buffer + done, got);
      offset_ += got;
      done += got;
    }
    return size;
  }

  RecordSource& source_;
  std::uint64_t offset_ = kHeaderSize;
  std::uint64_t end_;
  std::uint64_t record_end_;
  Checksum checksum_;
};

/// An uncompressed payload: its stored bytes as they are.
class PlainPayload final : public ByteSource {
 public:
  explicit PlainPayload(StoredPayload& stored) : stored_(stored) {}
  std::size_t read(char* buffer, std::size_t size) override {
    std::size_t filled = 0;
    while (filled < size) {
      const std::size_t got = stored_.read(buffer + filled, size - filled);
      if (got == 0) break;
      filled += got;
    }
    return filled;
  }

 private:
  StoredPayload& stored_;
};

/// A compressed payload: its stored bytes decompressed as they are read.
/// Errors it throws are the record's, not the decoder's (`failed`).
class DecompressedPayload final : public ByteSource {
 public:
  DecompressedPayload(StoredPayload& stored, std::uint64_t decoded_length)
      : stored_(stored), left_(decoded_length), in_buffer_(new char[ZSTD_DStreamInSize()]) {}

  std::size_t read(char* buffer, std::size_t size) override {
    ZSTD_outBuffer out{buffer, size, 0};
    while (out.pos < out.size && !frame_done_) {
      if (in_.pos == in_.size) {
        in_ = ZSTD_inBuffer{in_buffer_.get(), stored_.read(in_buffer_.get(), ZSTD_DStreamInSize()),
                            0};
        if (in_.size == 0) fail("its compressed payload ends before its frame does");
      }
      const std::size_t left = ZSTD_decompressStream(context_.get(), &out, &in_);
      if (ZSTD_isError(left)) fail("its compressed payload does not decompress");
      frame_done_ = left == 0;
    }
    if (out.pos > left_) fail("its compressed payload is longer than its header says");
    left_ -= out.pos;
    return out.pos;
  }

  /// Checks that the frame ended where the payload does, with every byte
  /// the header promised.
  void check_end() {
    char extra;
    if (left_ != 0 || read(&extra, 1) != 0 || !frame_done_ ||
        stored_.read(&extra, 1) != 0 || in_.pos != in_.size) {
      fail("its compressed payload disagrees with its decoded length");
    }
  }

  bool failed() const { return failed_; }

 private:
  struct FreeContext {
    void operator()(ZSTD_DCtx* c) const { ZSTD_freeDCtx(c); }
  };
  [[noreturn]] void fail(const char* what) {
    failed_ = true;
    throw CorruptRecord(fmt::format("record is damaged: {}", what));
  }

  StoredPayload& stored_;
  std::uint64_t left_;
  std::unique_ptr<char[]> in_buffer_;
  ZSTD_inBuffer in_{nullptr, 0, 0};
  std::unique_ptr<ZSTD_DCtx, FreeContext> context_{ZSTD_createDCtx()};
  bool frame_done_ = false;
  bool failed_ = false;
};

std::string read_whole(RecordSource& source) {
  std::string bytes(static_cast<std::size_t>(source.size()), '\0');
  const std::size_t got = source.read_at(0, bytes);
  bytes.resize(got);
  return bytes;
}

void decode_or_explain(const Decoder& decode, InputArchive& ar) {
  try {
    decode(ar);
  } catch (const CorruptRecord& e) {
    throw UndecodablePayload(e.what());
  }
}

/// The checks open() makes after the checksum, for a big record.
void check_owner(const Header& h, const TaskHash& expected, std::string_view result_type) {
  if (h.hash != expected) {
    throw CorruptRecord(fmt::format("record belongs to task {}, not {}", h.hash.hex(),
                                    expected.hex()));
  }
  if (h.result_type != type_fingerprint(result_type)) {
    throw ResultTypeMismatch(fmt::format(
        "it holds a value of another type than the task now returns ({})", result_type));
  }
  if (!h.compressed() && h.decoded_length != h.stored_length) {
    throw CorruptRecord("record lengths disagree for an uncompressed payload");
  }
}

void read_compressed(RecordSource& source, const Header& h, std::uint64_t seed,
                     const Decoder& decode) {
  StoredPayload stored(source, h, seed);
  char frame_start[kZstdFrameHeaderMax];
  const std::size_t got = stored.read(frame_start, sizeof frame_start);
  if (!frame_decodes_to(std::string_view(frame_start, got), h.stored_length, h.decoded_length)) {
    throw CorruptRecord("record's compressed payload disagrees with its decoded length");
  }
  StoredPayload again(source, h, seed);
  DecompressedPayload payload(again, h.decoded_length);
  InputArchive ar(payload, h.decoded_length);
  try {
    decode(ar);
  } catch (const CorruptRecord& e) {
    if (payload.failed()) throw;
    throw UndecodablePayload(e.what());
  }
  payload.check_end();
}

void read_plain(RecordSource& source, const Header& h, std::uint64_t seed,
                const Decoder& decode) {
  StoredPayload stored(source, h, seed);
  PlainPayload payload(stored);
  InputArchive ar(payload, h.decoded_length);
  try {
    decode(ar);
  } catch (const CorruptRecord& e) {
    if (!stored.checksum_is(h.checksum)) throw CorruptRecord(std::string(kChecksumMismatch));
    throw UndecodablePayload(e.what());
  }
  // Every byte was decoded: the value is handed on only if they were intact.
  if (!stored.checksum_is(h.checksum)) throw CorruptRecord(std::string(kChecksumMismatch));
}

}  // namespace

void read(RecordSource& source, const TaskHash& expected, std::string_view result_type,
          const Decoder& decode) {
  const std::uint64_t size = source.size();
  if (size <= big_record_size()) {
    const std::string record = read_whole(source);
    std::string scratch;
    InputArchive ar(open(record, expected, result_type, scratch));
    decode_or_explain(decode, ar);
    return;
  }
  char header[kHeaderSize];
  const std::size_t got = source.read_at(0, std::span<char>(header, kHeaderSize));
  const Header h = parse_header(std::string_view(header, got), size);
  const std::uint64_t seed = checksum_seed(std::string_view(header, kHeaderSize));
  const bool trusted_only_once_checked =
      h.compressed() || h.hash != expected || h.result_type != type_fingerprint(result_type) ||
      (!h.compressed() && h.decoded_length != h.stored_length);
  if (trusted_only_once_checked) {
    StoredPayload stored(source, h, seed);
    if (!stored.checksum_is(h.checksum)) throw CorruptRecord(std::string(kChecksumMismatch));
    check_owner(h, expected, result_type);
  }
  if (h.compressed()) {
    read_compressed(source, h, seed, decode);
  } else {
    read_plain(source, h, seed, decode);
  }
}

void verify(RecordSource& source, const TaskHash& expected, std::string_view result_type) {
  read(source, expected, result_type, [](InputArchive& ar) {
    while (ar.remaining() != 0) {
      (void)ar.next_piece(static_cast<std::size_t>(
          std::min<std::uint64_t>(ar.remaining(), kReadPieceSize)));
    }
  });
}

}  // namespace jug::record
