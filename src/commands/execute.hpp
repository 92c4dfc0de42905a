#pragma once
/// `jug execute`: runs every task it can, sharing the work with any other
/// workers on the same store through leases.

#include <chrono>
#include <cstddef>
#include <functional>
#include <optional>
#include <string>
#include <vector>

#include "commands/abandon_switch.hpp"
#include "engine/graph.hpp"
#include "store/lease_judge.hpp"
#include "store/store.hpp"

namespace jug {

struct ExecuteOptions {
  /// Only tasks matching this pattern and what they need (jug's --target).
  std::optional<std::string> target;
  /// Carry on with the tasks that do not depend on a failed one.
  bool keep_going = false;
  /// Tasks that failed in an earlier run stay failed: not run (jug's
  /// --keep-failed). Without it they are retried, as in jug.
  bool keep_failed = false;
  /// Read and check every stored result of the selected tasks first (as
  /// `status --verify` does): those that are damaged, or of a type that
  /// changed, are removed and computed again in this run; every good one
  /// stays. Without it, a result is checked when something reads it.
  bool verify = false;
  /// A task that throws is run again up to this many times in this run
  /// before it is recorded as failed.
  unsigned retries = 0;
  /// jug's --debug: check what each task does (debug_checks.hpp); a task
  /// that fails a check fails, named by it.
  bool debug = false;
  /// jug's --aggressive-unload: no result is kept in memory once the task
  /// that made or read it is done; each task reads its inputs from the
  /// store (a big array through a view where it takes one). Without it, a
  /// result stays in memory while a task still to run in this process
  /// needs it.
  bool aggressive_unload = false;
  /// Tasks run at once in this process.
  unsigned jobs = 1;
  /// jug's waiting: while other workers hold what we need, check every
  /// `poll_interval` (at most wait_cycle_time), and give up after
  /// wait_cycle_time × nr_wait_cycles without progress.
  std::chrono::duration<double> wait_cycle_time{12.0};
  unsigned nr_wait_cycles = 150;
  std::chrono::duration<double> poll_interval{0.05};

  /// A lease of a worker on another machine not renewed for this long is
  /// taken over (on this machine, a lease is taken over as soon as its
  /// worker's process is gone). Ours are renewed every fifth of it.
  std::chrono::duration<double> lease_time{kDefaultLeaseTime};
  /// A task whose worker died while running it (segfault, out-of-memory
  /// kill, time limit) is run again by another worker; after this many such
  /// crashes it is marked failed instead, so that one poisoned task cannot
  /// take down every worker in turn.
  unsigned max_crashes = 3;

