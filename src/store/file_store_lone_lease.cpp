// The lone worker's lease (docs/store-layout.md, "The lone worker"): while a
// single worker runs on a store of format 3, it takes its tasks' leases in
// one file, `locks/lone-worker.lock`, rewritten in place, instead of
// creating and removing a lock file per task, which is most of what a small
// task costs. Another worker that comes leaves its marker in locks/ and
// waits; the lone worker, which looks for markers every 100 ms, then turns
// its lease into a lock file per task it runs, and every worker takes a lock
// file per task from then on.
//
// Why no two workers ever hold one task: a worker makes its marker before
// it tries to create the lone lease (O_EXCL), and one that creates it goes
// lone only if it then finds no marker nor lock of another worker in locks/.
// Of a lone worker and one that made its marker, either the marker was
// there before the lone lease (the lone worker finds it, and does not go
// lone) or the other's create of the lone lease fails (it waits). Listing a
// directory right after a create is only trusted through one kernel: hence
// LoneWorker::when_alone only where the store is on a local filesystem.

#include <algorithm>

#include <fmt/format.h>

#include "store/file_names.hpp"
#include "store/file_store.hpp"
#include "store/file_store_errors.hpp"
#include "store/lease_file.hpp"
#include "store/lease_judge.hpp"
#include "store/posix_files.hpp"
#include "store/writer_tag.hpp"

