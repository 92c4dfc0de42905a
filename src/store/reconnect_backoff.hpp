#pragma once
/// How one call waits for a server that went away: attempts spaced from
/// 100 ms, doubling up to 2 s, each pause shortened at random (so that many
/// workers that lost the server together do not all come back at the same
/// instant), until a given time has passed since the first failure.

#include <chrono>
#include <random>

namespace jug {

class ReconnectBackoff {
 public:
  using Clock = std::chrono::steady_clock;

  /// Attempts until `budget` after `since` (when the server was first
  /// found gone: the outage's start, shared by every call that meets it).
  ReconnectBackoff(std::chrono::duration<double> budget, Clock::time_point since);

  /// Sleeps before the next attempt (the last one as the budget runs
  /// out); false, at once, when the budget is spent.
  bool wait();
  /// Since the outage began.
  std::chrono::duration<double> elapsed() const { return Clock::now() - since_; }

 private:
  const Clock::time_point since_;
  const Clock::time_point deadline_;
  std::chrono::milliseconds pause_{100};
  std::minstd_rand random_;
};

}  // namespace jug
