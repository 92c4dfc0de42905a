#pragma once
/// `jug cleanup`: removes what no task of the current jugfile owns.

#include <cstddef>

#include "engine/graph.hpp"
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
};

struct CleanupReport {
  std::size_t results_removed = 0;
  std::size_t leases_removed = 0;
  std::size_t failures_removed = 0;
  std::size_t results_kept = 0;
};

CleanupReport cleanup(const Graph& graph, Store& store, const CleanupOptions& options);

}  // namespace jug
