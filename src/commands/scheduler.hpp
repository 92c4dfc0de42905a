#pragma once
/// The engine of `jug execute`: one Scheduler per run selects the tasks, runs
/// them on its threads (sharing the work with other workers through leases),
/// and keeps the state of every task. Its threads share it under `mutex_`.

#include <chrono>
#include <condition_variable>
#include <cstdint>
#include <functional>
#include <memory>
#include <mutex>
#include <optional>
#include <queue>
#include <string>
#include <utility>
#include <vector>

#include "commands/background_sync.hpp"
#include "commands/execute.hpp"
#include "commands/lease_keeper.hpp"
#include "commands/store_clock.hpp"
#include "engine/graph.hpp"
#include "engine/large_memory.hpp"
#include "store/store.hpp"

namespace jug {

class Scheduler {
 public:
  Scheduler(const Graph& graph, Store& store, const ExecuteOptions& options,
            ExecuteObserver& observer);
  ~Scheduler();
  Scheduler(const Scheduler&) = delete;
  Scheduler& operator=(const Scheduler&) = delete;

  ExecuteReport run();

 private:
  using Clock = std::chrono::steady_clock;

  /// How often results are made durable while running (background_sync.hpp);
  /// the run also ends with a sync, so everything is durable when execute
  /// reports it done.
  static constexpr std::chrono::seconds kSyncInterval{1};

  /// While waiting for other workers with a watch on their leases: how often
  /// their leases are judged anyway, since a worker that dies touches no file.
  static constexpr std::chrono::seconds kLivenessInterval{1};

  /// What earlier attempts at a task left in the store, to be cleared once
  /// an attempt succeeds.
  struct Troubles {
    /// Left by earlier attempts, to be cleared once it succeeds.
    TaskTroubles recorded;
    /// Its next crash would be its last (see RunGate).
    bool run_alone = false;
  };

  /// Where each task is in this run.
  enum class State : std::uint8_t {
    kNotSelected,
    kWaiting,        // some dependency not done
    kReady,          // in the ready queue
    kRunning,        // a thread of ours has it
    kHeldElsewhere,  // another worker holds its lease
    kDone,
    kFailed,
    kBlocked,  // a dependency failed
  };

  void select();

  /// With --verify: reads every result `stored` says the `selected` tasks
  /// have; one that cannot be read is removed (and `stored` says so), so
  /// that this run computes it again.
  void remove_unreadable(const std::vector<char>& selected, std::vector<bool>& stored);

  /// Ends what run() set up on options_.abandon_switch (keeper_ must live
  /// until then).
  void detach_from_switch();

  /// Takes `id` out of the ready queue (only at the start, so rebuilding
  /// the queue costs nothing that matters).
  void remove_from_ready(NodeId id);

  /// The distinct dependencies of a node.
  std::vector<NodeId> unique_dependencies(NodeId id) const;

  void make_ready(NodeId id);

  /// Called with mutex_ held: a reason to start no more tasks, if any.
  std::optional<std::string> stop_reason() const;

  void work();

  /// Called by the one polling thread, without mutex_: returns when other
  /// workers may have finished or given up something we wait for; true when
  /// their leases are worth another look (given back, or the holders may
  /// have died since the last look), not just their results.
  bool wait_for_other_workers();

  /// Re-checks the tasks other workers hold: finished ones are done; with
  /// `look_at_leases`, the rest go back to the ready queue, to be tried
  /// again (taken over if their holders are gone).
  void poll_held_elsewhere(std::unique_lock<std::mutex>& lock, bool look_at_leases);

  /// Runs `id`, then the tasks chained after it (see Chained).
  void process(NodeId id);

  /// Takes the lease of `id`, taking over the lease of a worker that is gone
  /// (and recording its crash), and reads what the store holds of the task;
  /// nothing while a live worker holds it.
  std::optional<LeasedTask> obtain_lease(NodeId id);
  /// Takes the lease of `id` and looks at what earlier attempts left: the
  /// troubles to clear once it succeeds, or nothing when the task is not to
  /// run now (held elsewhere, done, failed; all handled here). `alone`: this
  /// thread already runs alone (see RunGate); if it must and does not, the
  /// lease is given back (run_alone says so). `leased`: what taking its
  /// lease read, when a chained task's lease was looked for already.
  std::optional<Troubles> lease_and_check(NodeId id, bool alone,
                                          std::optional<LeasedTask> leased);

