#pragma once
/// `jug cleanup`: removes what no task of the current jugfile owns.

#include <chrono>
#include <cstddef>
#include <string>
#include <vector>

#include "engine/graph.hpp"
#include "store/lease_judge.hpp"
#include "store/store.hpp"

namespace jug {

struct CleanupOptions {
  /// Only leases: every lease is removed (jug's way to clear the locks left
  /// by killed workers; do not use it while workers run).
  bool locks_only = false;
  /// Only failure records: every one is removed (status stops showing the
  /// tasks as Failed; execute retries failed tasks in any case).
  bool failed_only = false;
  /// Leave leases alone.
  bool keep_locks = false;
  /// Report what would be removed, remove nothing.
  bool dry_run = false;
  /// This jugfile's absolute path, as execute notes it in the store
  /// (Store::note_user): any other jugfile the store lists may own what
  /// this one does not know.
  std::string jugfile;
  /// Remove what this jugfile does not own even when the store lists other
  /// jugfiles; without it, cleanup then refuses (see cleanup()).
  bool also_other_jugfiles = false;
  /// After which the lease of a silent worker on another machine counts as
  /// abandoned (as execute's --lease-time).
  std::chrono::duration<double> lease_time{kDefaultLeaseTime};
};

struct CleanupReport {
  std::size_t results_removed = 0;
  std::size_t leases_removed = 0;
  std::size_t failures_removed = 0;
  std::size_t results_kept = 0;
  /// Files that writers which are gone left half-way (temporary files).
  std::size_t files_removed = 0;
  /// The store's index of its keys, made to agree with them first (Redis).
  Store::IndexRepair index_repair;
  /// The jugfiles other than this one that the store lists as users (so
  /// some of what was, or would be, removed may be theirs).
  std::vector<std::string> other_jugfiles;
};

/// Removes what no task of `graph` owns, and what workers that are gone
/// left behind (abandoned_leases.hpp, Store::remove_abandoned_files); or
/// only leases, or only failure records. When the store lists other
/// jugfiles and there is anything to remove, removes nothing and throws
/// jug::Error naming them, unless
/// `also_other_jugfiles` or `dry_run`; --locks-only and --failed-only
/// remove every lease or failure record in any case, as asked.
CleanupReport cleanup(const Graph& graph, Store& store, const CleanupOptions& options);

}  // namespace jug
