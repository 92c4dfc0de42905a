#pragma once
/// Lets another thread give up the tasks an execute is running: the user
/// pressed Ctrl-C a second time and will not wait for them. Their leases
/// are given back at once, so that another worker (or the next execute)
/// runs them without counting a crash: the worker knows it was
/// interrupted, unlike one that dies unannounced.

#include <cstddef>
#include <functional>
#include <mutex>

namespace jug {

class AbandonSwitch {
 public:
  /// Gives back the leases of the run attached now, if any, and of any run
  /// attached later; returns how many were given back. The process is to
  /// exit right after: the tasks' threads are not stopped.
  std::size_t abandon();

  /// For the Scheduler, while it runs: `give_back_leases` gives back every
  /// lease it holds and takes no more, returning how many.
  void attach(std::function<std::size_t()> give_back_leases);
  /// Waits for an abandon() under way to end.
  void detach();

 private:
  std::mutex mutex_;
  std::function<std::size_t()> give_back_leases_;
  bool abandoned_ = false;
};

}  // namespace jug
