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

/// A lock file left empty this long has lost its writer: writing the few
/// bytes of a lease takes microseconds.
constexpr std::chrono::seconds kUnwrittenLeaseGrace{10};

}  // namespace

std::chrono::duration<double> lease_renewal_interval(std::chrono::duration<double> lease_time) {
  return lease_time / 5;
}

std::string describe_holder(const LeaseOwner& owner) {
  if (owner.pid == 0) return "a worker that had not finished writing its lease";
  return fmt::format("pid {} on {}{}", owner.pid, owner.host.empty() ? "an unnamed host" : owner.host,
                     owner.batch_job.empty() ? "" : ", " + owner.batch_job);
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
    const std::optional<ProcessStatus> status = process_status(pid);
    if (status && status->state == 'Z') {
      // Dead, only not yet reaped by its parent.
      return fmt::format("its worker ({}) has exited", describe_holder(holder));
    }
    if (status && status->start_ns != 0 && holder.process_start_ns != 0 &&
        std::llabs(status->start_ns - holder.process_start_ns) > kStartTimeSlackNs) {
      return fmt::format("its worker ({}) no longer exists (the pid now belongs to another process)",
                         describe_holder(holder));
    }
    return std::nullopt;
  }
  const std::chrono::duration<double> silent = store_now() - lease.renewed;
  if (holder.pid == 0) {
    // No owner written: its worker died between creating the lock and
    // writing it, an instant no live worker stays in for long.
    if (silent <= std::min(lease_time, std::chrono::duration<double>(kUnwrittenLeaseGrace))) {
      return std::nullopt;
    }
    return fmt::format("its worker died before writing its name in the lease ({:.0f} s ago)",
                       silent.count());
  }
  if (silent <= lease_time) return std::nullopt;
  return fmt::format("its worker ({}) has not renewed the lease for {:.1f} s (the lease time is {:.1f} s)",
                     describe_holder(holder), silent.count(), lease_time.count());
}

}  // namespace jug
