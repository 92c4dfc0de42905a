#pragma once
/// FileStore: the default store, a directory of plain files (layout in
/// docs/store-layout.md). Every state change is one atomic filesystem
/// operation (rename, exclusive create, unlink), so many threads, processes
/// and hosts sharing the directory (NFS included) need no other coordination.
///
/// Reading never creates anything: `jug status` on a fresh project leaves no
/// trace. Directories appear on the first write.

#include <atomic>
#include <condition_variable>
#include <functional>
#include <memory>
#include <mutex>
#include <optional>
#include <shared_mutex>
#include <string>
#include <thread>
#include <unordered_set>
#include <utility>
#include <vector>

#include "store/file_system.hpp"
#include "store/posix_files.hpp"
#include "store/real_file_system.hpp"
#include "store/segment_appender.hpp"
#include "store/segment_index.hpp"
#include "store/store.hpp"

namespace jug {

class FileStore final : public Store {
 public:
  /// The first line of `jugdata-format` in a store of result files only,
  /// which every version of this jug reads.
  static constexpr std::string_view kFormatLine = "jug-cpp file store 1\n";
  /// ... and in a store with segments (docs/store-layout.md), which a jug
  /// from before them would not see: it refuses the store instead.
  static constexpr std::string_view kSegmentsFormatLine = "jug-cpp file store 2\n";
  /// ... and in a store with segments whose workers follow the lone
  /// worker's protocol (docs/store-layout.md, "The lone worker"): a jug that
  /// does not know it refuses the store, since it would take the leases of
  /// tasks the lone worker runs.
  static constexpr std::string_view kLoneWorkerFormatLine = "jug-cpp file store 3\n";

  /// Where a store without segments yet (a new one, or one of format 1)
  /// puts its small results; a store with segments puts them there.
  enum class SmallResults { in_segments, in_files };
  /// Whether this process may hold the lone worker's lease, which spares it
  /// a lock file per task while no other worker runs (a store of format 3,
  /// which a new store with segments then is). Only where all workers see
  /// the store through this kernel: not on a shared filesystem.
  enum class LoneWorker { never, when_alone };

  /// Opens the store at `directory` (which need not exist yet), on `fs`: the
  /// operating system's, or in tests one in memory or one that fails on
  /// purpose. Throws StoreError when the directory holds something else:
  /// another format of this store, a Python jug store, or a plain file.
  /// `small_results`: in_files keeps a new store in the layout of format 1
  /// (for comparisons, and for the tests of that layout).
  explicit FileStore(const std::string& directory,
                     std::shared_ptr<FileSystem> fs = real_file_system(),
                     SmallResults small_results = SmallResults::in_segments,
                     LoneWorker lone_worker = LoneWorker::never);
  /// Gives back the lone worker's lease and its worker marker, then calls
  /// removals_done() (file_store_removals.cpp), errors ignored.
  ~FileStore() override;

  std::string describe() const override;
  std::string location(const TaskHash& hash) const override;
  std::optional<RecordPlace> record_place(const TaskHash& hash) override;

  std::optional<std::string> get(const TaskHash& hash) override;
  /// The result file, kept open and read where asked: a record replaced or
  /// removed meanwhile is still read whole, as it was when opened.
  std::unique_ptr<RecordSource> open_record(const TaskHash& hash) override;
  void put(const TaskHash& hash, const RecordBytes& record) override;
  bool contains(const TaskHash& hash) override;
  /// Marks this process as removing results first (removal_generation()).
  bool remove(const TaskHash& hash) override;
  std::vector<TaskHash> list() override;
  std::vector<bool> contains_all(std::span<const TaskHash> hashes) override;
  void sync() override;
  /// tmp/'s files, the format file's temporary at the top, and in locks/
  /// breakers and last words (file_store_leftovers.cpp).
  std::size_t remove_abandoned_files(std::chrono::duration<double> lease_time,
                                     bool dry_run) override;

