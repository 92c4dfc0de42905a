#pragma once
/// The store interface: where results, leases and failures live. Commands see
/// only this; each backend is one file (file_store, memory_store, ...).
///
/// Results are opaque records (record.hpp frames and checks them), so every
/// backend gets checksums and versioning for free. All methods are safe to
/// call from several threads at once, and from several processes (or hosts)
/// sharing the same store.

#include <chrono>
#include <cstdint>
#include <functional>
#include <memory>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "jug/task_hash.hpp"
#include "store/record_io.hpp"

namespace jug {

/// Who holds a lease: enough to tell whether the holder is still alive.
struct LeaseOwner {
  std::string host;
  std::int64_t pid = 0;
  /// When the owning process started (ns since the epoch), so that a reused
  /// pid is not mistaken for the owner.
  std::int64_t process_start_ns = 0;
  /// Which kernel and pid namespace `pid` belongs to (boot id and namespace
  /// inode). Host names say too little: containers on different machines
  /// often share one, and so do pids in different namespaces. Only an owner
  /// on the same machine can be checked for being alive; others expire.
  std::string machine;
  /// The batch job it runs in ("SLURM job 4242"), empty outside one: for
  /// messages only, to tell the user which job to look at.
  std::string batch_job{};

  friend bool operator==(const LeaseOwner&, const LeaseOwner&) = default;
  /// The owner of this process.
  static LeaseOwner self();
};

/// A lease as found in the store.
struct LeaseInfo {
  TaskHash hash;
  /// Empty (no host, pid 0) while the holder is still writing it.
  LeaseOwner owner;
  /// When the lease was taken or last renewed, by the store's clock.
  std::chrono::system_clock::time_point renewed;
};

struct FailureInfo {
  TaskHash hash;
  std::string message;
};

/// What earlier runs recorded against a task: a failure, crashes.
struct TaskTroubles {
  std::optional<std::string> failure;
  /// Oldest first.
  std::vector<std::string> crashes;
};

/// What a worker reads of a task as soon as it holds the task's lease.
struct LeasedTask {
  /// Its result is stored already (another worker finished it between
  /// this worker's listing and its lease).
  bool stored = false;
  TaskTroubles troubles;
};

/// Wakes a worker waiting for other workers when a lease is given back or
/// broken (a task finished, failed, or its worker was found gone).
class LeaseWatch {
 public:
  virtual ~LeaseWatch() = default;
  /// Waits until a lease may have changed, or `timeout` passes; true when
  /// something changed. Called by one thread at a time.
  virtual bool wait(std::chrono::milliseconds timeout) = 0;
};

class Store {
 public:
  virtual ~Store() = default;

  /// Says what and where the store is, for messages ("file store at X").
  virtual std::string describe() const = 0;
  /// Where one result lives (a path, a key), for messages.
  virtual std::string location(const TaskHash& hash) const = 0;
  /// Where the record of `hash` starts in a file, for tools that read it
  /// themselves (jug show --json): a result file, or a segment.
  struct RecordPlace {
    std::string file;
    std::uint64_t offset = 0;
  };
  /// Nothing when no file holds a record of it (Redis keeps none).
  virtual std::optional<RecordPlace> record_place(const TaskHash& hash);

