#include "commands/status_cache_file.hpp"

#include <cstring>

#include "codec/checksum.hpp"

namespace jug {
namespace {

constexpr std::string_view kMagic = "jug status cache 1\n";
constexpr std::uint64_t kChecksumSeed = 0x6a75672d73746174;  // "jug-stat"
constexpr std::size_t kChecksumSize = 8;

void put_number(std::string& out, std::uint64_t value) {
  for (int i = 0; i < 8; ++i) out.push_back(static_cast<char>((value >> (8 * i)) & 0xff));
}

/// Reads the file's fields in order; any read past its end fails the rest.
class Fields {
 public:
  explicit Fields(std::string_view bytes) : rest_(bytes) {}
  bool ok() const { return ok_; }
  std::string_view take(std::uint64_t size) {
    if (!ok_ || size > rest_.size()) {
      ok_ = false;
      return {};
    }
    const std::string_view out = rest_.substr(0, static_cast<std::size_t>(size));
    rest_.remove_prefix(static_cast<std::size_t>(size));
    return out;
  }
  std::uint64_t number() {
    const std::string_view bytes = take(8);
    std::uint64_t value = 0;
    for (std::size_t i = 0; i < bytes.size(); ++i) {
      value |= std::uint64_t{static_cast<unsigned char>(bytes[i])} << (8 * i);
    }
    return value;
  }
  std::string_view sized() { return take(number()); }
  std::size_t left() const { return rest_.size(); }

 private:
  std::string_view rest_;
  bool ok_ = true;
};

}  // namespace

std::uint64_t status_cache_checksum(std::string_view body) {
  return record::checksum_of(body, kChecksumSeed);
}

std::string encode_status_cache(const StatusCacheKey& key, const std::vector<bool>& finished) {
  std::string bytes(kMagic);
  put_number(bytes, key.store.size());
  bytes += key.store;
  put_number(bytes, key.token.size());
  bytes += key.token;
  bytes.append(reinterpret_cast<const char*>(key.graph_digest.data()), key.graph_digest.size());
  put_number(bytes, key.tasks);
  std::string bits((key.tasks + 7) / 8, '\0');
  for (std::size_t id = 0; id < key.tasks; ++id) {
    if (finished[id]) bits[id / 8] = static_cast<char>(bits[id / 8] | (1 << (id % 8)));
  }
  bytes += bits;
  put_number(bytes, status_cache_checksum(bytes));
  return bytes;
}

std::optional<StatusCacheFile> decode_status_cache(std::string_view bytes) {
  if (bytes.size() < kMagic.size() + kChecksumSize) return std::nullopt;
  const std::string_view body = bytes.substr(0, bytes.size() - kChecksumSize);
  if (Fields(bytes.substr(body.size())).number() != status_cache_checksum(body)) {
    return std::nullopt;
  }
  Fields fields(body);
  if (fields.take(kMagic.size()) != kMagic) return std::nullopt;
  StatusCacheFile file;
  file.key.store = fields.sized();
  file.key.token = fields.sized();
  const std::string_view digest = fields.take(file.key.graph_digest.size());
  if (fields.ok()) std::memcpy(file.key.graph_digest.data(), digest.data(), digest.size());
  const std::uint64_t tasks = fields.number();
  // The bits of that many tasks must be all that is left, before anything
  // is made of a count the file claims.
  if (!fields.ok() || tasks / 8 > fields.left() || (tasks + 7) / 8 != fields.left()) {
    return std::nullopt;
  }
  file.key.tasks = static_cast<std::size_t>(tasks);
  const std::string_view bits = fields.take(fields.left());
  // Bits past the last task are zero as written: others are damage.
  if (tasks % 8 != 0 && (static_cast<unsigned char>(bits.back()) >> (tasks % 8)) != 0) {
    return std::nullopt;
  }
  file.finished.resize(file.key.tasks);
  for (std::size_t id = 0; id < file.key.tasks; ++id) {
    file.finished[id] = (static_cast<unsigned char>(bits[id / 8]) >> (id % 8)) & 1;
  }
  return file;
}

}  // namespace jug