namespace jug {

using namespace posix;

namespace {

/// How often the lone worker looks for another's marker, and how often a
/// blocked worker tries the lone lease again at most.
constexpr std::chrono::milliseconds kLookInterval{100};
constexpr std::chrono::milliseconds kBlockedRetry{10};

}  // namespace

bool worker_marker_gone(std::string_view name, const LeaseOwner& self) {
  name.remove_suffix(kWorkerMarkerSuffix.size());
  const LeaseOwner writer = writer_of_temp_file(name);
  if (writer.machine.empty() || writer.machine != self.machine) return false;
  const auto forever = std::chrono::hours(24 * 365 * 1000);
  return abandoned_lease(LeaseInfo{TaskHash{}, writer, {}}, self, forever,
                         [] { return std::chrono::system_clock::time_point{}; })
      .has_value();
}

std::string FileStore::lone_lease_path() const {
  return fmt::format("{}/locks/{}", root_, kLoneLeaseName);
}

std::optional<bool> FileStore::acquire_lone(const TaskHash& hash, const LeaseOwner& owner,
                                            LeasedTask* read) {
  if (hash == pack_lease()) return std::nullopt;  // no task's: pack's alone
  if (!lone_worker_format_) {
    // A new store's format is written with its first file: this one.
    if (segments_format_ || result_files_format_) return std::nullopt;
    create_directory(root_ + "/locks");
    if (!lone_worker_format_) return std::nullopt;
  }
  {
    std::shared_lock shared(lone_mutex_);
    if (lease_mode_ == LeaseMode::shared) return std::nullopt;
  }
  std::unique_lock lock(lone_mutex_);
  for (;;) {
    if (still_lone()) {
      if (owner != lone_owner_) {
        // Another worker in this process (tests have several): lock files
        // from now on, for both.
        if (!leave_lone_mode()) return false;  // a breaker at work: not now
        if (lease_mode_ != LeaseMode::shared) continue;
        return std::nullopt;
      }
      if (std::find(lone_tasks_.begin(), lone_tasks_.end(), hash) != lone_tasks_.end()) {
        return false;
      }
      lone_tasks_.push_back(hash);
      try {
        write_lone_lease();
      } catch (...) {
        lone_tasks_.pop_back();
        throw;
      }
      if (read) {
        try {
          *read = read_as_lone(hash);
        } catch (...) {
          // Not taken after all: the caller does not hold it, and would
          // leave it named here for a breaker to take for a crash.
          lone_tasks_.pop_back();
          try {
            write_lone_lease();
          } catch (...) {
            // Named still: removed with the lone lease when this worker ends.
          }
          throw;
        }
      }
      return true;
    }
    if (lease_mode_ == LeaseMode::shared) return std::nullopt;
    if (lease_mode_ == LeaseMode::blocked &&
        std::chrono::steady_clock::now() < next_lone_try_) {
      return false;
    }
    decide_lease_mode(owner);
    if (lease_mode_ == LeaseMode::blocked) return false;
  }
}

bool FileStore::worker_marker_stands(const TaskHash& hash) {
  if (!lone_worker_format_ || hash == pack_lease()) return true;
  std::unique_lock lock(lone_mutex_);
  if (lease_mode_ != LeaseMode::shared || worker_marker_.empty()) return true;
  const Errno err = fs_->exists(worker_marker_);
  if (err == 0) return true;
  if (err != ENOENT) throw IoError{err, worker_marker_};
  worker_marker_.clear();
  lease_mode_ = LeaseMode::undecided;
  return false;
}

void FileStore::make_worker_marker() {
  if (!worker_marker_.empty()) return;
  const std::string locks = root_ + "/locks";
  const std::string marker =
      fmt::format("{}/{}{}", locks, temp_file_name("worker"), kWorkerMarkerSuffix);
  OpenFile file = create_new_file(marker, locks);
  if (!file) throw IoError{file.error(), marker};
  worker_marker_ = marker;
  if (const Errno err = file.close()) throw IoError{err, marker};
}

void FileStore::remove_marker_of(const LeaseOwner& holder) noexcept {
  const std::string locks = root_ + "/locks";
  try {
    const LeaseOwner self = LeaseOwner::self();
    Directory dir = open_directory(*fs_, locks);
    if (!dir) return;
    while (const DirectoryEntry* entry = dir.next(locks)) {
      const std::string_view name = entry->name;
      if (!name.ends_with(kWorkerMarkerSuffix) ||
          !written_by(name.substr(0, name.size() - kWorkerMarkerSuffix.size()), holder) ||
          !worker_marker_gone(name, self)) {
        continue;
      }
      fs_->unlink(locks + "/" + entry->name);
    }
  } catch (...) {
    // IoError or bad_alloc: a worker that starts, execute's first look or
    // cleanup removes it.
  }
}

void FileStore::write_lock_files(const LeaseOwner& owner, std::span<const TaskHash> tasks,
                                 std::chrono::system_clock::time_point renewed) {
  const std::string locks = root_ + "/locks";
  const std::string content = lock_file_content(owner);
  for (const TaskHash& task : tasks) {
    const std::string path = lock_path(task);
    OpenFile file = create_new_file(path, locks);
    if (!file) {
      // Another conversion's, just now; or a worker judged gone (frozen)
      // took it before it saw its marker gone: renew then says the lease
      // is lost.
      if (file.error() == EEXIST) continue;
      throw IoError{file.error(), path};
    }
    write_all(file, content, path);
    if (const Errno err = fs_->set_modified(file.handle(), renewed)) throw IoError{err, path};
    if (const Errno err = file.close()) throw IoError{err, path};
  }
}

void FileStore::decide_lease_mode(const LeaseOwner& owner) {
  const std::string locks = root_ + "/locks";
  make_worker_marker();  // before the lone lease is tried: see the top of this file
  const std::string path = lone_lease_path();
  OpenFile file = create_new_file(path, locks);
  if (!file) {
    if (file.error() != EEXIST) throw IoError{file.error(), path};
    lease_mode_ = LeaseMode::blocked;
    next_lone_try_ = std::chrono::steady_clock::now() + kBlockedRetry;
    return;
  }
  bool lone = false;
  try {
    lone = lone_worker_ == LoneWorker::when_alone && !other_workers_in_locks(owner);
    if (lone) {
      // Taken as lone_lease_intact will look (by the path): on some
      // filesystems (overlayfs) an open file's fstat and the path's stat
      // name different inodes.
      FileStatus made;
      if (const Errno err = fs_->status(path, &made)) throw IoError{err, path};
      lone_owner_ = owner;
      lone_tasks_.clear();
      lone_identity_ = made.identity;
      lone_size_ = 0;
      lone_file_.emplace(std::move(file));
      write_lone_lease();
    }
  } catch (...) {
    forget_lone_lease();
    fs_->unlink(path);
    throw;
  }
  if (!lone) {
    // Created only to know that no lone worker was there after our marker.
    file.close();
    if (const Errno err = fs_->unlink(path); err != 0 && err != ENOENT) throw IoError{err, path};
    lease_mode_ = LeaseMode::shared;
    return;
  }
  lease_mode_ = LeaseMode::lone;
  // The marker is for workers in shared mode: a lone worker has none.
  if (fs_->unlink(worker_marker_) == 0) worker_marker_.clear();
  std::lock_guard watching(watcher_mutex_);
  if (!watcher_.joinable()) {
    watcher_stopping_ = false;
    watcher_ = std::thread([this] { watch_for_other_workers(); });
  }
}

bool FileStore::other_workers_in_locks(const LeaseOwner& owner) {
  const std::string locks = root_ + "/locks";
  const LeaseOwner self = LeaseOwner::self();
  Directory dir = open_directory(*fs_, locks);
  if (!dir) return false;
  while (const DirectoryEntry* entry = dir.next(locks)) {
    const std::string_view name = entry->name;
    const std::string path = locks + "/" + entry->name;
    if (name == "." || name == ".." || name == kLoneLeaseName || path == worker_marker_) continue;
    if (name.ends_with(kWorkerMarkerSuffix)) {
      if (!worker_marker_gone(name, self)) return true;
      fs_->unlink(path);  // its own name: nobody makes it again
    } else if (hash_of_name(name, kLockSuffix)) {
      // A lock file of this worker's own (taken in shared mode) is no other's.
      const std::optional<std::string> content = read_file(*fs_, path);
      if (!content) continue;  // released since
      const std::optional<LeaseOwner> holder = parse_lease(*content);
      if (!holder || *holder != owner) return true;
    } else if (name.ends_with(kBreakerSuffix)) {
      return true;  // another worker, breaking a lease now
    }
  }
  return false;
}

void FileStore::write_lone_lease() {
  // Never shorter than before: rewritten in place, the file needs no cut.
  // Its size is noted before the write, which may stop half-way: what it
  // wrote is then covered by the next one.
  const std::string content = lone_lease_content(lone_owner_, lone_tasks_, lone_size_);
  lone_size_ = std::max(lone_size_, content.size());
  write_all_at(*lone_file_, 0, content, lone_lease_path());
}

bool FileStore::still_lone() {
  if (lease_mode_ != LeaseMode::lone) return false;
  if (lone_lease_intact()) return true;
  // Broken by a worker that judged this one gone (frozen past the lease
  // time): the leases of its tasks are lost (renew says so), and are
  // nobody's to turn into lock files.
  forget_lone_lease();
  lease_mode_ = LeaseMode::undecided;
  return false;
}

void FileStore::forget_lone_lease() {
  lone_tasks_.clear();
  lone_file_.reset();
  lone_identity_ = FileIdentity{};
  lone_size_ = 0;
  std::lock_guard viewing(lone_view_mutex_);
  lone_view_ = LoneView{};
}

bool FileStore::lone_lease_intact() {
  // The file open here keeps its inode number from being reused: the path
  // names this file until a breaker removes it.
  FileStatus now;
  if (const Errno err = fs_->status(lone_lease_path(), &now)) {
    if (err == ENOENT) return false;
    throw IoError{err, lone_lease_path()};
  }
  return now.identity == lone_identity_;
}

std::chrono::system_clock::time_point FileStore::lone_lease_renewed() const {
  FileStatus status;
  if (const Errno err = fs_->status_of(lone_file_->handle(), &status)) {
    throw IoError{err, lone_lease_path()};
  }
  return status.modified;
}

bool FileStore::take_lone_breaker(bool again) {
  const std::string breaker = lone_lease_path() + ".break";
  OpenFile taken = create_new_file(breaker, root_ + "/locks");
  if (!taken) {
    if (taken.error() != EEXIST) throw IoError{taken.error(), breaker};
    // One of a worker killed holding it is removed, and taken again once.
    return remove_abandoned_breaker(breaker) && again && take_lone_breaker(false);
  }
  try {
    write_all(taken, lock_file_content(LeaseOwner::self()), breaker);
    if (const Errno err = taken.close()) throw IoError{err, breaker};
  } catch (...) {
    fs_->unlink(breaker);
    throw;
  }
  return true;
}

void FileStore::give_back_lone_breaker() {
  const std::string breaker = lone_lease_path() + ".break";
  if (const Errno err = fs_->unlink(breaker); err != 0 && err != ENOENT) {
    throw IoError{err, breaker};
  }
}

bool FileStore::leave_lone_mode() {
  // Under the breaker's file, as a breaker removes it: so a breaker that
  // read the lease removes that lease, not one made since.
  if (!take_lone_breaker()) return false;
  try {
    if (still_lone()) convert_lone_lease();
  } catch (...) {
    fs_->unlink(lone_lease_path() + ".break");
    throw;
  }
  give_back_lone_breaker();
  return true;
}

void FileStore::convert_lone_lease() {
  make_worker_marker();
  // With the lone lease's last renewal, as a breaker's conversion makes
  // them: one that read the lone lease and breaks it meanwhile then breaks
  // the lock file it finds instead, not a lease renewed since.
  write_lock_files(lone_owner_, lone_tasks_, lone_lease_renewed());
  forget_lone_lease();
  if (const Errno err = fs_->unlink(lone_lease_path()); err != 0 && err != ENOENT) {
    throw IoError{err, lone_lease_path()};
  }
  lease_mode_ = LeaseMode::shared;
}

std::optional<FileStore::LoneLease> FileStore::read_lone_lease() {
  const std::string path = lone_lease_path();
  const OpenFile file = open_for_reading(*fs_, path);
  if (!file) {
    if (file.error() == ENOENT) return std::nullopt;
    throw IoError{file.error(), path};
  }
  FileStatus st;
  if (const Errno err = fs_->status_of(file.handle(), &st)) throw IoError{err, path};
  const std::string content = read_all(file, path);
  return LoneLease{parse_lease(content).value_or(LeaseOwner{}), lone_lease_tasks(content),
                   st.modified};
}

bool FileStore::break_lone_lease(const LeaseInfo& seen) {
  const std::string path = lone_lease_path();
  const std::string breaker = path + ".break";
  if (!take_lone_breaker()) return false;  // another worker is breaking it
  try {
    const std::optional<LoneLease> lone = read_lone_lease();
    const bool same = lone && lone->owner == seen.owner && lone->renewed == seen.renewed;
    if (same) {
      // A lock file per task it names, as if it had been in shared mode:
      // each is then broken, its crash recorded, as any other.
      write_lock_files(lone->owner, lone->tasks, lone->renewed);
      if (const Errno err = fs_->unlink(path); err != 0 && err != ENOENT) throw IoError{err, path};
    }
    if (const Errno err = fs_->unlink(breaker); err != 0 && err != ENOENT) {
      throw IoError{err, breaker};
    }
    return same;
  } catch (...) {
    fs_->unlink(breaker);
    throw;
  }
}

void FileStore::renew_worker() {
  try {
    std::unique_lock lock(lone_mutex_);
    if (still_lone()) {
      if (const Errno err = fs_->touch(lone_file_->handle())) throw IoError{err, lone_lease_path()};
    }
    if (worker_marker_.empty()) return;
    const OpenFile marker = open_for_reading(*fs_, worker_marker_);
    if (!marker) {
      if (marker.error() != ENOENT) throw IoError{marker.error(), worker_marker_};
      // Removed by a worker that judged this one gone (frozen past the
      // lease time): the protocol is done again before the next lease.
      worker_marker_.clear();
      if (lease_mode_ == LeaseMode::shared) lease_mode_ = LeaseMode::undecided;
      return;
    }
    if (const Errno err = fs_->touch(marker.handle())) throw IoError{err, worker_marker_};
  } catch (const IoError& e) {
    throw store_error("cannot renew this worker's marker", e, Access::write, root_);
  }
}

void FileStore::watch_for_other_workers() {
  std::unique_lock watching(watcher_mutex_);
  while (!watcher_wake_.wait_for(watching, kLookInterval, [this] { return watcher_stopping_; })) {
    watching.unlock();
    try {
      std::unique_lock lock(lone_mutex_);
      // Not now if a breaker is at work (leave_lone_mode says false): then
      // in 100 ms.
      if (still_lone() && other_workers_in_locks(lone_owner_)) leave_lone_mode();
    } catch (...) {
      // IoError or bad_alloc: looked at again in 100 ms; meanwhile the
      // other worker waits.
    }
    watching.lock();
  }
}

void FileStore::end_lone_worker() noexcept {
  std::unique_lock lock(lone_mutex_);
  std::thread watcher;
  {
    std::lock_guard watching(watcher_mutex_);
    watcher_stopping_ = true;
    watcher.swap(watcher_);
  }
  watcher_wake_.notify_all();
  // Joined without lone_mutex_, which the watcher takes.
  lock.unlock();
  if (watcher.joinable()) watcher.join();
  lock.lock();
  // With tasks named in it, it stays, as their lock files would: whoever
  // finds it judges this process gone, and records their crashes.
  try {
    if (lease_mode_ == LeaseMode::lone && lone_tasks_.empty() && take_lone_breaker()) {
      if (lone_lease_intact()) fs_->unlink(lone_lease_path());
      give_back_lone_breaker();
    }
  } catch (...) {
    // Left: judged as the lease of a process that is gone.
  }
  forget_lone_lease();
  lease_mode_ = LeaseMode::undecided;
  if (!worker_marker_.empty()) fs_->unlink(worker_marker_);
  worker_marker_.clear();
}

}  // namespace jug
