#include "codec/run_metadata.hpp"

#include <xxhash.h>

#include "jug/codec.hpp"
#include "jug/errors.hpp"

namespace jug {
namespace {

constexpr std::uint16_t kRunMetadataFormat = 1;
constexpr std::size_t kLongestKeptIdentity = 256;

}  // namespace

std::string encode_run_metadata(const RunMetadata& m) {
  std::string bytes;
  OutputArchive out(bytes);
  out(kRunMetadataFormat, m.task_name, m.started_ns, m.finished_ns, m.host, m.pid, m.batch_job,
      m.jug_version, m.peak_rss_bytes, m.code_version);
  std::size_t size = 8;
  for (const std::string& identity : m.argument_identities) size += 8 + identity.size();
  if (bytes.size() + size <= kMaxRunMetadataSize) {
    out(m.argument_identities);
  } else {
    out(std::vector<std::string>{});
  }
  return bytes;
}

std::optional<RunMetadata> decode_run_metadata(std::string_view bytes) {
  InputArchive in(bytes);
  std::uint16_t format = 0;
  in(format);
  if (format > kRunMetadataFormat) return std::nullopt;
  if (format != kRunMetadataFormat) throw CorruptRecord("run metadata has format version 0");
  RunMetadata m;
  in(m.task_name, m.started_ns, m.finished_ns, m.host, m.pid, m.batch_job, m.jug_version,
     m.peak_rss_bytes, m.code_version, m.argument_identities);
  if (in.remaining() != 0) throw CorruptRecord("run metadata has bytes after its end");
  return m;
}

std::string argument_identity(std::string_view hash_bytes) {
  if (hash_bytes.size() <= kLongestKeptIdentity) return std::string(hash_bytes);
  const XXH128_hash_t digest = XXH3_128bits(hash_bytes.data(), hash_bytes.size());
  XXH128_canonical_t canonical;
  XXH128_canonicalFromHash(&canonical, digest);
  std::string identity = {'#', hash_bytes.front()};
  identity.append(reinterpret_cast<const char*>(canonical.digest), sizeof canonical.digest);
  return identity;
}

}  // namespace jug
