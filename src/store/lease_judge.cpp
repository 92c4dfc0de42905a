#include "store/lease_judge.hpp"

#include <cstdlib>

#include <fmt/format.h>

#include "store/process_identity.hpp"

namespace jug {
namespace {

/// Start times are computed from the boot time, which /proc gives to the
/// second and which drifts as the clock is adjusted: a difference below this
/// is the same process.
constexpr std::int64_t kStartTimeSlackNs = 5'000'000'000;

}  // namespace

std::chrono::duration<double> lease_renewal_interval(std::chrono::duration<double> lease_time) {
  return lease_time / 5;
}

std::string describe_holder(const LeaseOwner& owner) {
  if (owner.pid == 0) return "a worker that had not finished writing its lease";
  return fmt::format("pid {} on {}", owner.pid, owner.host.empty() ? "an unnamed host" : owner.host);
}

std::optional<std::string> abandoned_lease(
    const LeaseInfo& lease, const LeaseOwner& self, std::chrono::duration<double> lease_time,
    const std::function<std::chrono::system_clock::time_point()>& store_now) {
  const LeaseOwner& holder = lease.owner;
  if (!holder.machine.empty() && holder.machine == self.machine && holder.pid > 0) {
    const auto pid = static_cast<pid_t>(holder.pid);
    if (!process_exists(pid)) {
      return fmt::format("its worker ({}) no longer exists", describe_holder(holder));
    }
    const std::int64_t started = process_start_ns(pid);
    if (started != 0 && holder.process_start_ns != 0 &&
        std::llabs(started - holder.process_start_ns) > kStartTimeSlackNs) {
      return fmt::format("its worker ({}) no longer exists (the pid now belongs to another process)",
                         describe_holder(holder));
    }
    return std::nullopt;
  }
  const std::chrono::duration<double> silent = store_now() - lease.renewed;
  if (silent <= lease_time) return std::nullopt;
  return fmt::format("its worker ({}) has not renewed the lease for {:.0f} s (the lease time is {:.0f} s)",
                     describe_holder(holder), silent.count(), lease_time.count());
}

}  // namespace jug
