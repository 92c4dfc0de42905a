#include "jug/detail/argument_bytes.hpp"

#include <array>
#include <cstring>

#include "codec/checksum.hpp"

namespace jug::detail {

namespace {
constexpr char kValueTag = 'V';
constexpr char kDigestTag = 'D';
constexpr std::size_t kLengthBytes = sizeof(std::uint64_t);
}  // namespace

/// XXH3-128 (seed 0) of the bytes so far.
class ArgumentBytes::Digest {
 public:
  record::Checksum state{0};
};

ArgumentBytes::ArgumentBytes(std::string& out) : out_(out), tag_at_(out.size()) {
  out_.push_back(kValueTag);
  out_.append(kLengthBytes, '\0');  // filled in by finish()
}

ArgumentBytes::~ArgumentBytes() = default;

void ArgumentBytes::write(std::string_view piece) {
  length_ += piece.size();
  if (digest_) {
    digest_->state.add(piece);
    return;
  }
  if (length_ <= kArgumentDigestFrom) {
    out_.append(piece);
    return;
  }
  // Past the threshold: the bytes kept so far go into the digest, and leave
  // the hash input.
  digest_ = std::make_unique<Digest>();
  const std::size_t bytes_at = tag_at_ + 1 + kLengthBytes;
  digest_->state.add(std::string_view(out_).substr(bytes_at));
  digest_->state.add(piece);
  out_.resize(bytes_at);
}

void ArgumentBytes::finish() {
  std::memcpy(out_.data() + tag_at_ + 1, &length_, kLengthBytes);
  if (digest_) {
    out_[tag_at_] = kDigestTag;
    const std::array<unsigned char, 16> digest = digest_->state.wide_value();
    out_.append(reinterpret_cast<const char*>(digest.data()), digest.size());
  }
}

}  // namespace jug::detail
