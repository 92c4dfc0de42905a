#include "commands/cleanup.hpp"

#include <algorithm>

#include <fmt/format.h>

#include "commands/abandoned_leases.hpp"
#include "jug/errors.hpp"

namespace jug {
namespace {

/// What the whole cleanup (neither --locks-only nor --failed-only) would
/// remove: everything no task of the graph owns.
struct Orphans {
  std::vector<TaskHash> results;
  std::vector<LeaseInfo> leases;
  std::vector<TaskHash> failures;
  std::vector<TaskHash> crashed;
  std::size_t results_kept = 0;
  bool empty() const { return results.empty() && leases.empty() && failures.empty(); }
};

Orphans find_orphans(const Graph& graph, Store& store, const CleanupOptions& options) {
  const auto owned = [&](const TaskHash& h) { return graph.find(h).has_value(); };
  Orphans orphans;
  for (const TaskHash& h : store.list()) {
    if (owned(h)) {
      ++orphans.results_kept;
    } else {
      orphans.results.push_back(h);
    }
  }
  if (!options.keep_locks) {
    for (LeaseInfo& lease : store.list_leases()) {
      if (!owned(lease.hash)) orphans.leases.push_back(std::move(lease));
    }
  }
  for (const FailureInfo& failure : store.list_failures()) {
    if (!owned(failure.hash)) orphans.failures.push_back(failure.hash);
  }
  for (const TaskHash& hash : store.list_crashed()) {
    if (!owned(hash)) orphans.crashed.push_back(hash);
  }
  return orphans;
}

std::vector<std::string> other_users(Store& store, const std::string& jugfile) {
  std::vector<std::string> users = store.list_users();
  users.erase(std::remove(users.begin(), users.end(), jugfile), users.end());
  return users;
}

std::string count_of(std::size_t n, std::string_view what) {
  return fmt::format("{} {}{}", n, what, n == 1 ? "" : "s");
}

/// Why cleanup removed nothing: what it would remove may be other jugfiles'.
[[noreturn]] void refuse_for_other_users(const std::vector<std::string>& others,
                                         const Orphans& orphans, const Store& store) {
  std::string listed;
  for (const std::string& jugfile : others) listed += "\n  " + jugfile;
  throw Error(fmt::format(
      "jug: cleanup: the {} is also used by {}:{}\nThis jugfile does not know their tasks, so "
      "what it would remove ({}, {}, {} that none of its tasks own) may be theirs, and nothing "
      "was removed. `jug cleanup --dry-run` shows what would be removed; `jug cleanup "
      "--also-other-jugfiles` removes it all the same (the other jugfiles' tasks whose results "
      "it removes will run again).",
      store.describe(), others.size() == 1 ? "another jugfile" : "other jugfiles", listed,
      count_of(orphans.results.size(), "result"), count_of(orphans.leases.size(), "lease"),
      count_of(orphans.failures.size(), "failure record")));
}

/// What workers that are gone left of the graph's own tasks: their leases
/// (a task left unfinished gets its crash recorded, as execute would) and
/// their half-written files.
void remove_left_behind(const Graph& graph, Store& store, const CleanupOptions& options,
                        CleanupReport& report) {
  if (!options.keep_locks) {
    const std::vector<bool> finished = store.contains_all(graph.hashes());
    report.leases_removed +=
        remove_abandoned_leases(graph, store,
                                {.finished = &finished,
                                 .unfinished_too = true,
                                 .lease_time = options.lease_time,
                                 .store_now = [&store] { return store.now(); },
                                 .dry_run = options.dry_run});
  }
  report.files_removed = store.remove_abandoned_files(options.lease_time, options.dry_run);
}

/// The whole cleanup: everything no task of the graph owns.
CleanupReport remove_orphans(const Graph& graph, Store& store, const CleanupOptions& options) {
  CleanupReport report;
  // First, so that what is listed below is what the store holds.
  report.index_repair = store.repair_index(options.dry_run);
  const Orphans orphans = find_orphans(graph, store, options);
  report.results_kept = orphans.results_kept;
  report.other_jugfiles = other_users(store, options.jugfile);
  if (!report.other_jugfiles.empty() && !orphans.empty() && !options.dry_run &&
      !options.also_other_jugfiles) {
    refuse_for_other_users(report.other_jugfiles, orphans, store);
  }
  for (const TaskHash& h : orphans.results) {
    if (options.dry_run || store.remove(h)) ++report.results_removed;
  }
  store.removals_done();
  for (const LeaseInfo& lease : orphans.leases) {
    // Broken only if still as listed: a worker that took the task since
    // keeps its lease.
    if (options.dry_run || store.break_lease(lease)) ++report.leases_removed;
  }
  for (const TaskHash& hash : orphans.failures) {
    if (options.dry_run || store.clear_failure(hash)) ++report.failures_removed;
  }
  // Crashes count towards giving a task up (--max-crashes): cleared with
  // the failures, so that a task given up gets its attempts again.
  if (!options.dry_run) {
    for (const TaskHash& hash : orphans.crashed) store.clear_crashes(hash);
  }
  remove_left_behind(graph, store, options, report);
  return report;
}

}  // namespace

CleanupReport cleanup(const Graph& graph, Store& store, const CleanupOptions& options) {
  if (!options.locks_only && !options.failed_only) return remove_orphans(graph, store, options);
  CleanupReport report;
  if (options.locks_only) {
    for (const LeaseInfo& lease : store.list_leases()) {
      if (options.dry_run || store.break_lease(lease)) ++report.leases_removed;
    }
  }
  if (options.failed_only) {
    for (const FailureInfo& failure : store.list_failures()) {
      if (options.dry_run || store.clear_failure(failure.hash)) ++report.failures_removed;
    }
    if (!options.dry_run) {
      for (const TaskHash& hash : store.list_crashed()) store.clear_crashes(hash);
    }
  }
  return report;
}

}  // namespace jug