  void release_lease(const TaskHash& hash);
  /// After the store failed while storing the result of `hash`: whether
  /// the result got stored all the same (false when the store cannot say).
  bool stored_despite_error(const TaskHash& hash);

  bool previously_failed(NodeId id) const;

  /// Counts a task of ours as running from its lease to its result: while
  /// one runs, waiting for other workers' tasks is worth it.
  class Executing {
   public:
    explicit Executing(Scheduler& s) : s_(s) {
      std::lock_guard lock(s_.mutex_);
      ++s_.executing_;
    }
    ~Executing() {
      std::lock_guard lock(s_.mutex_);
      --s_.executing_;
      s_.last_progress_ = Clock::now();
    }
    Executing(const Executing&) = delete;
    Executing& operator=(const Executing&) = delete;

   private:
    Scheduler& s_;
  };

  /// Lets a thread of ours go on with a task, from before its lease to its
  /// end. A task to run `alone` first waits for this worker's other tasks
  /// to end, and none take a lease until it is done: should the worker die
  /// meanwhile, the crash is counted against that task only.
  class RunGate {
   public:
    RunGate(Scheduler& s, bool alone) : s_(&s), alone_(alone) {
      std::unique_lock lock(s_->mutex_);
      if (alone_) {
        ++s_->waiting_alone_;
        s_->changed_.wait(lock, [this] { return s_->gated_ == 0 && !s_->running_alone_; });
        --s_->waiting_alone_;
        s_->running_alone_ = true;
      } else {
        s_->changed_.wait(lock, [this] { return may_pass(*s_); });
      }
      ++s_->gated_;
    }
    /// Past the gate at once: called with mutex_ held, when may_pass().
    struct Admitted {};
    RunGate(Scheduler& s, Admitted) : s_(&s), alone_(false) { ++s_->gated_; }
    /// Whether a task that need not run alone may pass now (mutex_ held).
    static bool may_pass(const Scheduler& s) { return !s.running_alone_ && s.waiting_alone_ == 0; }
    RunGate(RunGate&& other) noexcept
        : s_(std::exchange(other.s_, nullptr)), alone_(other.alone_) {}
    RunGate& operator=(RunGate&& other) noexcept {
      if (this != &other) {
        leave();
        s_ = std::exchange(other.s_, nullptr);
        alone_ = other.alone_;
      }
      return *this;
    }
    ~RunGate() { leave(); }

   private:
    void leave() {
      if (!s_) return;
      std::lock_guard lock(s_->mutex_);
      --s_->gated_;
      if (alone_) s_->running_alone_ = false;
      s_->changed_.notify_all();
      s_ = nullptr;
    }

    Scheduler* s_;
    bool alone_;
  };

  /// The task a thread goes on with once its task is done, its lease taken
  /// in the round trip that stored the result before it
  /// (Store::put_release_and_acquire): one round trip a task, not two.
  struct Chained {
    NodeId id;
    /// Past the gate since it was chosen.
    std::optional<RunGate> gate;
    /// What acquire_and_read said; nothing when another worker holds it.
    std::optional<LeasedTask> leased;
  };

  /// Runs one task (`chained`: its lease already looked for); the task to
  /// go on with, if any.
  std::optional<Chained> process_one(NodeId id, std::optional<Chained> chained);

  /// Called when task `finished` is about to be stored: the task to chain
  /// after it, the one work() would take next once `finished` is done (the
  /// lowest id of those ready and of those that wait for it alone), taken
  /// out of the queue; nothing when work() would start none now.
  std::optional<Chained> take_chained(NodeId finished);

  /// A chained task that is not to run now goes back to the queue, its
  /// lease given back if it may be ours.
  void give_back(Chained chained, bool may_hold_lease);

  /// Runs a task whose lease we hold; `may_chain`: whether to take the
  /// next task's lease with its result (take_chained), returned.
  std::optional<Chained> run_leased(NodeId id, Troubles troubles, bool may_chain);

