#pragma once
/// `jug status --cache`: the tasks found finished, kept in a file between
/// runs, so that a status asks the store only about the others. On a slow
/// store (Redis across a slow link, a network filesystem holding a million
/// results) that is most of what status costs; the graph is still built
/// from the jugfile each time, since a jugfile may read files or a database
/// and make other tasks.
///
/// A finished task stays finished until its result is removed. The cache is
/// trusted only while the store says no result was removed since it was
/// made (Store::removal_generation: the same token, and no remover at work
/// or killed half-way), for the same store and the same graph; else every
/// task is looked up, as without --cache. So it never shows a state plain
/// status would not, but for a result deleted by hand, outside jug, which
/// it still shows finished (docs/jug-command.md).

#include <array>
#include <cstddef>
#include <optional>
#include <string>
#include <vector>

#include "commands/status.hpp"
#include "commands/status_cache_file.hpp"

namespace jug {

/// The key of `graph`, stored in `store` under `token`.
StatusCacheKey status_cache_key(const Graph& graph, const Store& store, std::string token);

/// Per task (by NodeId), whether the cache file at `path` says it is
/// finished; nullopt when the file is missing, damaged, or made for another
/// key.
std::optional<std::vector<bool>> read_status_cache(const std::string& path,
                                                   const StatusCacheKey& key);
/// Writes the cache file at `path`, beside it first and then renamed, so
/// that a reader (another status) sees the old file or the new one. Throws
/// std::runtime_error saying why it could not.
void write_status_cache(const std::string& path, const StatusCacheKey& key,
                        const std::vector<bool>& finished);

/// What a cached status did, for --verbose and for warnings.
struct StatusCacheUse {
  /// Finished tasks taken from the cache, not looked up.
  std::size_t taken = 0;
  /// Why the cache was not used, when it was not ("no cache yet", ...).
  std::string not_used;
  /// Why the cache could not be written, when it could not.
  std::string not_written;
};

/// compute_status(), with the finished tasks the cache file at `path` holds
/// for this graph and store taken as finished, and the file brought up to
/// date afterwards (only when what it says changed).
StatusReport compute_status_cached(const Graph& graph, Store& store, StatusOptions options,
                                   const std::string& path, StatusCacheUse& use);

}  // namespace jug