  /// `removals/token`, and the processes whose mark is in `removals/`
  /// (file_store_removals.cpp). Writes a first token into a store without one.
  std::optional<RemovalGeneration> removal_generation() override;
  /// A new `removals/token`, then this process's mark taken away.
  void removals_done() override;

  bool acquire(const TaskHash& hash, const LeaseOwner& owner) override;
  /// A lone worker (docs/store-layout.md) answers from what it knows of the
  /// store (LoneView): no other process writes results while it is lone.
  std::optional<LeasedTask> acquire_and_read(const TaskHash& hash,
                                             const LeaseOwner& owner) override;
  /// A lone worker's lease goes from one task to the next with one write.
  std::optional<LeasedTask> put_release_and_acquire(const TaskHash& hash,
                                                    const RecordBytes& record,
                                                    const LeaseOwner& owner,
                                                    const TaskTroubles& recorded,
                                                    const TaskHash& next) override;
  void renew(const TaskHash& hash, const LeaseOwner& owner) override;
  void release(const TaskHash& hash, const LeaseOwner& owner) override;
  std::optional<LeaseInfo> lease(const TaskHash& hash) override;
  /// Gives back the lone worker's lease (unless tasks are named in it) and
  /// the worker marker.
  void stop_taking_leases() override { end_lone_worker(); }
  void renew_worker() override;
  std::vector<LeaseInfo> list_leases() override;
  bool break_lease(const LeaseInfo& seen,
                   const std::function<void()>& before_removal = {}) override;
  /// The modification time of a file created now: the clock lock files'
  /// times come from (on NFS, the server's).
  std::chrono::system_clock::time_point now() override;
  /// inotify on locks/, on a local filesystem (directory_watch.hpp).
  std::unique_ptr<LeaseWatch> watch_leases() override;

  void record_failure(const TaskHash& hash, std::string_view message) override;
  std::vector<FailureInfo> list_failures() override;
  std::optional<std::string> failure(const TaskHash& hash) override;
  bool clear_failure(const TaskHash& hash) override;

  std::vector<std::string> record_crash(const TaskHash& hash, std::string_view what) override;
  std::vector<std::string> crashes(const TaskHash& hash) override;
  std::vector<TaskHash> list_crashed() override;
  bool clear_crashes(const TaskHash& hash) override;
  std::string last_words_path(const TaskHash& hash) const override;
  std::optional<std::string> take_last_words(const LeaseInfo& broken) override;

  /// `users/<SHA-256 of the path>` (file_store_users.cpp).
  void note_user(std::string_view jugfile) override;
  std::vector<std::string> list_users() override;

  /// The absolute path of the store directory.
  const std::string& root() const { return root_; }

  /// Records of at most this size are appended to this process's segment;
  /// bigger ones are a file each (docs/store-layout.md).
  static constexpr std::uint64_t kSegmentRecordLimit = 64 * 1024;

  /// What `jug pack` did (file_store_pack.cpp).
  struct PackSummary {
    /// Results copied into the new segments, and the result files and
    /// segments they came from (now gone).
    std::size_t results = 0;
    std::size_t result_files = 0;
    std::size_t segments = 0;
    /// Bytes of the segments packed, and of what replaced them.
    std::uint64_t bytes_before = 0;
    std::uint64_t bytes_after = 0;
    /// Segments left alone: their writers may still append.
    std::size_t segments_in_use = 0;
  };
  /// Copies the live results of the segments nobody appends to any more,
  /// and the small result files, into fresh segments, then deletes what
  /// they came from: removed results and damage are dropped, and the files
  /// are few. Safe while workers run. Throws StoreError, and when another
  /// pack runs (`pack.lock`, judged as a lease with `lease_time`).
  PackSummary pack(std::chrono::duration<double> lease_time);
  /// Damage found in segments: frame headers whose checksum fails, and
  /// tails torn by a writer that died appending (its process gone, or on
  /// another machine its segment untouched for `lease_time`).
  std::vector<std::string> damage(std::chrono::duration<double> lease_time) override;

