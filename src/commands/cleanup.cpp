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
      // Broken only if still as listed: a worker that took the task since
      // keeps its lease.
      if (options.dry_run || store.break_lease(lease)) ++report.leases_removed;
    }
  }
  if (options.failed_only || everything) {
    for (const FailureInfo& failure : store.list_failures()) {
      if (!options.failed_only && owned(failure.hash)) continue;
      if (options.dry_run || store.clear_failure(failure.hash)) ++report.failures_removed;
    }
    // Crashes count towards giving a task up (--max-crashes): cleared with
    // the failures, so that a task given up gets its attempts again.
    for (const TaskHash& hash : store.list_crashed()) {
      if (!options.failed_only && owned(hash)) continue;
      if (!options.dry_run) store.clear_crashes(hash);
    }
  }
  return report;
}

}  // namespace jug