  /// Stop starting tasks after this many (jug's JUG_MAX_TASKS), in all
  /// the rounds of execute_through_barriers.
  std::optional<std::size_t> max_tasks;
  /// Tasks this execute ran in its earlier rounds (before the barriers it
  /// passed): they count against max_tasks.
  std::size_t executed_in_earlier_rounds = 0;
  /// Stop starting tasks after this moment (JUG_MAX_HOURS and the like).
  std::optional<std::chrono::steady_clock::time_point> deadline;
  /// Asked before each task starts: a reason to stop (a stop file, a
  /// signal), or nothing. Tasks already running finish and are stored.
  std::function<std::optional<std::string>()> stop_requested;
  /// When set, abandoning it gives back the leases of the running tasks
  /// (the user will not wait for them; the process exits).
  AbandonSwitch* abandon_switch = nullptr;
};

/// Told what happens, as it happens; the CLI prints it. Called from worker
/// threads: implementations must be thread-safe.
class ExecuteObserver {
 public:
  virtual ~ExecuteObserver() = default;
  /// A round (the whole run, or the part up to the next barrier) begins:
  /// `selected` tasks to be done, `already_done` of them finished, and the
  /// rest per task name (indexed like Graph::names()).
  virtual void round_started(const Graph&, std::size_t /*selected*/,
                             std::size_t /*already_done*/,
                             const std::vector<std::size_t>& /*to_do_per_name*/) {}
  virtual void task_started(const Graph&, NodeId) {}
  virtual void task_finished(const Graph&, NodeId, double /*seconds*/) {}
  virtual void task_failed(const Graph&, NodeId, const std::string& /*message*/) {}
  /// Another worker finished a task this one was going to run.
  virtual void task_done_elsewhere(const Graph&, NodeId) {}
  /// A task this run will not run: something it needs failed, or another
  /// worker failed it.
  virtual void task_not_to_run(const Graph&, NodeId) {}
  /// A task threw and is run again (attempt counts from 1).
  virtual void task_retrying(const Graph&, NodeId, const std::string& /*message*/,
                             unsigned /*attempt*/) {}
  /// The lease of a worker that is gone was broken: the task will run again
  /// (`why` says what became of the worker).
  virtual void lease_taken_over(const Graph&, NodeId, const std::string& /*why*/) {}
  /// One of our leases could not be renewed: another worker may run the task
  /// too.
  virtual void lease_lost(const Graph&, NodeId, const std::string& /*message*/) {}
  /// A stored result could not be read (corrupt, or removed meanwhile): it
  /// is removed and its task run again. `type_changed`: its bytes are
  /// intact, but hold another type, or a type defined otherwise then (the
  /// generator's code changed without a new version): every result of
  /// that name may be so.
  virtual void result_recomputed(const Graph&, NodeId, const std::string& /*message*/,
                                 bool /*type_changed*/) {}
  /// Everything before the barrier where `before` stopped is done: the
  /// graph was built again, and reaches further (`after`, with `new_tasks`
  /// tasks `before` did not have).
  virtual void barrier_passed(const Graph& /*before*/, const Graph& /*after*/,
                              std::size_t /*new_tasks*/) {}
  /// With ExecuteOptions::verify: `checked` stored results were read, and
  /// `removed` of them found unreadable and removed (each told to
  /// result_recomputed first), to be computed again.
  virtual void results_verified(const Graph&, std::size_t /*checked*/, std::size_t /*removed*/) {}
};

struct TaskFailure {
  NodeId id;
  std::string message;
};

struct ExecuteReport {
  /// Tasks this process ran, per name (indexed like Graph::names()).
  std::vector<std::size_t> executed_per_name;
  std::size_t executed = 0;
  /// Selected tasks already finished when we started.
  std::size_t already_done = 0;
  /// Tasks another worker finished while we ran.
  std::size_t done_elsewhere = 0;
  /// Tasks counted done above whose result then proved unreadable (or,
  /// past a barrier, was gone when the next round began), and which were
  /// therefore run again (and are counted again if so).
  std::size_t recomputed = 0;
  /// Leases of workers that were gone, broken by this worker.
  std::size_t taken_over = 0;
  std::size_t selected = 0;
  std::vector<TaskFailure> failures;
  /// Tasks another worker failed during this run (not retried here).
  std::vector<TaskFailure> failed_elsewhere;
  /// Tasks not run because they failed before (keep_failed).
  std::size_t kept_failed = 0;
  /// Tasks not run because something they need failed.
  std::size_t blocked = 0;
  /// Each of them, with the failed task it needs (directly or not).
  std::vector<std::pair<NodeId, NodeId>> blocked_by;
  /// Stopped waiting for other workers (wait cycles exhausted).
  bool gave_up_waiting = false;
  /// Why the run stopped early on request (limit, stop file, signal).
  std::optional<std::string> stopped;
  /// A store error stopped the run (message in failures, or here).
  std::optional<std::string> fatal_error;
  bool complete() const { return done() == selected; }
  std::size_t done() const { return executed + already_done + done_elsewhere - recomputed; }
};

/// Throws jug::Error for a --target that matches no task.
ExecuteReport execute(const Graph& graph, Store& store, const ExecuteOptions& options,
                      ExecuteObserver& observer);

/// The last graph built by execute_through_barriers, and its run.
struct ExecuteOutcome {
  /// The whole graph, unless it still stops at a barrier (Graph::stopped_at)
  /// because something before it could not be done in this run.
  Graph graph;
  /// Over every round. Counts add up over the distinct tasks of all the
  /// rounds' graphs (a finished compound task's inner tasks leave the graph
  /// once it is stored, yet ran in this run); the task ids in it are those
  /// of `graph`.
  ExecuteReport report;
  /// Tasks run here per name, over every round, names in order of first
  /// appearance (report.executed_per_name covers only `graph`'s names).
  std::vector<std::pair<std::string, std::size_t>> executed_per_name;
  std::size_t barriers_passed = 0;
};

/// Whether `next`, a graph built again once everything before its barrier
/// was done, gets any further: it is whole, or holds a task not done yet.
/// One that stops with everything before the stop done (at a result found
/// unreadable, say, by a build that may not repair it) would be built the
/// same way again. Execute, check and sleep-until share this rule.
bool gets_further(const Graph& next, Store& store);

/// Builds the graph with `build` and runs it; while it stops at a barrier
/// (barrier.hpp) and everything in it is done, builds it again, now past
/// the barrier, and runs what is new. Stops when a round ends otherwise
/// (failures, a stop request, waiting given up), when the graph is whole,
/// or when building again would make nothing new to run. With a --target,
/// only the tasks known at first are looked at: which tasks before a
/// barrier the target needs cannot be known.
ExecuteOutcome execute_through_barriers(const std::function<Graph()>& build, Store& store,
                                        const ExecuteOptions& options, ExecuteObserver& observer);

}  // namespace jug