 private:
  /// Every stored result's hash to `sink`, read by `workers` threads (told to
  /// `prepare` first, with the number of results expected).
  void scan_results(const std::function<void(std::size_t workers, std::size_t expected)>& prepare,
                    const std::function<void(std::size_t worker, const TaskHash&)>& sink);
  /// Whether `hash` has a result file (results/). Throws IoError.
  bool has_result_file(const TaskHash& hash);
  /// The results kept as files (results/), not those in segments.
  std::vector<TaskHash> list_files();
  std::string result_path(const TaskHash& hash) const;
  std::string lock_path(const TaskHash& hash) const;
  std::string failure_path(const TaskHash& hash) const;
  std::string crash_path(const TaskHash& hash) const;
  std::string user_path(std::string_view jugfile) const;
  /// Removes the `.break` file of a breaker that died holding it; whether
  /// it did (with `dry_run`, whether it would).
  bool remove_abandoned_breaker(const std::string& breaker, bool dry_run = false);
  /// A fresh name under tmp/ for a file about to be published as `hash`.
  std::string temp_path(const TaskHash& hash) const;

  /// The lock remove() holds (shared) while it unlinks a result: taken
  /// once this process's removal mark is in `removals/` and fresh, so that
  /// removals_done() (which takes it exclusively) never changes the token
  /// while a removal it does not cover is under way. Throws IoError.
  std::shared_lock<std::shared_mutex> hold_removal_mark();
  /// Writes `removals/token` anew: a random 128-bit number.
  void publish_removal_token();
  /// Each mark in `removals/` (its path) and who made it, when, as a lease
  /// to judge (lease_judge.hpp); marks gone meanwhile are left out.
  std::vector<std::pair<std::string, LeaseInfo>> removal_marks();
  /// Removes the marks of removers `gone` says are, after a new token (for
  /// remove_abandoned_files); how many (with `dry_run`, would remove).
  std::size_t remove_abandoned_removal_marks(const std::function<bool(const LeaseInfo&)>& gone,
                                             bool dry_run);
  /// The writer a temporary file's name (or a removal mark's) says, with
  /// the file's last change as its renewal, to judge as a lease; nothing
  /// when it is gone or not a plain file (file_store_leftovers.cpp).
  /// Throws IoError.
  std::optional<LeaseInfo> temp_file_writer(const std::string& path, std::string_view name);

  /// Refuses a directory that is not a store of this format (see the
  /// constructor); does nothing when the directory does not exist.
  void check_existing_directory() const;
  /// Makes the store directory and its `jugdata-format` file, then `dir`
  /// (mkdir -p); run when a write meets ENOENT, so it costs nothing later.
  void create_directory(const std::string& dir) const;
  /// Creates `path` (O_EXCL) in `directory`, making the directory (and the
  /// store) on ENOENT, so that this costs nothing once they exist. Returns
  /// the open file, or the errno of the failure (EEXIST: it exists).
  posix::OpenFile create_new_file(const std::string& path, const std::string& directory) const;
  /// When what publish() writes is made durable.
  enum class Durable {
    /// At the next sync(): results, many and large, which a power cut may
    /// tear (their checksum then refuses them, and they are made again).
    at_next_sync,
    /// Before it replaces anything: small records nothing could make again
    /// (a task's crashes, the store's users), few enough for an fdatasync
    /// each. A power cut then leaves the old file or the whole new one.
    before_rename,
  };
  /// Writes `data` to a new file under tmp/ and renames it to `destination`:
  /// readers see all of it or nothing. Throws IoError (or what a big
  /// record's producer throws), leaving no temp file.
  void publish(const TaskHash& hash, const RecordBytes& data, const std::string& destination,
               Durable durable = Durable::at_next_sync);

