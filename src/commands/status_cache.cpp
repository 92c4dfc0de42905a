#include "commands/status_cache.hpp"

#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstdint>
#include <cstdio>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <iterator>
#include <stdexcept>
#include <string_view>

#include <fmt/format.h>

#include "codec/checksum.hpp"

namespace jug {
namespace {

// The file: the magic line; the store and the token, each as a 64-bit
// length and its bytes; the graph digest (16 bytes); the number of tasks
// (64 bits); one bit per task, finished or not, lowest bit first; then an
// XXH3-64 of everything before it. Numbers are little-endian.
constexpr std::string_view kMagic = "jug status cache 1\n";
constexpr std::uint64_t kChecksumSeed = 0x6a75672d73746174;  // "jug-stat"

void put_number(std::string& out, std::uint64_t value) {
  for (int i = 0; i < 8; ++i) out.push_back(static_cast<char>((value >> (8 * i)) & 0xff));
}

/// Reads the file's fields in order; any read past its end fails the rest.
class Fields {
 public:
  explicit Fields(std::string_view bytes) : rest_(bytes) {}
  bool ok() const { return ok_; }
  std::string_view take(std::size_t size) {
    if (!ok_ || size > rest_.size()) {
      ok_ = false;
      return {};
    }
    const std::string_view out = rest_.substr(0, size);
    rest_.remove_prefix(size);
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
  bool at_end() const { return ok_ && rest_.empty(); }

 private:
  std::string_view rest_;
  bool ok_ = true;
};

std::optional<std::string> read_whole(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) return std::nullopt;
  std::string bytes((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
  if (in.bad()) return std::nullopt;
  return bytes;
}

}  // namespace

StatusCacheKey status_cache_key(const Graph& graph, const Store& store, std::string token) {
  StatusCacheKey key{store.describe(), std::move(token), {}, graph.size()};
  record::Checksum digest(0);
  const auto& hashes = graph.hashes();
  digest.add(reinterpret_cast<const char*>(hashes.data()), hashes.size() * sizeof(TaskHash));
  key.graph_digest = digest.wide_value();
  return key;
}

std::optional<std::vector<bool>> read_status_cache(const std::string& path,
                                                   const StatusCacheKey& key) {
  const std::optional<std::string> bytes = read_whole(path);
  if (!bytes || bytes->size() < kMagic.size() + 8) return std::nullopt;
  const std::string_view body(bytes->data(), bytes->size() - 8);
  Fields checksum(std::string_view(*bytes).substr(body.size()));
  if (checksum.number() != record::checksum_of(body, kChecksumSeed)) return std::nullopt;
  Fields fields(body);
  if (fields.take(kMagic.size()) != kMagic) return std::nullopt;
  StatusCacheKey found;
  found.store = fields.sized();
  found.token = fields.sized();
  const std::string_view digest = fields.take(found.graph_digest.size());
  if (fields.ok()) std::memcpy(found.graph_digest.data(), digest.data(), digest.size());
  found.tasks = fields.number();
  if (!fields.ok() || found != key) return std::nullopt;
  const std::string_view bits = fields.take((key.tasks + 7) / 8);
  if (!fields.at_end()) return std::nullopt;
  std::vector<bool> finished(key.tasks);
  for (std::size_t id = 0; id < key.tasks; ++id) {
    finished[id] = (static_cast<unsigned char>(bits[id / 8]) >> (id % 8)) & 1;
  }
  return finished;
}

void write_status_cache(const std::string& path, const StatusCacheKey& key,
                        const std::vector<bool>& finished) {
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
  put_number(bytes, record::checksum_of(bytes, kChecksumSeed));

  // Another status may write the same file at the same moment: each its own
  // temporary, and the last rename wins (both are true).
  const std::string temp = fmt::format("{}.{}.tmp", path, ::getpid());
  const auto failed = [&](const std::string& what, int err) {
    std::remove(temp.c_str());
    return std::runtime_error(fmt::format("cannot {}: {}", what, std::strerror(err)));
  };
  {
    std::ofstream out(temp, std::ios::binary | std::ios::trunc);
    if (!out) throw failed(fmt::format("create {}", temp), errno);
    out.write(bytes.data(), static_cast<std::streamsize>(bytes.size()));
    out.close();
    if (!out) throw failed(fmt::format("write {}", temp), errno);
  }
  if (std::rename(temp.c_str(), path.c_str()) != 0) {
    throw failed(fmt::format("rename {} to {}", temp, path), errno);
  }
}

StatusReport compute_status_cached(const Graph& graph, Store& store, StatusOptions options,
                                   const std::string& path, StatusCacheUse& use) {
  const std::optional<Store::RemovalGeneration> generation = store.removal_generation();
  std::optional<StatusCacheKey> key;
  std::optional<std::vector<bool>> known;
  if (!generation) {
    use.not_used = fmt::format(
        "the {} holds nothing yet, or cannot tell whether results were removed",
        store.describe());
  } else {
    key = status_cache_key(graph, store, generation->token);
    if (!generation->removers.empty()) {
      use.not_used = fmt::format("results are being removed, by {}", generation->removers.front());
      if (generation->removers.size() > 1) {
        use.not_used += fmt::format(" and {} other processes", generation->removers.size() - 1);
      }
    } else {
      known = read_status_cache(path, *key);
      if (!known) {
        std::error_code error;
        use.not_used =
            std::filesystem::exists(path, error)
                ? fmt::format("{} was made for another store or graph, or results were "
                              "removed since",
                              path)
                : fmt::format("there is no status cache at {} yet", path);
      }
    }
  }
  if (known) {
    use.taken = static_cast<std::size_t>(std::count(known->begin(), known->end(), true));
    options.known_finished = &*known;
  }
  StatusReport report = compute_status(graph, store, options);
  if (!key) return report;
  std::vector<bool> finished(graph.size());
  for (NodeId id = 0; id < graph.size(); ++id) {
    finished[id] = report.states[id] == TaskState::kFinished;
  }
  if (known && finished == *known) return report;
  // Written even while a remover is at work: made under the token read
  // before its removals ended, it will not be trusted once they have.
  try {
    write_status_cache(path, *key, finished);
  } catch (const std::runtime_error& e) {
    use.not_written = e.what();
  }
  return report;
}

}  // namespace jug
