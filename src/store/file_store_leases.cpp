// The file store's leases: one lock file per running task, `locks/<hash>.lock`,
// created exclusively (the lock), holding its owner (lease_file.hpp), its
// modification time the last renewal.

#include <algorithm>

#include <fmt/format.h>

#include "store/directory_watch.hpp"
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

/// A breaker file is held for the instant of a check and an unlink: one
/// older than this belongs to a worker that died in that instant (one of a
/// worker on this machine is judged by its process at once).
constexpr std::chrono::seconds kAbandonedBreakerAge{60};

/// A lease read from an open lock file.
LeaseInfo read_lease(const OpenFile& file, const TaskHash& hash, const std::string& path) {
  FileStatus st;
  if (const Errno err = file.fs().status_of(file.handle(), &st)) throw IoError{err, path};
  // A lock being written may be empty for an instant: it is still held, so
  // it is returned, with an owner nobody can match.
  return LeaseInfo{hash, parse_lease(read_all(file, path)).value_or(LeaseOwner{}), st.modified};
}

/// The lease in the lock file at `path`, or nullopt when there is none.
std::optional<LeaseInfo> read_lease_file(FileSystem& fs, const std::string& path,
                                         const TaskHash& hash) {
  const OpenFile file = open_for_reading(fs, path);
  if (!file) {
    if (file.error() == ENOENT) return std::nullopt;
    throw IoError{file.error(), path};
  }
  return read_lease(file, hash, path);
}

/// Fills the file FileStore::create_new_file made at `path` with `content`;
/// false when it existed already.
bool fill_new_file(OpenFile file, const std::string& path, std::string_view content) {
  if (!file) {
    if (file.error() == EEXIST) return false;
    throw IoError{file.error(), path};
  }
  FileSystem& fs = file.fs();
  try {
    write_all(file, content, path);
    if (const Errno err = file.close()) throw IoError{err, path};
  } catch (const IoError&) {
    fs.unlink(path);  // a lease without an owner would block the task
    throw;
  }
  return true;
}

bool same_lease(const std::optional<LeaseInfo>& found, const LeaseInfo& seen) {
  return found && found->owner == seen.owner && found->renewed == seen.renewed;
}

}  // namespace

std::string FileStore::lock_path(const TaskHash& hash) const {
  return fmt::format("{}/locks/{}{}", root_, hash.hex(), kLockSuffix);
}

bool FileStore::acquire(const TaskHash& hash, const LeaseOwner& owner) {
  const std::string path = lock_path(hash);
  try {
    if (const std::optional<bool> taken = acquire_lone(hash, owner)) return *taken;
    // The exclusive create is the lock: exactly one creator succeeds, on NFS
    // (v3 and later) too.
    const std::string content = lock_file_content(owner);
    if (!fill_new_file(create_new_file(path, root_ + "/locks"), path, content)) return false;
    if (!worker_marker_stands(hash)) {
      // Judged gone while frozen: a lone worker may hold the task. The
      // protocol again, from the start.
      if (const Errno err = fs_->unlink(path); err != 0 && err != ENOENT) throw IoError{err, path};
      return acquire(hash, owner);
    }
    return true;
  } catch (const IoError& e) {
    throw lock_error(hash, e, root_);
  }
}

void FileStore::renew(const TaskHash& hash, const LeaseOwner& owner) {
  // This worker's segment is renewed with its leases: a pack on another
  // machine judges an unsealed segment abandoned by its age.
  appender_.keep_alive();
  const std::string path = lock_path(hash);
  const auto lost = [&](const std::string& why) {
    return StoreError(fmt::format(
        "lease lost: the lease of task {} {}; another worker may be running the task too. Was "
        "this worker paused, or too slow to renew its lease?",
        hash.hex(), why));
  };
  try {
    // A lone lease broken meanwhile became a lock file per task: renewed
    // below if this task's is still ours.
    std::unique_lock lock(lone_mutex_);
    if (still_lone() && owner == lone_owner_ &&
        std::find(lone_tasks_.begin(), lone_tasks_.end(), hash) != lone_tasks_.end()) {
      if (const Errno err = fs_->touch(lone_file_->handle())) throw IoError{err, path};
      return;
    }
  } catch (const IoError& e) {
    throw store_error(fmt::format("cannot renew the lease of task {}", hash.hex()), e,
                      Access::write, root_);
  }
  try {
    const OpenFile file = open_for_reading(*fs_, path);
    if (!file) {
      if (file.error() == ENOENT) {
        throw lost(fmt::format("is gone (its lock file {} was removed)", path));
      }
      throw IoError{file.error(), path};
    }
    // Touch the file just read, so that a lock re-created by someone else
    // in between is not renewed on their behalf.
    const auto holder = parse_lease(read_all(file, path));
    if (!holder || *holder != owner) {
      throw lost(
          holder ? fmt::format("now belongs to pid {} on {} ({})", holder->pid, holder->host, path)
                 : fmt::format("now belongs to someone else ({})", path));
    }
    if (const Errno err = fs_->touch(file.handle())) throw IoError{err, path};
  } catch (const IoError& e) {
    throw store_error(fmt::format("cannot renew the lease of task {}", hash.hex()), e,
                      Access::write, root_);
  }
}

