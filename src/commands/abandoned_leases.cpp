#include "commands/abandoned_leases.hpp"

#include <optional>
#include <string>

#include <fmt/format.h>

#include "store/lease_judge.hpp"

namespace jug {

bool break_abandoned_lease(Store& store, const LeaseInfo& lease, std::string_view why) {
  // Recorded before the lease goes, by the one breaker that gets to
  // (break_lease runs this under its breaker), so a crash is counted once.
  return store.break_lease(lease, [&] {
    const std::optional<std::string> words = store.take_last_words(lease);
    if (store.contains(lease.hash)) return;
    store.record_crash(lease.hash,
                       words ? fmt::format("{}; {} while running it", why, *words) : why);
  });
}

std::size_t remove_abandoned_leases(const Graph& graph, Store& store,
                                    const AbandonedLeaseSweep& sweep) {
  const LeaseOwner self = LeaseOwner::self();
  std::size_t broken = 0;
  for (const LeaseInfo& lease : store.list_leases()) {
    const std::optional<NodeId> id = graph.find(lease.hash);
    if (!id) continue;
    if (!sweep.unfinished_too && !(*sweep.finished)[*id]) continue;
    const std::optional<std::string> why =
        abandoned_lease(lease, self, sweep.lease_time, sweep.store_now);
    if (!why) continue;
    if (sweep.dry_run || break_abandoned_lease(store, lease, *why)) ++broken;
  }
  return broken;
}

}  // namespace jug
