#include "commands/invalidate.hpp"

#include <fmt/format.h>

#include "commands/target_pattern.hpp"
#include "jug/errors.hpp"

namespace jug {

InvalidateReport invalidate(const Graph& graph, Store& store, const std::string& pattern_text) {
  const TargetPattern pattern(pattern_text);
  const std::vector<NodeId> roots = pattern.select(graph);
  if (roots.empty() && graph.stopped_at()) {
    // The tasks the user means may well exist, after the barrier.
    throw Error(fmt::format(
        "jug: no task matches the target {} among the tasks known so far: the jugfile stops at "
        "{} until the tasks before it are done, so the tasks after it are not known yet. Run "
        "jug execute until it gets past the barrier, then invalidate them.",
        pattern.text(), *graph.stopped_at()));
  }
  if (roots.empty()) {
    throw Error(fmt::format("jug: no task matches the target {}", pattern.text()));
  }
  InvalidateReport report;
  report.matched = roots.size();
  report.removed_per_name.assign(graph.names().size(), 0);

  // Dependents have larger ids: one forward sweep closes the set.
  std::vector<char> affected(graph.size(), 0);
  for (NodeId id : roots) affected[id] = 1;
  for (NodeId id = 0; id < graph.size(); ++id) {
    if (affected[id]) continue;
    for (NodeId d : graph.node(id).dependencies()) {
      if (affected[d]) {
        affected[id] = 1;
        break;
      }
    }
  }
  // Downstream first: if this is interrupted, no result survives whose
  // input was removed (it would be silently reused).
  for (NodeId id = static_cast<NodeId>(graph.size()); id-- > 0;) {
    if (!affected[id]) continue;
    ++report.affected;
    const TaskHash& hash = graph.hash(id);
    store.clear_failure(hash);
    if (store.remove(hash)) {
      ++report.removed;
      ++report.removed_per_name[graph.node(id).name_id];
    }
  }
  store.removals_done();
  return report;
}

}  // namespace jug