void FileStore::release(const TaskHash& hash, const LeaseOwner& owner) {
  const std::string path = lock_path(hash);
  try {
    {
      std::unique_lock lock(lone_mutex_);
      if (still_lone() && owner == lone_owner_) {
        if (auto it = std::find(lone_tasks_.begin(), lone_tasks_.end(), hash);
            it != lone_tasks_.end()) {
          lone_tasks_.erase(it);
          write_lone_lease();
          return;
        }
      }
    }
    // Only our own lease: ours may have been broken while this worker was
    // frozen, and the lock now be another worker's. (A lease is broken only
    // when its holder looks gone, so between this read and the unlink no
    // live, renewing holder loses it.)
    const std::optional<LeaseInfo> lease = read_lease_file(*fs_, path, hash);
    if (!lease || lease->owner != owner) return;
    const Errno err = fs_->unlink(path);
    if (err == 0 || err == ENOENT) return;
    throw IoError{err, path};
  } catch (const IoError& e) {
    throw store_error(fmt::format("cannot release the lock of task {}", hash.hex()), e,
                      Access::write, root_);
  }
}

std::optional<LeaseInfo> FileStore::lease(const TaskHash& hash) {
  const std::string path = lock_path(hash);
  try {
    if (std::optional<LeaseInfo> lease = read_lease_file(*fs_, path, hash)) return lease;
    if (!lone_worker_format_ || hash == pack_lease()) return std::nullopt;
    {
      std::unique_lock lock(lone_mutex_);
      if (still_lone()) {
        if (std::find(lone_tasks_.begin(), lone_tasks_.end(), hash) == lone_tasks_.end()) {
          return std::nullopt;
        }
        return LeaseInfo{hash, lone_owner_, lone_lease_renewed()};
      }
    }
    // Another's lone lease holds every task: the scheduler judges it, and
    // breaks it when its worker is gone, whatever tasks it names.
    const std::optional<LoneLease> lone = read_lone_lease();
    if (!lone) return std::nullopt;
    return LeaseInfo{hash, lone->owner, lone->renewed};
  } catch (const IoError& e) {
    throw store_error(fmt::format("cannot read the lock of task {}", hash.hex()), e, Access::read,
                      root_);
  }
}

std::vector<LeaseInfo> FileStore::list_leases() {
  std::vector<LeaseInfo> leases;
  const std::string locks = root_ + "/locks";
  try {
    Directory dir = open_directory(*fs_, locks);
    if (!dir) return leases;
    while (const DirectoryEntry* entry = dir.next(locks)) {
      const auto hash = hash_of_name(entry->name, kLockSuffix);
      if (!hash || *hash == pack_lease()) continue;
      const std::string path = locks + "/" + entry->name;
      const OpenFile file = open_for_reading_in(dir, entry->name);
      if (!file) {
        if (file.error() == ENOENT) continue;  // released since the directory was read
        throw IoError{file.error(), path};
      }
      leases.push_back(read_lease(file, *hash, path));
    }
    if (lone_worker_format_) {
      if (const std::optional<LoneLease> lone = read_lone_lease()) {
        for (const TaskHash& task : lone->tasks) {
          leases.push_back(LeaseInfo{task, lone->owner, lone->renewed});
        }
      }
    }
  } catch (const IoError& e) {
    throw store_error(fmt::format("cannot list the locks in {}", root_), e, Access::read, root_);
  }
  return leases;
}

