// record::make: the record of a result, written whole when small and as it
// is encoded when big. The checksum's seed covers the lengths (record.hpp),
// so a big payload is encoded first only to count its bytes: for an array
// that is one call of the sink, for other values one walk over them without
// a copy.

#include <zstd.h>

#include <atomic>
#include <cstdlib>
#include <cstring>
#include <optional>
#include <memory>

#include <fmt/format.h>

#include "codec/compression.hpp"
#include "codec/record.hpp"
#include "codec/checksum.hpp"
#include "codec/record_header.hpp"
#include "jug/archives.hpp"
#include "jug/errors.hpp"

namespace jug::record {
namespace {

/// Bytes collected before they go on to the next sink: encoding writes many
/// small pieces (a number, a length), the store is given big ones.
constexpr std::size_t kOutputBufferSize = 256 * 1024;

/// Keeps the first bytes written after what `bytes` holds, up to `limit`,
/// and counts them all.
class FirstBytes final : public ByteSink {
 public:
  FirstBytes(std::string& bytes, std::uint64_t limit) : bytes_(bytes), limit_(limit) {}
  void write(std::string_view piece) override {
    if (count_ < limit_) {
      bytes_.append(piece.substr(0, static_cast<std::size_t>(limit_ - count_)));
    }
    count_ += piece.size();
  }
  std::uint64_t count() const { return count_; }

 private:
  std::string& bytes_;
  std::uint64_t limit_;
  std::uint64_t count_ = 0;
};

/// Counts the bytes, keeps none.
class Counter final : public ByteSink {
 public:
  void write(std::string_view piece) override { count_ += piece.size(); }
  std::uint64_t count() const { return count_; }

 private:
  std::uint64_t count_ = 0;
};

/// Passes the pieces to a record writer, checksumming them.
class ChecksummedOutput final : public ByteSink {
 public:
  ChecksummedOutput(RecordWriter& writer, std::uint64_t seed)
      : writer_(writer), checksum_(seed) {}
  void write(std::string_view piece) override {
    checksum_.add(piece);
    writer_.append(piece);
    count_ += piece.size();
  }
  std::uint64_t count() const { return count_; }
  std::uint64_t checksum() const { return checksum_.value(); }

 private:
  RecordWriter& writer_;
  Checksum checksum_;
  std::uint64_t count_ = 0;
};

/// Gathers small pieces into big ones; pieces as big as its buffer go
/// straight on (an array's bytes are not copied).
class Buffered final : public ByteSink {
 public:
  explicit Buffered(ByteSink& next) : next_(next), buffer_(new char[kOutputBufferSize]) {}
  void write(std::string_view piece) override {
    if (piece.empty()) return;  // an empty string's bytes: maybe no pointer at all
    if (piece.size() > kOutputBufferSize - used_) {
      flush();
      if (piece.size() >= kOutputBufferSize) {
        next_.write(piece);
        return;
      }
    }
    std::memcpy(buffer_.get() + used_, piece.data(), piece.size());
    used_ += piece.size();
  }
  void flush() {
    if (used_ == 0) return;
    next_.write(std::string_view(buffer_.get(), used_));
    used_ = 0;
  }

 private:
  ByteSink& next_;
  std::unique_ptr<char[]> buffer_;
  std::size_t used_ = 0;
};

/// Compresses what it is given into one zstd frame that says its decoded
/// size (`length`, which readers check against the header), passing the
/// compressed bytes on. Given the same pieces, it passes on the same bytes.
class Compressing final : public ByteSink {
 public:
  Compressing(ByteSink& next, std::uint64_t length)
      : next_(next), out_(new char[ZSTD_CStreamOutSize()]) {
    check(ZSTD_CCtx_setParameter(context_.get(), ZSTD_c_compressionLevel, kZstdLevel));
    check(ZSTD_CCtx_setPledgedSrcSize(context_.get(), length));
  }
  void write(std::string_view piece) override {
    ZSTD_inBuffer in{piece.data(), piece.size(), 0};
    while (in.pos < in.size) step(in, ZSTD_e_continue);
  }
  /// Ends the frame.
  void finish() {
    ZSTD_inBuffer in{nullptr, 0, 0};
    while (step(in, ZSTD_e_end) != 0) {
    }
  }