  // ---- results -----------------------------------------------------------
  /// The record stored for `hash`, or nullopt when there is none.
  virtual std::optional<std::string> get(const TaskHash& hash) = 0;
  /// The record stored for `hash`, to be read in pieces (a big result is
  /// never whole in memory but as its value), or nullptr when there is
  /// none. By default, get()'s string.
  virtual std::unique_ptr<RecordSource> open_record(const TaskHash& hash);
  /// Publishes a complete record atomically: readers see all of it or none.
  /// A big record is written as its producer makes it (record_io.hpp).
  /// Throws StoreError (full disk, permissions...) leaving nothing visible.
  virtual void put(const TaskHash& hash, const RecordBytes& record) = 0;
  virtual bool contains(const TaskHash& hash) = 0;
  /// For each hash (distinct, as a graph's are), whether a result is
  /// stored; backends answer in bulk.
  virtual std::vector<bool> contains_all(std::span<const TaskHash> hashes);
  /// Returns false when there was nothing to remove.
  virtual bool remove(const TaskHash& hash) = 0;
  /// Every stored result.
  virtual std::vector<TaskHash> list() = 0;
  /// Makes every result published so far durable (survives a power cut).
  virtual void sync() = 0;
  /// What repair_index found: entries of the store's own index of its keys
  /// (a store that keeps one, Redis) that disagreed with the keys.
  struct IndexRepair {
    /// Keys the index did not list.
    std::size_t unlisted = 0;
    /// Entries of the index for keys that are gone.
    std::size_t stale = 0;
    /// Parts of large records that no record uses (a worker died before
    /// publishing the record they were written for).
    std::size_t orphan_parts = 0;
  };
  /// Makes the index agree with the keys (only counts, with `dry_run`),
  /// for cleanup: an index damaged by hand, or by a server that lost
  /// writes, would hide results from status and execute. Throws StoreError.
  virtual IndexRepair repair_index(bool /*dry_run*/) { return {}; }
  /// Removes the files that writers which are gone left behind (a
  /// temporary file never renamed, a lease's breaker or last words once the
  /// lease is gone, a worker's marker, a remover's mark), judged as leases
  /// are, with `lease_time` for writers on other machines; returns how many
  /// it removed (with `dry_run`, would remove). Stores without such files have none. Throws StoreError.
  virtual std::size_t remove_abandoned_files(std::chrono::duration<double> /*lease_time*/,
                                             bool /*dry_run*/) {
    return 0;
  }
  /// Damage found in the store's own files, beside its records (a segment
  /// frame whose header fails its checksum, the tail of a frame whose
  /// writer died appending it: docs/store-layout.md), one sentence each
  /// saying where and what becomes of it; writers on other machines are
  /// judged gone after `lease_time`. Throws StoreError.
  virtual std::vector<std::string> damage(std::chrono::duration<double> /*lease_time*/) {
    return {};
  }
  /// Whether results stored earlier in this process's life may have
  /// vanished since the last call (a Redis server that restarted without
  /// its data): what a worker knows to be done must be looked at again.
  virtual bool take_lost_results() { return false; }
  /// Why results kept here could vanish by the store's own settings (a
  /// server that may evict them, or keeps them only in memory), for
  /// execute to warn of once; nothing when they are safe, or when the
  /// store cannot tell.
  virtual std::optional<std::string> durability_warning() { return std::nullopt; }

  // ---- removals --------------------------------------------------------------
  // A stored result stays stored until someone removes it (invalidate,
  // cleanup, a damaged record taken away to be computed again): a list of
  // the tasks found finished (status --cache, commands/status_cache.hpp)
  // stays true for as long as no result was removed since it was made.

  /// What tells whether results were removed since an earlier look.
  struct RemovalGeneration {
    /// Changes whenever results are removed (after the removal is done),
    /// and when the store is made anew.
    std::string token;
    /// Processes removing results now, or that died doing so (for
    /// messages): while any is listed, `token` may be the one from before
    /// their removals, so no earlier look can be trusted.
    std::vector<std::string> removers;
  };
  /// The store's removal generation, or nullopt when this store cannot
  /// tell (no earlier look is ever trusted then) or holds nothing yet.
  /// Read what it says in this order: removers first, then the token, so
  /// that a removal that ends between the two reads changes the token read.
  /// May write a first token into a store that has none. Throws StoreError.
  virtual std::optional<RemovalGeneration> removal_generation() { return std::nullopt; }
  /// Says that this process has removed what it meant to, for now: a store
  /// whose removals cannot change the token in the same step as they remove
  /// (the file store) changes it here, then stops listing this process
  /// among the removers. Commands call it once their removals are done;
  /// the store's destructor does too, where it can. Throws StoreError, and
  /// this process then stays listed (which is safe: only slower).
  virtual void removals_done() {}

