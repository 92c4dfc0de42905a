#include "commands/abandon_switch.hpp"

namespace jug {

std::size_t AbandonSwitch::abandon() {
  std::lock_guard lock(mutex_);
  abandoned_ = true;
  return give_back_leases_ ? give_back_leases_() : 0;
}

void AbandonSwitch::attach(std::function<std::size_t()> give_back_leases) {
  std::lock_guard lock(mutex_);
  give_back_leases_ = std::move(give_back_leases);
  // Abandoned while no run was attached (building the graph between two
  // barriers): this run takes no lease either.
  if (abandoned_) give_back_leases_();
}

void AbandonSwitch::detach() {
  std::lock_guard lock(mutex_);
  give_back_leases_ = nullptr;
}

}  // namespace jug