  /// Opens sync_directory_ if the store's directory exists and it is not
  /// open yet.
  void open_sync_directory() const;
  /// What the format file's `line` (one this jug reads) says of the store.
  void note_format(const std::string& line) const;
  /// Writes `line` into `jugdata-format` (aside, then renamed, or with
  /// `replace` false linked: false when the file exists); `durable`:
  /// synced before the rename. Throws IoError.
  bool write_format(std::string_view line, bool durable, bool replace = true) const;

  // ---- segments (file_store_segments.cpp) ----
  /// Appends a record to this process's segment. Throws IoError.
  void put_in_segment(const TaskHash& hash, std::string_view record);
  /// The record of `hash` in a segment; `refresh`: reads what other
  /// processes appended first (else only when last read more than 100 ms
  /// ago, file_store_segments.cpp). Throws IoError.
  std::optional<std::string> segment_record(const TaskHash& hash, bool refresh);
  /// Whether a segment holds a result of `hash`. Throws IoError.
  bool in_segments(const TaskHash& hash, bool refresh);
  /// Appends the removal of every result of `hash` in the segments
  /// (`refresh`: read again first); whether there was one. Throws IoError.
  bool remove_from_segments(const TaskHash& hash, bool refresh);
  /// Reads what other processes appended: always with `refresh`, else when
  /// the last read is older than a found result is trusted. Holds no lock:
  /// the caller holds index_mutex_. Throws IoError.
  void look_again_at_segments(bool refresh);
  /// Appends the removal of the results of `hash` at `places`. Throws IoError.
  void remove_places(const TaskHash& hash, const std::vector<SegmentIndex::Place>& places);
  /// Makes a segment file (the store, its directory and format 2 first).
  posix::OpenFile create_segment_file(const std::string& path);
  /// Writes the index file of the sealed segment `segment`; errors ignored
  /// (a cache: readers read the segment instead).
  void publish_segment_index(const std::string& segment, const std::string& index);
  // ---- the lone worker's lease (file_store_lone_lease.cpp) ----
  /// How this process takes task leases in a store of format 3.
  enum class LeaseMode : std::uint8_t {
    /// Not asked yet.
    undecided,
    /// Holds `locks/lone-worker.lock`: takes leases in it, no lock file.
    lone,
    /// Its worker marker is in locks/ and no lone worker was there after:
    /// a lock file per task.
    shared,
    /// Another worker holds the lone lease, and is asked to give it up.
    blocked,
  };
  /// The lease of `hash` taken (true) or not under the lone worker's
  /// protocol, or nullopt when a lock file per task is the way (a store of
  /// another format, or this process in shared mode). Taken, and with
  /// `read`: what a worker reads before it runs the task, from the lone
  /// view. Throws IoError.
  std::optional<bool> acquire_lone(const TaskHash& hash, const LeaseOwner& owner,
                                   LeasedTask* read = nullptr);
  /// In lone mode, the lease of `done` (held here) given to `next` with one
  /// write, and what a worker reads before it runs `next`. Nothing when
  /// this process is not the lone worker, or holds `next` already: release
  /// and acquire then do it. Throws IoError.
  std::optional<LeasedTask> swap_lone_lease(const TaskHash& done, const TaskHash& next,
                                            const LeaseOwner& owner);
  /// What a worker reads before it runs `hash`, whose lease it took in lone
  /// mode (lone_mutex_ held): from the lone view, made first if need be.
  /// Throws IoError.
  LeasedTask read_as_lone(const TaskHash& hash);
  /// What the lone view is told of this process's own writes.
  enum class LoneNote : std::uint8_t { result_file, failure, crash };
  void note_in_lone_view(LoneNote note, const TaskHash& hash);
  /// Forgets the lone lease and the lone view: this process is no longer
  /// the lone worker (lone_mutex_ held).
  void forget_lone_lease();
  /// The lone lease's last renewal (its modification time). Throws IoError.
  std::chrono::system_clock::time_point lone_lease_renewed() const;
  /// In shared mode, whether this worker's marker is still there (not
  /// removed as a frozen worker's); if not, the mode is undecided again.
  /// Throws IoError.
  bool worker_marker_stands(const TaskHash& hash);
  /// Decides the mode, holding lone_mutex_ alone: makes the worker marker,
  /// then tries to create the lone lease. Throws IoError.
  void decide_lease_mode(const LeaseOwner& owner);
  /// Whether locks/ holds anything of another worker (its marker, a lock,
  /// a breaker): then this process may not hold the lone lease. Removes the
  /// markers of workers on this machine that are gone. Throws IoError.
  bool other_workers_in_locks(const LeaseOwner& owner);
  /// Writes the lone lease anew with lone_tasks_, in place. Throws IoError.
  void write_lone_lease();
  /// Whether this process is the lone worker, its lease intact; when the
  /// lease was broken, it no longer is (undecided). Throws IoError.
  bool still_lone();
  /// Whether the lone lease is still the file this process made (not
  /// broken by a worker that thought it gone). Throws IoError.
  bool lone_lease_intact();
  /// Gives up the lone lease for a lock file per task (each task it runs
  /// gets one), its marker made first: another worker asked. False when a
  /// breaker holds the lone lease's `.break` (try again later). Throws
  /// IoError.
  bool leave_lone_mode();
  /// What leave_lone_mode does under the `.break` file.
  void convert_lone_lease();
  /// Makes this process's marker in locks/, unless made. Throws IoError.
  void make_worker_marker();
  /// Removes the marker of `holder`, a worker whose lease was just broken,
  /// if it left one and is a process of this machine that is gone: else it
  /// would stay until a worker goes lone, or execute starts, or cleanup
  /// runs. A live holder's lease may be broken too (`cleanup
  /// --locks-only`): its marker stays. Best effort (a failure leaves it to
  /// those).
  void remove_marker_of(const LeaseOwner& holder) noexcept;
  /// A lock file for each of `tasks`, naming `owner`, renewed at
  /// `renewed` (a lone lease turned into lock files); one there already is
  /// left as it is. Throws IoError.
  void write_lock_files(const LeaseOwner& owner, std::span<const TaskHash> tasks,
                        std::chrono::system_clock::time_point renewed);
  /// Takes `lone-worker.lock.break`, which whoever removes the lone lease
  /// holds (its owner, or a breaker): false when another holds it (when a
  /// dead one did, removed, and with `again` tried once more). Throws
  /// IoError.
  bool take_lone_breaker(bool again = true);
  void give_back_lone_breaker();
  /// The lone lease as lock files, one per task it names, with its owner
  /// and time, then removed; by a breaker of `seen`, the lease of a worker
  /// that is gone. Whether this breaker did it. Throws IoError.
  bool break_lone_lease(const LeaseInfo& seen);
  /// The lone lease's owner, tasks and last renewal, if there is one.
  /// Throws IoError.
  struct LoneLease {
    LeaseOwner owner;
    std::vector<TaskHash> tasks;
    std::chrono::system_clock::time_point renewed;
  };
  std::optional<LoneLease> read_lone_lease();
  /// The watcher's loop: every 100 ms, while this process is the lone
  /// worker, looks for the marker of another and gives up the lease for it.
  void watch_for_other_workers();
  /// Stops the watcher, and gives back the lone lease (unless tasks are
  /// still named in it, like lock files left) and the marker. Never throws.
  void end_lone_worker() noexcept;
  std::string lone_lease_path() const;

