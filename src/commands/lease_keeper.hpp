#pragma once
/// Keeps this worker's leases alive: one thread renews every lease the
/// worker holds, however many tasks run at once, so that other workers see
/// a long task as running, not abandoned.

#include <chrono>
#include <condition_variable>
#include <functional>
#include <mutex>
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

  /// From now on, renews the lease of `hash` (just acquired).
  void keep(const TaskHash& hash);
  /// Stops renewing it (about to be released).
  void drop(const TaskHash& hash);

 private:
  void renew_loop();

  Store& store_;
  const LeaseOwner owner_;
  const std::chrono::duration<double> interval_;
  const LostHandler on_lost_;

  std::mutex mutex_;
  std::condition_variable wake_;
  std::vector<TaskHash> held_;
  bool stopping_ = false;
  std::thread thread_;  // last: starts once everything above is ready
};

}  // namespace jug
