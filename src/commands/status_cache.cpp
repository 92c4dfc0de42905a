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
#include "commands/status_cache_file.hpp"

namespace jug {
namespace {

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
  if (!bytes) return std::nullopt;
  std::optional<StatusCacheFile> file = decode_status_cache(*bytes);
  if (!file || file->key != key) return std::nullopt;
  return std::move(file->finished);
}

void write_status_cache(const std::string& path, const StatusCacheKey& key,
                        const std::vector<bool>& finished) {
  const std::string bytes = encode_status_cache(key, finished);

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
