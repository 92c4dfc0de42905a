#include "commands/execute.hpp"

#include <algorithm>
#include <optional>
#include <unordered_map>

#include <fmt/format.h>

#include "commands/scheduler.hpp"
#include "commands/target_pattern.hpp"
#include "engine/build_context.hpp"
#include "jug/errors.hpp"

namespace jug {
namespace {

/// What earlier rounds of execute_through_barriers did. Their tasks are in
/// the next round's graph too, counted there as done before it started.
struct EarlierRounds {
  std::size_t executed = 0;
  std::size_t done_elsewhere = 0;
  std::size_t recomputed = 0;
  std::size_t taken_over = 0;
  std::unordered_map<std::string, std::size_t> executed_per_name;

  void add(const Graph& graph, const ExecuteReport& round) {
    executed += round.executed;
    done_elsewhere += round.done_elsewhere;
    recomputed += round.recomputed;
    taken_over += round.taken_over;
    for (std::size_t i = 0; i < graph.names().size(); ++i) {
      if (round.executed_per_name[i] > 0) executed_per_name[graph.names()[i]] += round.executed_per_name[i];
    }
  }

  /// `last`, the last round's report, made to cover every round.
  void fold_into(const Graph& graph, ExecuteReport& last) const {
    const std::size_t counted_before = executed + done_elsewhere - std::min(recomputed, executed + done_elsewhere);
    last.already_done -= std::min(last.already_done, counted_before);
    last.executed += executed;
    last.done_elsewhere += done_elsewhere;
    last.recomputed += recomputed;
    last.taken_over += taken_over;
    for (std::size_t i = 0; i < graph.names().size(); ++i) {
      if (auto n = executed_per_name.find(graph.names()[i]); n != executed_per_name.end()) {
        last.executed_per_name[i] += n->second;
      }
    }
  }
};

bool may_go_past_barrier(const Graph& graph, const ExecuteReport& report) {
  return graph.stopped_at() && report.complete() && report.failures.empty() &&
         report.failed_elsewhere.empty() && report.kept_failed == 0 && !report.stopped &&
         !report.fatal_error && !report.gave_up_waiting;
}

}  // namespace

ExecuteReport execute(const Graph& graph, Store& store, const ExecuteOptions& options,
                      ExecuteObserver& observer) {
  CurrentGraph current(graph, store);
  return Scheduler(graph, store, options, observer).run();
}

ExecuteOutcome execute_through_barriers(const std::function<Graph()>& build, Store& store,
                                        const ExecuteOptions& options, ExecuteObserver& observer) {
  // Graph cannot be assigned (its arena must outlive its nodes): a new
  // round's graph is emplaced.
  std::optional<Graph> graph;
  graph.emplace(build());
  EarlierRounds earlier;
  std::size_t barriers_passed = 0;
  while (true) {
    if (options.target && graph->stopped_at() &&
        TargetPattern(*options.target).select(*graph).empty()) {
      throw Error(fmt::format(
          "jug: --target {} matches none of the tasks known so far; the jugfile stops at {} "
          "until the tasks before it are done: run jug execute without --target first",
          *options.target, *graph->stopped_at()));
    }
    ExecuteReport report = execute(*graph, store, options, observer);
    std::optional<Graph> next;
    if (may_go_past_barrier(*graph, report)) next.emplace(build());
    // Without a next graph reaching further, this round was the last. The
    // barrier may still hold though this run has nothing left to do: with
    // --target, tasks before it were not selected.
    if (!next || (next->stopped_at() == graph->stopped_at() && next->size() <= graph->size())) {
      earlier.fold_into(*graph, report);
      return ExecuteOutcome{std::move(*graph), std::move(report), barriers_passed};
    }
    ++barriers_passed;
    observer.barrier_passed(*graph, *next);
    earlier.add(*graph, report);
    graph.emplace(std::move(*next));
  }
}

}  // namespace jug