  // ---- packing (file_store_pack.cpp) ----
  struct PackRun;
  /// Takes the lease only one pack holds; throws StoreError when another
  /// pack holds it.
  void take_pack_lease(std::chrono::duration<double> lease_time);
  /// Copies the live frames of the segments nobody appends to any more.
  void pack_segments(PackRun& run);
  /// Copies the small result files.
  void pack_result_files(PackRun& run);
  /// Once the copies are durable, deletes what they came from.
  void delete_packed(PackRun& run);
  /// The writer of a segment is gone (judged as a lease).
  bool segment_writer_gone(const std::string& name, std::chrono::duration<double> lease_time);

  std::string root_;
  /// Every call the store makes to the file system goes through it.
  std::shared_ptr<FileSystem> fs_;
  /// The store's directory, kept open from before the first write for
  /// sync(): since Linux 5.8 syncfs reports the write-back errors that
  /// happened since the descriptor it is given was opened, so one opened at
  /// each sync would miss a result the kernel failed to write before.
  mutable std::mutex sync_mutex_;
  mutable posix::Directory sync_directory_;
  /// Whether sync_directory_ is open, read without the lock, which a sync
  /// holds for its whole (milliseconds long) call.
  mutable std::atomic<bool> sync_directory_open_{false};
  /// The format file was found torn when the store was opened: it is
  /// written again before the first file the store creates.
  mutable std::atomic<bool> format_torn_{false};

