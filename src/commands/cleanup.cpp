#include "commands/cleanup.hpp"

namespace jug {

CleanupReport cleanup(const Graph& graph, Store& store, const CleanupOptions& options) {
  CleanupReport report;
  const bool everything = !options.locks_only && !options.failed_only;
  auto owned = [&](const TaskHash& h) { return graph.find(h).has_value(); };

  if (everything) {
    for (const TaskHash& h : store.list()) {
      if (owned(h)) {
        ++report.results_kept;
      } else if (options.dry_run || store.remove(h)) {
        ++report.results_removed;
      }
    }
  }
  if (options.locks_only || (everything && !options.keep_locks)) {
    for (const LeaseInfo& lease : store.list_leases()) {
      if (!options.locks_only && owned(lease.hash)) continue;
      if (!options.dry_run) store.release(lease.hash);
      ++report.leases_removed;
    }
  }
  if (options.failed_only || everything) {
    for (const FailureInfo& failure : store.list_failures()) {
      if (!options.failed_only && owned(failure.hash)) continue;
      if (options.dry_run || store.clear_failure(failure.hash)) ++report.failures_removed;
    }
  }
  return report;
}

}  // namespace jug
