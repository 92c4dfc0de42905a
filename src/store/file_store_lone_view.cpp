// What a lone worker (docs/store-layout.md, "The lone worker") reads before
// each task without looking at the disk. While a worker is lone, every
// other worker waits for it to make way before it takes a lease, so no
// other process stores a result, records a failure or breaks a lease (and
// records a crash): what the store held when the worker became lone, with
// what it wrote itself since, is all there is. Others may only remove
// (jug invalidate, cleanup, pack moving a result), so what the view says is
// there is looked at again; what it says is not there is not.
//
// So a lone worker's task costs the store its result's append and one
// write of the lone lease (the next task's swapped in for the finished
// one's), where looking for the result, a failure and crash records cost
// four system calls or more per task.

#include <algorithm>

#include "store/file_names.hpp"
#include "store/file_store.hpp"
#include "store/file_store_errors.hpp"
#include "store/posix_files.hpp"

namespace jug {

using namespace posix;

std::optional<LeasedTask> FileStore::acquire_and_read(const TaskHash& hash,
                                                      const LeaseOwner& owner) {
  LeasedTask read;
  std::optional<bool> taken;
  try {
    taken = acquire_lone(hash, owner, &read);
  } catch (const IoError& e) {
    throw lock_error(hash, e, root_);
  }
  if (!taken) return Store::acquire_and_read(hash, owner);  // a lock file per task
  if (!*taken) return std::nullopt;
  return read;
}

std::optional<LeasedTask> FileStore::put_release_and_acquire(const TaskHash& hash,
                                                             const RecordBytes& record,
                                                             const LeaseOwner& owner,
                                                             const TaskTroubles& recorded,
                                                             const TaskHash& next) {
  put_and_clear(hash, record, recorded);
  try {
    if (std::optional<LeasedTask> read = swap_lone_lease(hash, next, owner)) return read;
  } catch (const IoError& e) {
    throw lock_error(next, e, root_);
  }
  release(hash, owner);
  return acquire_and_read(next, owner);
}

std::optional<LeasedTask> FileStore::swap_lone_lease(const TaskHash& done, const TaskHash& next,
                                                     const LeaseOwner& owner) {
  if (!lone_worker_format_) return std::nullopt;
  std::unique_lock lock(lone_mutex_);
  if (!still_lone() || owner != lone_owner_) return std::nullopt;
  const auto held = std::find(lone_tasks_.begin(), lone_tasks_.end(), done);
  if (held == lone_tasks_.end() ||
      std::find(lone_tasks_.begin(), lone_tasks_.end(), next) != lone_tasks_.end()) {
    return std::nullopt;
  }
  *held = next;
  try {
    write_lone_lease();
  } catch (...) {
    // As a failed acquire: `done` still held, to be released.
    *held = done;
    throw;
  }
  return read_as_lone(next);
}

LeasedTask FileStore::read_as_lone(const TaskHash& hash) {
  std::lock_guard viewing(lone_view_mutex_);
  if (!lone_view_.made) {
    // Files listed before the segments are read: a pack that moves a
    // result file into a segment writes the segment before it removes the
    // file, so a result is seen in one or the other.
    LoneView view;
    try {
      for (const TaskHash& h : list_files()) view.result_files.insert(h);
      for (const TaskHash& h : hashes_in(*fs_, root_ + "/failed")) view.failures.insert(h);
      for (const TaskHash& h : hashes_in(*fs_, root_ + "/crashes")) view.crashes.insert(h);
      std::lock_guard lock(index_mutex_);
      index_.refresh();
    } catch (const IoError& e) {
      throw store_error("cannot read which results, failures and crashes the store holds", e,
                        Access::read, root_);
    }
    view.made = true;
    lone_view_ = std::move(view);
  }
  LeasedTask read;
  read.stored = in_segments(hash, false) || (lone_view_.result_files.contains(hash) && contains(hash));
  if (!read.stored) {
    if (lone_view_.failures.contains(hash)) read.troubles.failure = failure(hash);
    if (lone_view_.crashes.contains(hash)) read.troubles.crashes = crashes(hash);
  }
  return read;
}

void FileStore::note_in_lone_view(LoneNote note, const TaskHash& hash) {
  if (!lone_worker_format_) return;
  std::lock_guard viewing(lone_view_mutex_);
  if (!lone_view_.made) return;  // read from the disk when it is made
  switch (note) {
    case LoneNote::result_file:
      lone_view_.result_files.insert(hash);
      break;
    case LoneNote::failure:
      lone_view_.failures.insert(hash);
      break;
    case LoneNote::crash:
      lone_view_.crashes.insert(hash);
      break;
  }
}

}  // namespace jug