 private:
  struct FreeContext {
    void operator()(ZSTD_CCtx* c) const { ZSTD_freeCCtx(c); }
  };
  static std::size_t check(std::size_t code) {
    if (ZSTD_isError(code)) {
      throw Error(fmt::format("cannot compress a result: {}", ZSTD_getErrorName(code)));
    }
    return code;
  }
  std::size_t step(ZSTD_inBuffer& in, ZSTD_EndDirective mode) {
    ZSTD_outBuffer out{out_.get(), ZSTD_CStreamOutSize(), 0};
    const std::size_t left = check(ZSTD_compressStream2(context_.get(), &out, &in, mode));
    if (out.pos != 0) next_.write(std::string_view(out_.get(), out.pos));
    return left;
  }

  ByteSink& next_;
  std::unique_ptr<ZSTD_CCtx, FreeContext> context_{ZSTD_createCCtx()};
  std::unique_ptr<char[]> out_;
};

/// Encodes into `sink` through a buffer (and zstd, with `compress_length`).
void encode_through(const Encoder& encode, ByteSink& sink,
                    std::optional<std::uint64_t> compress_length) {
  if (compress_length) {
    Compressing compressing(sink, *compress_length);
    Buffered buffered(compressing);
    OutputArchive ar(buffered);
    encode(ar);
    buffered.flush();
    compressing.finish();
  } else {
    Buffered buffered(sink);
    OutputArchive ar(buffered);
    encode(ar);
    buffered.flush();
  }
}

std::uint64_t big_record_size_from_environment() {
  constexpr std::uint64_t kDefault = 1024 * 1024;
  const char* text = std::getenv("JUG_TEST_BIG_RECORD_BYTES");
  if (text == nullptr || *text == '\0') return kDefault;
  char* end = nullptr;
  const unsigned long long bytes = std::strtoull(text, &end, 10);
  return *end == '\0' && bytes > 0 ? bytes : kDefault;
}

std::atomic<std::uint64_t> big_record_size_set{0};

/// The record of a payload of `length` bytes that is too big to hold: its
/// header says how it is stored, and the bytes come from encoding again,
/// then `trailer` (empty, or metadata_trailer()).
RecordBytes streamed_record(Header h, Encoder encode, std::string trailer) {
  if (!trailer.empty()) {
    h.flags |= kFlagMetadata;
    h.metadata_length = trailer.size();
  }
  char header[kHeaderSize];
  write_header(header, h);
  const std::uint64_t seed = checksum_seed(std::string_view(header, kHeaderSize));
  const std::uint64_t size = h.metadata_offset() + h.metadata_length;
  return RecordBytes(size, [h, seed, encode = std::move(encode),
                            trailer = std::move(trailer)](RecordWriter& writer) mutable {
    const char placeholder[kHeaderSize] = {};  // the header, once the checksum is known
    writer.append(std::string_view(placeholder, kHeaderSize));
    ChecksummedOutput output(writer, seed);
    encode_through(encode, output,
                   h.compressed() ? std::optional(h.decoded_length) : std::nullopt);
    if (output.count() != h.stored_length) {
      throw Error(fmt::format(
          "the result's encoding wrote {} bytes the first time and {} the next: a serialize "
          "function must write the same bytes each time it is called",
          h.stored_length, output.count()));
    }
    output.write(trailer);
    h.checksum = output.checksum();
    char final_header[kHeaderSize];
    write_header(final_header, h);
    writer.overwrite_start(std::string_view(final_header, kHeaderSize));
  });
}

}  // namespace

std::uint64_t big_record_size() {
  static const std::uint64_t from_environment = big_record_size_from_environment();
  const std::uint64_t set = big_record_size_set.load(std::memory_order_relaxed);
  return set != 0 ? set : from_environment;
}

void set_big_record_size(std::uint64_t bytes) { big_record_size_set = bytes; }

RecordBytes make(const TaskHash& hash, std::string_view result_type, Encoder encode,
                 std::string_view metadata) {
  // Encoded into memory while it fits under the limit; counted beyond.
  const std::uint64_t limit = big_record_size() - kHeaderSize;
  std::string record = begin();
  FirstBytes first(record, limit);
  {
    OutputArchive ar(first);
    encode(ar);
  }
  if (first.count() <= limit) {
    finish(record, hash, result_type, metadata);
    return RecordBytes(std::move(record));
  }
  const std::uint64_t length = first.count();
  Header h{kFormatVersion, 0, length, length, 0, hash, type_fingerprint(result_type)};
  if (probe_compresses(std::string_view(record).substr(kHeaderSize))) {
    Counter compressed;
    encode_through(encode, compressed, length);
    if (saves_enough(compressed.count(), length)) {
      h.flags = kFlagZstd;
      h.stored_length = compressed.count();
    }
  }
  return streamed_record(h, std::move(encode),
                         metadata.empty() ? std::string() : metadata_trailer(hash, metadata));
}

}  // namespace jug::record