  // ---- leases --------------------------------------------------------------
  // A lease says a worker is running a task. Its holder renews it; a lease
  // whose holder is gone is broken by whoever finds it so (see
  // commands/lease_keeper.hpp and store/lease_judge.hpp).

  /// Takes the lease of `hash` for `owner`; false when someone holds it.
  virtual bool acquire(const TaskHash& hash, const LeaseOwner& owner) = 0;
  /// acquire(), then, when the lease is taken, what a worker reads before
  /// it runs the task: contains(), failure(), crashes(). A store on a
  /// server does it in one round trip, so that starting a task costs one.
  /// Nothing when someone else holds the lease.
  virtual std::optional<LeasedTask> acquire_and_read(const TaskHash& hash,
                                                     const LeaseOwner& owner);
  /// Extends a lease `owner` holds. Throws StoreError ("lease lost") when the
  /// lease is gone or held by someone else.
  virtual void renew(const TaskHash& hash, const LeaseOwner& owner) = 0;
  /// Gives back a lease `owner` holds; does nothing when the lease is gone or
  /// someone else holds it (it was broken and taken over meanwhile).
  virtual void release(const TaskHash& hash, const LeaseOwner& owner) = 0;
  /// How a worker finishes a task: put(), then clears the failure and the
  /// crashes `recorded` says there are, then release(); in this order, so
  /// that whoever the release wakes finds the result and no stale trouble.
  /// A store on a server does it all in one transaction. Throws StoreError;
  /// the result may then be stored or not (contains() tells).
  virtual void put_and_release(const TaskHash& hash, const RecordBytes& record,
                               const LeaseOwner& owner, const TaskTroubles& recorded);
  /// put_and_release() of a finished task, then acquire_and_read() of the
  /// task `next` for the same owner: how a worker goes from one task to
  /// the next, in one round trip on a store on a server. Throws
  /// StoreError; the result may then be stored or not (contains() tells),
  /// and the lease of `next` held or not (release() gives it back if so).
  virtual std::optional<LeasedTask> put_release_and_acquire(const TaskHash& hash,
                                                            const RecordBytes& record,
                                                            const LeaseOwner& owner,
                                                            const TaskTroubles& recorded,
                                                            const TaskHash& next);
  /// The lease of one task, if one is held.
  /// This process takes no more leases, and holds none (it is about to
  /// exit): what stands for it among the leases goes too (the file store's
  /// lone worker's lease and worker marker, docs/store-layout.md).
  virtual void stop_taking_leases() {}
  /// Renews what stands for this worker among the leases whether or not it
  /// holds any (the file store's worker marker or lone worker's lease):
  /// called by the lease keeper at each round. Throws StoreError.
  virtual void renew_worker() {}
  virtual std::optional<LeaseInfo> lease(const TaskHash& hash) = 0;
  virtual std::vector<LeaseInfo> list_leases() = 0;
  /// Removes the lease described by `seen` (as lease() or list_leases()
  /// returned it) if it is still that lease: same owner, not renewed since.
  /// Of several workers breaking one lease at once, exactly one gets true;
  /// a lease taken or renewed since `seen` is left alone (false).
  /// `before_removal` runs in the one that succeeds, once the lease is known
  /// to be the one seen and while it still keeps everyone else out: what it
  /// records (a crash) is there before any worker can take the task.
  virtual bool break_lease(const LeaseInfo& seen,
                           const std::function<void()>& before_removal = {}) = 0;
  /// A watch on every lease of the store, or nullptr when this backend (or
  /// the filesystem under it) cannot tell: the caller then polls.
  virtual std::unique_ptr<LeaseWatch> watch_leases() { return nullptr; }
  /// The store's clock, which lease renewal times are measured by (on a
  /// shared filesystem, the server's: hosts' clocks may disagree).
  virtual std::chrono::system_clock::time_point now();

