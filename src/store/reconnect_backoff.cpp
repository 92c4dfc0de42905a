#include "store/reconnect_backoff.hpp"

#include <algorithm>
#include <thread>

namespace jug {

namespace {

/// A budget beyond any run (a century), so that adding it to a time point
/// cannot overflow.
constexpr std::chrono::duration<double> kLongest = std::chrono::hours(24 * 365 * 100);

}  // namespace

ReconnectBackoff::ReconnectBackoff(std::chrono::duration<double> budget,
                                   Clock::time_point since)
    : since_(since),
      deadline_(since +
                std::chrono::duration_cast<Clock::duration>(std::min(budget, kLongest))),
      random_(std::random_device{}()) {}

bool ReconnectBackoff::wait() {
  const Clock::time_point now = Clock::now();
  if (now >= deadline_) return false;
  std::uniform_real_distribution<double> share(0.5, 1.0);
  // The last attempt comes as the budget runs out.
  const auto pause = std::min<Clock::duration>(
      std::chrono::duration_cast<Clock::duration>(pause_ * share(random_)), deadline_ - now);
  std::this_thread::sleep_for(pause);
  pause_ = std::min(pause_ * 2, std::chrono::milliseconds(2000));
  return true;
}

}  // namespace jug
