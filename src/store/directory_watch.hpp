#pragma once
/// DirectoryWatch: wakes a worker that waits for other workers as soon as an
/// entry of one directory changes (the store's locks/ directory: a lock file
/// is unlinked when its task finishes or its lease is freed), instead of
/// making it sleep a whole polling interval. Built on inotify, which only sees
/// changes made through this host's kernel: where other hosts may write the
/// directory, open() declines and the caller polls.

#include <chrono>
#include <memory>
#include <string>

namespace jug {

/// Wakes a waiting worker when entries of one directory are created, deleted
/// or moved in or out.
///
/// wait() is for one thread at a time: it drains one queue, and closes the fd
/// once the directory is gone, without a lock. The watch may be destroyed on another
/// thread than the one that waited, once that wait has returned and the two
/// threads are ordered (a join, a mutex): the destructor only closes the fd.
class DirectoryWatch {
 public:
  /// Starts watching `directory` for entries created, deleted or moved in or
  /// out. Returns nullptr, never throws, when change notification cannot be
  /// trusted there, so that the caller polls: inotify unavailable (ENOSYS,
  /// out of instances or watches: EMFILE, ENFILE, ENOSPC, ENOMEM), the
  /// directory missing, unreadable or not a directory, or on a filesystem that
  /// other hosts may write to (see is_shared_filesystem).
  static std::unique_ptr<DirectoryWatch> open(const std::string& directory);

  DirectoryWatch(const DirectoryWatch&) = delete;
  DirectoryWatch& operator=(const DirectoryWatch&) = delete;
  /// Closes the inotify fd, which also removes the watch.
  ~DirectoryWatch();

  /// Waits until an entry changed since the last call (or since open), or
  /// until `timeout` passes (zero or negative: only looks). Returns true when
  /// a change was seen; the pending events are drained, so the next wait
  /// blocks again until a newer change. The answer says only "look again":
  /// events carry no names, and a change may have been undone since.
  ///
  /// Returns false early when a signal interrupts the wait (EINTR), so that
  /// the caller re-checks its stop conditions (an interrupt flag set by a
  /// handler) before waiting again; it returns false too if poll() itself
  /// fails, which the caller cannot tell from a timeout and need not.
  ///
  /// Once the watched directory is deleted, moved away or unmounted, the
  /// first wait after that returns true at once; every later wait sleeps the
  /// whole timeout and returns true. The watch can see nothing any more, so
  /// the caller must look for itself, but returning true at once each time
  /// would make its wait loop spin: sleeping turns it into plain polling at
  /// the caller's own interval.
  bool wait(std::chrono::milliseconds timeout);

 private:
  explicit DirectoryWatch(int inotify_fd) : inotify_fd_(inotify_fd) {}

  /// Reads every pending event; true when any was read. Closes the fd (sets
  /// it to -1) when the directory went away.
  bool drain();

  /// -1 once the watched directory is gone.
  int inotify_fd_;
};

/// Whether `directory` is on a filesystem that other hosts may write to, so
/// that inotify would miss their changes (NFS, SMB, Lustre, GPFS, CephFS,
/// FUSE, 9p, ...: judged from statfs's f_type). True also when statfs fails:
/// a filesystem that cannot be inspected is not trusted.
bool is_shared_filesystem(const std::string& directory);

}  // namespace jug
