#pragma once
/// Keeps this worker's leases alive: one thread renews every lease the
/// worker holds, however many tasks run at once, so that other workers see
/// a long task as running, not abandoned.

#include <chrono>
#include <condition_variable>
#include <functional>
#include <mutex>
#include <shared_mutex>
#include <string>
#include <thread>
#include <vector>

#include "store/store.hpp"

namespace jug {

class LeaseKeeper {
 public:
  /// Told when a lease could not be renewed (lost to another worker, or the
  /// store failed): the task may run twice, which wastes time but corrupts
  /// nothing (results are published whole, and equal). Called from the
  /// renewal thread.
  using LostHandler = std::function<void(const TaskHash&, const std::string& message)>;

  LeaseKeeper(Store& store, LeaseOwner owner, std::chrono::duration<double> interval,
              LostHandler on_lost);
  /// Stops the thread; renews nothing more.
  ~LeaseKeeper();
  LeaseKeeper(const LeaseKeeper&) = delete;
  LeaseKeeper& operator=(const LeaseKeeper&) = delete;

  /// Takes the lease of `hash` and reads the task's state
  /// (Store::acquire_and_read), and renews the lease from now on; nothing
  /// when someone else holds it, or once give_back_all has run.
  std::optional<LeasedTask> acquire(const TaskHash& hash);
  /// Stores the result of the task `hash`, whose lease it gives back
  /// (Store::put_release_and_acquire), and takes the lease of `next` as
  /// acquire() does. Throws StoreError as the store does; the lease of
  /// `next` may then be held, and is not renewed.
  std::optional<LeasedTask> finish_and_acquire(const TaskHash& hash, const RecordBytes& record,
                                               const TaskTroubles& recorded,
                                               const TaskHash& next);
  /// Stops renewing it (about to be released).
  void drop(const TaskHash& hash);
  /// Gives back every lease held (the worker abandons its running tasks
  /// and is about to exit: the user asked it to) and takes no more;
  /// returns how many. A lease taken at the same moment is never left
  /// behind: acquire and this are one at a time. Leases are given back,
  /// not left to expire, so that no crash is counted against the tasks.
  std::size_t give_back_all();

 private:
  void renew_loop();

  Store& store_;
  const LeaseOwner owner_;
  const std::chrono::duration<double> interval_;
  const LostHandler on_lost_;

  /// Held shared while a lease is taken, alone by give_back_all.
  std::shared_mutex acquiring_;
  /// Written under acquiring_ held alone.
  bool given_back_ = false;
  std::mutex mutex_;
  std::condition_variable wake_;
  std::vector<TaskHash> held_;
  bool stopping_ = false;
  std::thread thread_;  // last: starts once everything above is ready
};

}  // namespace jug