  // ---- failures ------------------------------------------------------------
  virtual void record_failure(const TaskHash& hash, std::string_view message) = 0;
  virtual std::vector<FailureInfo> list_failures() = 0;
  /// The failure recorded for one task, if any (backends answer without
  /// listing them all).
  virtual std::optional<std::string> failure(const TaskHash& hash);
  /// Returns false when there was no failure recorded.
  virtual bool clear_failure(const TaskHash& hash) = 0;

  // ---- crashes ---------------------------------------------------------------
  // A worker that died holding a task's lease (segfault, out-of-memory kill,
  // time limit) leaves no failure behind; whoever breaks its lease records a
  // crash, so that a task that kills every worker running it is given up.

  /// Adds one crash of `hash`, described by `what` (kept on one line, see
  /// crash_line); returns every crash now recorded for it, oldest first.
  virtual std::vector<std::string> record_crash(const TaskHash& hash, std::string_view what) = 0;
  /// The crashes recorded for one task, oldest first.
  virtual std::vector<std::string> crashes(const TaskHash& hash) = 0;
  /// Tasks with crashes recorded.
  virtual std::vector<TaskHash> list_crashed() = 0;
  /// Returns false when there was no crash recorded.
  virtual bool clear_crashes(const TaskHash& hash) = 0;

  /// A file where a worker dying of a signal while it runs `hash` (a
  /// segfault, abort()) leaves one line saying how it died, written from
  /// its signal handler (so: a plain local path, opened and written with no
  /// library), so that whoever breaks its lease records that with the
  /// crash. Empty where this store has none: the crash is recorded without.
  virtual std::string last_words_path(const TaskHash& /*hash*/) const { return {}; }
  /// The line left by the worker whose lease `broken` was (as lease()
  /// returned it, just broken), if it left one: words older than that
  /// lease's last renewal are an earlier worker's, and not returned. Removed
  /// as they are read. Throws StoreError when they cannot be read.
  virtual std::optional<std::string> take_last_words(const LeaseInfo& /*broken*/) {
    return std::nullopt;
  }

  // ---- users -----------------------------------------------------------------
  // The jugfiles that ran `jug execute` on this store. Several jugfiles may
  // share one store (--jugdir); each knows only its own tasks, so cleanup of
  // one must not take the others' results for unused ones without a word.

  /// Records that the jugfile `jugfile` (its absolute path) uses the store.
  /// Noting one already noted changes nothing; of several workers noting
  /// one at once, it ends up listed once. Throws StoreError when it cannot
  /// be recorded.
  virtual void note_user(std::string_view jugfile) = 0;
  /// Every jugfile noted so far, each once, sorted. Throws StoreError when
  /// they cannot be read.
  virtual std::vector<std::string> list_users() = 0;

 protected:
  /// What put_and_release() does before the release: put(), then the
  /// failure and crashes `recorded` says there are cleared.
  void put_and_clear(const TaskHash& hash, const RecordBytes& record,
                     const TaskTroubles& recorded);
};

/// `what` with line breaks made spaces: each crash is one line.
std::string crash_line(std::string_view what);

/// How a store that lives on a server behaves when the server goes away.
struct StoreOptions {
  /// For how long a call reconnects to a server that restarted or became
  /// unreachable before it throws StoreError (--reconnect-time).
  std::chrono::duration<double> reconnect_time{300};
};

/// Opens the store a --jugdir names: a directory path (the file store),
/// `redis://...` or `unix://...` (the Redis store, docs/redis.md), or
/// `memory:` (a store living only in this process, for tests).
std::unique_ptr<Store> open_store(const std::string& jugdir, const StoreOptions& options = {});

}  // namespace jug
