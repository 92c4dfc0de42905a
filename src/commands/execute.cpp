#include "commands/execute.hpp"

#include "commands/scheduler.hpp"
#include "engine/build_context.hpp"

namespace jug {

ExecuteReport execute(const Graph& graph, Store& store, const ExecuteOptions& options,
                      ExecuteObserver& observer) {
  CurrentGraph current(graph, store);
  return Scheduler(graph, store, options, observer).run();
}

}  // namespace jug