bool FileStore::break_lease(const LeaseInfo& seen, const std::function<void()>& before_removal) {
  // Unlinking the lock after reading it would race: between the read and
  // the unlink another breaker may have removed it and a worker taken a new
  // one, which we would then remove. So breakers first take `<lock>.break`
  // exclusively; a lock is only ever removed by its live owner (release) or
  // by the breaker holding that file, which re-reads the lock before the
  // unlink. Its owner is gone, so nothing else can replace it meanwhile.
  const std::string path = lock_path(seen.hash);
  const std::string breaker = fmt::format("{}/locks/{}{}", root_, seen.hash.hex(), kBreakerSuffix);
  try {
    if (lone_worker_format_ && seen.hash != pack_lease() && fs_->exists(path) == ENOENT) {
      // Seen in the lone worker's lease: turned into a lock file per task
      // it names, this task's then broken below. A task it does not name
      // was not running: nothing of it to break.
      const std::optional<LoneLease> lone = read_lone_lease();
      if (lone && lone->owner == seen.owner && lone->renewed == seen.renewed) {
        if (!break_lone_lease(seen)) return false;
        if (std::find(lone->tasks.begin(), lone->tasks.end(), seen.hash) == lone->tasks.end()) {
          return false;
        }
      }
    }
    const std::string content = lock_file_content(LeaseOwner::self());
    if (!fill_new_file(create_new_file(breaker, root_ + "/locks"), breaker, content)) {
      remove_abandoned_breaker(breaker);
      return false;  // another worker is breaking it: the next look will tell
    }
    bool broken = false;
    try {
      if (same_lease(read_lease_file(*fs_, path, seen.hash), seen)) {
        if (before_removal) before_removal();
        const Errno err = fs_->unlink(path);
        if (err != 0 && err != ENOENT) throw IoError{err, path};
        broken = true;
      }
    } catch (...) {
      fs_->unlink(breaker);
      throw;
    }
    const Errno err = fs_->unlink(breaker);
    if (err != 0 && err != ENOENT) throw IoError{err, breaker};
    if (broken && lone_worker_format_) remove_marker_of(seen.owner);
    return broken;
  } catch (const IoError& e) {
    throw store_error(fmt::format("cannot break the abandoned lock of task {}", seen.hash.hex()), e,
                      Access::write, root_);
  }
}

bool FileStore::remove_abandoned_breaker(const std::string& breaker, bool dry_run) {
  FileStatus st;
  if (const Errno err = fs_->status(breaker, &st)) {
    if (err == ENOENT) return false;  // its breaker is done
    throw IoError{err, breaker};
  }
  // A breaker is judged as a lease held for kAbandonedBreakerAge: gone at
  // once when its worker (on this machine) is, else after that age. A worker
  // running several tasks may die of one of them while another thread of
  // it holds a breaker.
  const std::optional<LeaseInfo> held = read_lease_file(*fs_, breaker, TaskHash{});
  if (!held || !abandoned_lease(*held, LeaseOwner::self(), kAbandonedBreakerAge,
                                [this] { return now(); })) {
    return false;
  }
  if (dry_run) return true;
  // Moved aside first, so that a breaker made since our stat is not
  // removed: that one is put back.
  const std::string aside = fmt::format("{}/tmp/{}", root_, temp_file_name("broken-breaker"));
  create_directory(root_ + "/tmp");
  if (const Errno err = fs_->rename(breaker, aside)) {
    if (err == ENOENT) return false;  // someone else did
    throw IoError{err, breaker};
  }
  FileStatus moved;
  if (const Errno err = fs_->status(aside, &moved)) throw IoError{err, aside};
  const bool fresh = moved.modified != st.modified;
  if (fresh) (void)fs_->link(aside, breaker);  // put back (if nobody made another)
  // Left aside if this fails: a file of ours in tmp/, removed once we are gone.
  if (const Errno err = fs_->unlink(aside)) throw IoError{err, aside};
  return !fresh;
}

std::unique_ptr<LeaseWatch> FileStore::watch_leases() {
  class LocksWatch final : public LeaseWatch {
   public:
    explicit LocksWatch(std::unique_ptr<DirectoryWatch> watch) : watch_(std::move(watch)) {}
    bool wait(std::chrono::milliseconds timeout) override { return watch_->wait(timeout); }

   private:
    std::unique_ptr<DirectoryWatch> watch_;
  };
  // Every lease given back or broken unlinks a file in locks/.
  std::unique_ptr<DirectoryWatch> watch = fs_->watch_directory(root_ + "/locks");
  if (!watch) return nullptr;
  return std::make_unique<LocksWatch>(std::move(watch));
}

std::chrono::system_clock::time_point FileStore::now() {
  // The time the filesystem stamps on a new file: what lease renewals are
  // stamped with, whatever this host's clock says (NFS uses the server's).
  const std::string probe = fmt::format("{}/tmp/{}", root_, temp_file_name("clock"));
  try {
    const OpenFile file = create_new_file(probe, root_ + "/tmp");
    if (!file) throw IoError{file.error(), probe};
    FileStatus st;
    const Errno err = fs_->status_of(file.handle(), &st);
    fs_->unlink(probe);
    if (err != 0) throw IoError{err, probe};
    return st.modified;
  } catch (const IoError& e) {
    throw store_error("cannot read the time of the store's filesystem", e, Access::write, root_);
  }
}

}  // namespace jug
