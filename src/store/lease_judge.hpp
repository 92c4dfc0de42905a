#pragma once
/// Whether a lease found in the store still has a live holder. A worker
/// killed at its time limit, a crashed node or a segfault leaves its lease
/// behind; other workers judge it here and break it when its holder is gone.

#include <chrono>
#include <functional>
#include <optional>
#include <string>

#include "store/store.hpp"

namespace jug {

/// Default time after which the lease of a worker on another machine, not
/// renewed since, is taken to be abandoned. Holders renew far more often
/// (lease_renewal_interval), so a live worker never loses its lease unless
/// it is frozen for this long.
inline constexpr std::chrono::seconds kDefaultLeaseTime{300};

/// How often a holder renews its leases: a fifth of the lease time, so that
/// four renewals may be missed (or not yet visible through a network
/// filesystem's attribute cache) before the lease expires.
std::chrono::duration<double> lease_renewal_interval(std::chrono::duration<double> lease_time);

/// Why `lease` is abandoned, or nullopt while its holder may be alive:
/// - the holder runs on this machine (same boot and pid namespace): it is
///   gone as soon as its process no longer exists, or its pid now belongs to
///   a process started at another time;
/// - elsewhere: the lease is abandoned once not renewed for `lease_time`,
///   by the store's clock (`store_now`, only asked when needed);
/// - no owner written (its worker died between creating the lock file and
///   writing it): abandoned after 10 s (or `lease_time` if shorter).
std::optional<std::string> abandoned_lease(
    const LeaseInfo& lease, const LeaseOwner& self, std::chrono::duration<double> lease_time,
    const std::function<std::chrono::system_clock::time_point()>& store_now);

/// "pid 123 on node7": the holder, for messages.
std::string describe_holder(const LeaseOwner& owner);

}  // namespace jug
