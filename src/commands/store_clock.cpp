#include "commands/store_clock.hpp"

namespace jug {

std::chrono::system_clock::time_point StoreClock::now() {
  std::lock_guard lock(mutex_);
  const auto steady = std::chrono::steady_clock::now();
  if (!measured_ || steady - *measured_ >= kRemeasureInterval) {
    // Halfway between two local readings: the store's stamp falls in there.
    const auto before = std::chrono::system_clock::now();
    const auto stored = store_.now();
    const auto after = std::chrono::system_clock::now();
    offset_ = stored - (before + (after - before) / 2);
    measured_ = steady;
  }
  return std::chrono::system_clock::now() + offset_;
}

}  // namespace jug
