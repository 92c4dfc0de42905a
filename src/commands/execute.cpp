#include "commands/execute.hpp"

#include <algorithm>
#include <optional>
#include <unordered_map>
#include <unordered_set>

#include <fmt/format.h>

#include "commands/scheduler.hpp"
#include "commands/target_pattern.hpp"
#include "engine/build_context.hpp"
#include "engine/hash_index.hpp"
#include "jug/errors.hpp"

namespace jug {
namespace {

/// The results stored when a run began. A task first known after a barrier
/// and found done when its round begins was done either before the run or
/// by another worker since: only this tells which.
class StoredAtStart {
 public:
  explicit StoredAtStart(Store& store) : hashes_(store.list()), index_(HashIndex::of(hashes_)) {}
  bool contains(const TaskHash& hash) const { return index_.find(hash, hashes_).has_value(); }

 private:
  std::vector<TaskHash> hashes_;
  HashIndex index_;
};

/// Adds up the rounds of execute_through_barriers, so that the summary's
/// parts add up: executed + before this run + by other workers - recomputed
/// = done, of the distinct tasks of all rounds. Each task is counted once,
/// in the round that first had it:
/// - a task carried from an earlier round was counted there (a round goes
///   on to the next only when all its tasks are done); should its result be
///   gone when the next round begins (removed meanwhile, or found damaged
///   while the graph was built again), running it again is a recomputation;
/// - a new task found done when its round began was done before this run
///   if its result was stored when the run began, else by another worker
///   while this one ran (the first round cannot tell these apart, and need
///   not: it began with the run).
class RoundTotals {
 public:
  /// `stored_at_start`: null when there is no second round to count.
  explicit RoundTotals(const StoredAtStart* stored_at_start) : stored_at_start_(stored_at_start) {}

  /// `last`: no round comes after this one (as nearly always: no barrier),
  /// so its tasks need not be remembered (a million of them take a quarter
  /// of a no-op execute's time to put in a set).
  void add(const Graph& graph, const ExecuteReport& round, bool last) {
    std::size_t carried = 0;
    std::size_t new_stored_at_start = 0;
    for (NodeId id = 0; id < graph.size(); ++id) {
      const TaskHash& hash = graph.hash(id);
      const bool seen =
          last ? !seen_.empty() && seen_.contains(hash) : !seen_.insert(hash).second;
      if (seen) {
        ++carried;
      } else if (stored_at_start_ && stored_at_start_->contains(hash)) {
        ++new_stored_at_start;
      }
    }
    const bool first_round = rounds_++ == 0;
    const std::size_t carried_done = std::min(carried, round.already_done);
    const std::size_t new_done_at_start = round.already_done - carried_done;
    const std::size_t new_before =
        first_round ? new_done_at_start : std::min(new_stored_at_start, new_done_at_start);
    selected_ += round.selected - std::min(carried, round.selected);
    already_done_ += new_before;
    done_elsewhere_ += round.done_elsewhere + (new_done_at_start - new_before);
    recomputed_ += round.recomputed + (carried - carried_done);
    executed_ += round.executed;
    taken_over_ += round.taken_over;
    for (std::size_t i = 0; i < graph.names().size(); ++i) {
      if (round.executed_per_name[i] == 0) continue;
      auto [at, added] = name_index_.try_emplace(graph.names()[i], per_name_.size());
      if (added) per_name_.emplace_back(graph.names()[i], 0);
      per_name_[at->second].second += round.executed_per_name[i];
    }
  }

  /// The last round's report (already added), made to cover every round.
  void fold_into(ExecuteReport& last) const {
    last.selected = selected_;
    last.already_done = already_done_;
    last.executed = executed_;
    last.done_elsewhere = done_elsewhere_;
    last.recomputed = recomputed_;
    last.taken_over = taken_over_;
  }

  const std::vector<std::pair<std::string, std::size_t>>& per_name() const { return per_name_; }

 private:
  const StoredAtStart* stored_at_start_;
  std::size_t rounds_ = 0;
  std::unordered_set<TaskHash> seen_;
  std::size_t selected_ = 0, already_done_ = 0, executed_ = 0, done_elsewhere_ = 0,
              recomputed_ = 0, taken_over_ = 0;
  std::vector<std::pair<std::string, std::size_t>> per_name_;
  std::unordered_map<std::string, std::size_t> name_index_;
};

bool may_go_past_barrier(const Graph& graph, const ExecuteOptions& options,
                         const ExecuteReport& report) {
  return graph.stopped_at() && !options.target && report.complete() &&
         report.failures.empty() && report.failed_elsewhere.empty() && report.kept_failed == 0 &&
         !report.stopped && !report.fatal_error && !report.gave_up_waiting;
}

}  // namespace

bool gets_further(const Graph& next, Store& store) {
  if (!next.stopped_at()) return true;
  for (bool done : store.contains_all(next.hashes())) {
    if (!done) return true;
  }
  return false;
}

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
  if (options.target && graph->stopped_at() &&
      TargetPattern(*options.target).select(*graph).empty()) {
    throw Error(fmt::format(
        "jug: --target {} matches none of the tasks known so far; the jugfile stops at {} "
        "until the tasks before it are done: run jug execute without --target first",
        *options.target, *graph->stopped_at()));
  }
  // Listed only when there may be a round after this one: the listing
  // costs about what one round's look at its tasks does.
  std::optional<StoredAtStart> stored_at_start;
  if (graph->stopped_at() && !options.target) stored_at_start.emplace(store);
  RoundTotals totals(stored_at_start ? &*stored_at_start : nullptr);
  std::size_t barriers_passed = 0;
  ExecuteOptions round_options = options;
  while (true) {
    ExecuteReport report = execute(*graph, store, round_options, observer);
    round_options.executed_in_earlier_rounds += report.executed;
    // Results this round counted done may be gone (a Redis server that
    // restarted without its data): one more round, on the same tasks, finds
    // and runs those that are.
    const bool look_again =
        store.take_lost_results() && !report.fatal_error && !report.stopped;
    std::optional<Graph> next;
    if (look_again || may_go_past_barrier(*graph, options, report)) next.emplace(build());
    const std::size_t new_tasks = next ? [&] {
      std::size_t n = 0;
      for (NodeId id = 0; id < next->size(); ++id) n += !graph->find(next->hash(id));
      return n;
    }() : 0;
    const bool last = !look_again && (!next || !gets_further(*next, store));
    totals.add(*graph, report, last);
    if (last) {
      totals.fold_into(report);
      return ExecuteOutcome{std::move(*graph), std::move(report), totals.per_name(),
                            barriers_passed};
    }
    if (!look_again) {
      ++barriers_passed;
      observer.barrier_passed(*graph, *next, new_tasks);
    }
    graph.emplace(std::move(*next));
  }
}

}  // namespace jug
