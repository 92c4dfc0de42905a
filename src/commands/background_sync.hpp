#pragma once
/// Makes results durable while `jug execute` runs, from a thread of its own:
/// syncfs flushes the whole filesystem (other programs' writes too) and can
/// take tens of milliseconds, which no task should wait for. The run still
/// ends with a sync of its own, so everything is durable when reported done.

#include <chrono>
#include <condition_variable>
#include <functional>
#include <mutex>
#include <string>
#include <thread>

#include "store/store.hpp"

namespace jug {

class BackgroundSync {
 public:
  /// `on_error` is told when a sync fails (from the sync thread).
  BackgroundSync(Store& store, std::chrono::duration<double> interval,
                 std::function<void(const std::string&)> on_error);
  ~BackgroundSync();
  BackgroundSync(const BackgroundSync&) = delete;
  BackgroundSync& operator=(const BackgroundSync&) = delete;

  /// Something was written: the next round syncs.
  void wrote();

 private:
  void sync_loop();

  Store& store_;
  const std::chrono::duration<double> interval_;
  const std::function<void(const std::string&)> on_error_;
  std::mutex mutex_;
  std::condition_variable wake_;
  bool written_ = false;
  bool stopping_ = false;
  std::thread thread_;  // last: starts once everything above is ready
};

}  // namespace jug
