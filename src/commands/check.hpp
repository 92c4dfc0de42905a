#pragma once
/// `jug check`: whether the computation is finished, for scripts (exit 0 or 1).

#include <functional>

#include "engine/graph.hpp"
#include "store/store.hpp"

namespace jug {

/// True when every task is finished and the jugfile builds past every
/// barrier: a graph stopped at a barrier is not whole, even when every task
/// it knows is finished (another worker may have finished the last of them
/// since it was built): it is built again and looked at past the barrier.
bool computation_finished(const std::function<Graph()>& build, Store& store);

}  // namespace jug
