#pragma once
/// SIGINT (Ctrl-C) and SIGTERM while `jug execute` runs. The first asks it
/// to stop: no new task starts, the running ones finish and are stored, and
/// the user is told so at once (a long task would otherwise look like a
/// hang, and invite a second Ctrl-C). The second abandons the running
/// tasks: their leases are given back, so that they are not taken for a
/// crash, and the process exits with 128 + the signal. A third, should
/// giving back hang on a dead store, exits at once.

#include <functional>
#include <thread>

namespace jug::cli {

class StopSignals {
 public:
  /// What to do, on a thread of its own (a signal handler may do almost
  /// nothing): `first` tells what happens; `second` abandons the running
  /// tasks, after which the process exits.
  struct Reactions {
    std::function<void(int signal)> first;
    std::function<void(int signal)> second;
  };

  explicit StopSignals(Reactions reactions);
  ~StopSignals();
  StopSignals(const StopSignals&) = delete;
  StopSignals& operator=(const StopSignals&) = delete;

  /// The first signal received, or 0.
  static int received();

 private:
  void react();

  Reactions reactions_;
  /// The handler writes each signal's number here; react() reads it.
  int pipe_[2] = {-1, -1};
  std::thread reactor_;
};

/// "SIGINT", "SIGTERM".
const char* signal_name(int signal);

}  // namespace jug::cli