  /// This process's mark in `removals/` while it removes results: made by
  /// the first remove() since removals_done(), kept open to be touched
  /// (renewed, as a lease) while removals go on, so that a remover on
  /// another machine is not taken for gone.
  std::shared_mutex removal_mutex_;
  std::string removal_mark_;
  std::optional<posix::OpenFile> removal_mark_file_;
  /// The process that made the mark: a forked child never takes it away.
  std::int64_t removal_mark_pid_ = 0;
  std::chrono::steady_clock::time_point removal_mark_touched_;

  /// `jugdata-format` says 2: segments may be made without writing it.
  mutable std::atomic<bool> segments_format_{false};
  /// `jugdata-format` says 1: a store of result files, which stays so (a jug
  /// from before segments may share it) until jug pack.
  mutable std::atomic<bool> result_files_format_{false};
  /// Small results go to segments even in a store without any yet.
  const bool segments_for_new_results_;
  /// What the segments hold, as read so far; index_mutex_ guards it.
  mutable std::mutex index_mutex_;
  mutable SegmentIndex index_;

  /// `jugdata-format` says 3: workers follow the lone worker's protocol.
  mutable std::atomic<bool> lone_worker_format_{false};
  const LoneWorker lone_worker_;
  /// Guards what follows: taken shared by a lock file's acquire, alone to
  /// change the mode and by everything in the lone mode.
  std::shared_mutex lone_mutex_;
  LeaseMode lease_mode_ = LeaseMode::undecided;
  /// Blocked: when to try the lone lease again.
  std::chrono::steady_clock::time_point next_lone_try_{};
  /// Lone: the owner whose lease it is, the tasks it holds, the file kept
  /// open to rewrite, which file that is (its path names it while the
  /// lease is intact), and the most it was written (it never gets shorter).
  LeaseOwner lone_owner_;
  std::vector<TaskHash> lone_tasks_;
  std::optional<posix::OpenFile> lone_file_;
  FileIdentity lone_identity_;
  std::size_t lone_size_ = 0;
  /// What the lone worker knows of the store, made at its first task: the
  /// segments' index, and the result files, failures and crash records
  /// there were, with those this process made since. While it is lone, no
  /// other process adds any (others only remove, which a look at the file
  /// or the index tells), so a task it finds in none has no result, no
  /// failure and no crash, without a look at the disk.
  struct LoneView {
    bool made = false;
    std::unordered_set<TaskHash> result_files, failures, crashes;
  };
  std::mutex lone_view_mutex_;
  LoneView lone_view_;
  /// This process's marker in locks/ (`<writer tag>.worker`), once made.
  std::string worker_marker_;
  /// The watcher thread, started when the lone lease is first taken.
  std::mutex watcher_mutex_;
  std::condition_variable watcher_wake_;
  bool watcher_stopping_ = false;
  std::thread watcher_;

  /// Last: seals this process's segment before anything else goes.
  SegmentAppender appender_;
};

}  // namespace jug
