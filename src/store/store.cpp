#include "store/store.hpp"

#include <cstdlib>
#include <filesystem>

#include <limits.h>
#include <unistd.h>

#include "engine/hash_index.hpp"
#include "store/batch_job.hpp"
#include "store/directory_watch.hpp"
#include "store/file_store.hpp"
#include "store/memory_store.hpp"
#include "store/process_identity.hpp"
#include "store/redis_store.hpp"
#include "store/redis_url.hpp"

namespace jug {
namespace {

/// From this many hashes on, one listing beats one lookup per hash.
constexpr std::size_t kListThreshold = 2048;

LeaseOwner owner_of_this_process() {
  LeaseOwner owner;
  char host[HOST_NAME_MAX + 1] = {};
  if (::gethostname(host, sizeof host - 1) == 0) owner.host = host;
  owner.pid = ::getpid();
  owner.process_start_ns = process_start_ns(static_cast<pid_t>(owner.pid));
  owner.machine = machine_identity();
  owner.batch_job = batch_job_of_this_process();
  return owner;
}

}  // namespace

std::vector<bool> Store::contains_all(std::span<const TaskHash> hashes) {
  std::vector<bool> found(hashes.size());
  if (hashes.size() >= kListThreshold) {
    const std::vector<TaskHash> stored = list();
    const HashIndex index = HashIndex::of(stored);
    for (std::size_t i = 0; i < hashes.size(); ++i) {
      found[i] = index.find(hashes[i], stored).has_value();
    }
  } else {
    for (std::size_t i = 0; i < hashes.size(); ++i) found[i] = contains(hashes[i]);
  }
  return found;
}

std::optional<LeasedTask> Store::acquire_and_read(const TaskHash& hash,
                                                  const LeaseOwner& owner) {
  if (!acquire(hash, owner)) return std::nullopt;
  LeasedTask task;
  task.stored = contains(hash);
  if (!task.stored) {
    task.troubles.failure = failure(hash);
    task.troubles.crashes = crashes(hash);
  }
  return task;
}

std::optional<Store::RecordPlace> Store::record_place(const TaskHash&) { return std::nullopt; }

std::unique_ptr<RecordSource> Store::open_record(const TaskHash& hash) {
  std::optional<std::string> record = get(hash);
  if (!record) return nullptr;
  return std::make_unique<RecordInMemory>(std::move(*record));
}

void Store::put_and_clear(const TaskHash& hash, const RecordBytes& record,
                          const TaskTroubles& recorded) {
  put(hash, record);
  if (recorded.failure) clear_failure(hash);
  if (!recorded.crashes.empty()) clear_crashes(hash);
}

void Store::put_and_release(const TaskHash& hash, const RecordBytes& record,
                            const LeaseOwner& owner, const TaskTroubles& recorded) {
  put_and_clear(hash, record, recorded);
  release(hash, owner);
}

std::optional<LeasedTask> Store::put_release_and_acquire(const TaskHash& hash,
                                                         const RecordBytes& record,
                                                         const LeaseOwner& owner,
                                                         const TaskTroubles& recorded,
                                                         const TaskHash& next) {
  put_and_release(hash, record, owner, recorded);
  return acquire_and_read(next, owner);
}

std::optional<std::string> Store::failure(const TaskHash& hash) {
  for (FailureInfo& f : list_failures()) {
    if (f.hash == hash) return std::move(f.message);
  }
  return std::nullopt;
}

std::string crash_line(std::string_view what) {
  std::string line(what);
  for (char& c : line) {
    if (c == '\n' || c == '\r') c = ' ';
  }
  return line;
}

std::chrono::system_clock::time_point Store::now() { return std::chrono::system_clock::now(); }

LeaseOwner LeaseOwner::self() {
  // Cached per thread rather than behind a lock, and checked against the
  // pid: a forked child is another owner, and a lock held by some thread at
  // fork time must not hang the child.
  thread_local LeaseOwner cached;
  if (cached.pid != current_process_id()) cached = owner_of_this_process();
  return cached;
}

namespace {

/// `path` if it is a directory, else its nearest ancestor that is: where a
/// store not made yet will be.
std::string nearest_existing_directory(const std::string& path) {
  std::error_code error;
  std::filesystem::path at = std::filesystem::absolute(path, error);
  while (!at.empty() && !std::filesystem::is_directory(at, error) && at != at.parent_path()) {
    at = at.parent_path();
  }
  return at.string();
}

}  // namespace

std::unique_ptr<Store> open_store(const std::string& jugdir, const StoreOptions& options) {
  if (jugdir == "memory:") return std::make_unique<MemoryStore>();
  if (RedisUrl::names_redis(jugdir)) {
    return std::make_unique<RedisStore>(jugdir, options.reconnect_time);
  }
  // A new store puts small results in segments unless
  // JUG_FILE_STORE_SEGMENTS=0 asks for a file per result (format 1, which a
  // jug from before segments can read, and which the benchmarks compare
  // with); a store that has segments uses them whatever it says.
  const char* segments = std::getenv("JUG_FILE_STORE_SEGMENTS");
  const bool files = segments != nullptr && std::string_view(segments) == "0";
  // A worker alone on the store takes no lock file per task, where every
  // worker sees the store through this kernel; JUG_LONE_WORKER=0 says never
  // (a new store is then of format 2, as from a jug before it).
  const char* lone = std::getenv("JUG_LONE_WORKER");
  const bool lone_allowed = (lone == nullptr || std::string_view(lone) != "0") &&
                            !is_shared_filesystem(nearest_existing_directory(jugdir));
  return std::make_unique<FileStore>(
      jugdir, real_file_system(),
      files ? FileStore::SmallResults::in_files : FileStore::SmallResults::in_segments,
      lone_allowed ? FileStore::LoneWorker::when_alone : FileStore::LoneWorker::never);
}

}  // namespace jug