  /// A result `dependency` of task `id` could not be read: it is removed
  /// and run again, and `id` (whose lease we hold) waits for it again.
  /// Other tasks reading it meet the same and come here too.
  /// `type_changed`: its record is intact but of another type (see
  /// ExecuteObserver::result_recomputed).
  void recompute_dependency(NodeId id, NodeId dependency, const std::string& message,
                            bool type_changed);

  /// Why the stored result of a task cannot be read now.
  struct Unreadable {
    enum class Cause : std::uint8_t { kGone, kDamaged, kTypeChanged } cause;
    std::string message;
  };
  /// Why the stored result of `id` cannot be read now, or nothing when it
  /// can (it is loaded and decoded to tell).
  std::optional<Unreadable> unreadable(NodeId id);

  /// Called with mutex_ held: a done task whose result is gone becomes to
  /// do again, and what needs it waits for it again.
  void revive(NodeId id);

  /// The value of a finished dependency: from memory when we computed or
  /// loaded it, else from the store.
  AnyValue value_of(NodeId id);
  /// Whether the value of `id`, just made or read, is kept in memory for
  /// the tasks still to run here that need it (never with
  /// --aggressive-unload). Under mutex_.
  bool keeps_value(NodeId id) const {
    return !options_.aggressive_unload && unfinished_dependents_[id] > 0;
  }
  /// The same as the bytes of its elements, for a task that reads it
  /// through a view (TaskBody::viewed_dependencies): mapped from the store
  /// where it can be.
  AnyValue view_of(NodeId id);

  /// Called with mutex_ held.
  void mark_done(NodeId id);

  /// Called with mutex_ held: `id` needs its dependencies' values no more.
  void release_inputs(NodeId id);

  /// Called with mutex_ held.
  void mark_failed(NodeId id);

  void fail(NodeId id, const std::string& message);

  /// A store error (or a result that cannot be read): nothing more can be
  /// done safely in this process. Gives back the lease of `id` if we hold it.
  void fatal(NodeId id, const std::string& message, bool holds_lease);

  /// Called with mutex_ held.
  void record_fatal(const std::string& message);

  /// Called with mutex_ held: what needs the failed task `failed` can
  /// never run in this run.
  void block_dependents(NodeId failed);

  const Graph& graph_;
  Store& store_;
  const ExecuteOptions& options_;
  ExecuteObserver& observer_;
  const LeaseOwner owner_;

  std::mutex mutex_;
  std::condition_variable changed_;
  /// Held while a result that could not be read is checked and removed.
  std::mutex recovery_mutex_;
  LargeVector<State> state_;
  // Per node, made by select() when there is something to run:
  /// Distinct dependencies not yet done, per waiting node.
  LargeVector<std::uint32_t> pending_;
  /// Uses by selected dependents not yet done, per node (a dependent that
  /// takes it twice counts twice): its value is kept in memory until this
  /// reaches zero.
  LargeVector<std::uint32_t> unfinished_dependents_;
  LargeVector<AnyValue> values_;
  /// Built only when there is something to run.
  Graph::Dependents dependents_;
  /// Lowest id first: tasks run in creation order, as in jug.
  std::priority_queue<NodeId, std::vector<NodeId>, std::greater<>> ready_;
  std::vector<NodeId> held_elsewhere_;
  std::vector<NodeId> previously_failed_;
  /// Threads between taking a task from the queue and finishing with it.
  unsigned busy_ = 0;
  /// Tasks of ours between lease and result: while one runs, waiting for
  /// other workers is worthwhile (see Executing).
  unsigned executing_ = 0;
  /// Tasks of ours past the gate; a task running alone, and tasks waiting
  /// to (see RunGate).
  unsigned gated_ = 0;
  bool running_alone_ = false;
  unsigned waiting_alone_ = 0;
  bool polling_ = false;
  bool stop_ = false;
  Clock::time_point last_progress_ = Clock::now();
  ExecuteReport report_;
  /// Renews our leases while tasks run; only made when there is work.
  std::optional<LeaseKeeper> keeper_;
  std::optional<BackgroundSync> syncer_;
  bool attached_to_switch_ = false;
  StoreClock store_clock_{store_};
  /// Only the polling thread (polling_) touches these.
  bool watch_tried_ = false;
  std::unique_ptr<LeaseWatch> watch_;
  Clock::time_point last_lease_look_ = Clock::now();
};

}  // namespace jug
