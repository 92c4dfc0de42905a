#pragma once
/// The canonical bytes of one plain argument, as its task's hash takes them
/// (docs/hashing.md): the bytes themselves up to kArgumentDigestFrom, their
/// XXH3-128 digest above. A 128 MB matrix argument is then digested where
/// it lies, at the speed of memory, instead of being copied into the hash's
/// input and run through SHA-256 at a tenth of that.

#include <cstddef>
#include <cstdint>
#include <memory>
#include <string>
#include <string_view>

#include "jug/archives.hpp"

namespace jug::detail {

/// Bigger canonical bytes than this enter a task's hash as their digest.
inline constexpr std::size_t kArgumentDigestFrom = std::size_t{1} << 20;

/// Takes the canonical bytes of one argument from an OutputArchive and
/// appends them to `out`, a task's hash input, tagged: `V`, the u64 length
/// and the bytes; or, once they pass kArgumentDigestFrom, `D`, the u64
/// length and their 16-byte digest.
class ArgumentBytes final : public ByteSink {
 public:
  explicit ArgumentBytes(std::string& out);
  ~ArgumentBytes();
  ArgumentBytes(const ArgumentBytes&) = delete;
  ArgumentBytes& operator=(const ArgumentBytes&) = delete;

  void write(std::string_view piece) override;
  /// Completes the entry in `out`; call once, after the last write.
  void finish();

 private:
  class Digest;

  std::string& out_;
  std::size_t tag_at_;  // where the entry starts in out_
  std::uint64_t length_ = 0;
  std::unique_ptr<Digest> digest_;  // set once the bytes pass the threshold
};

}  // namespace jug::detail
