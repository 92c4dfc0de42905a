#pragma once
/// `jug invalidate --target PATTERN`: removes the results of the matching
/// tasks and of everything downstream of them, so that they are recomputed.

#include <cstddef>
#include <string>
#include <vector>

#include "engine/graph.hpp"
#include "store/store.hpp"

namespace jug {

struct InvalidateReport {
  /// Tasks matched by the pattern, and with everything downstream.
  std::size_t matched = 0;
  std::size_t affected = 0;
  /// Results actually removed, per name (indexed like Graph::names()).
  std::vector<std::size_t> removed_per_name;
  std::size_t removed = 0;
};

/// Throws jug::Error when the pattern matches no task (saying, when the
/// graph stops at a barrier, that the tasks after it are not known yet).
InvalidateReport invalidate(const Graph& graph, Store& store, const std::string& pattern);

}  // namespace jug
