#include "commands/execute.hpp"

#include <atomic>
#include <condition_variable>
#include <mutex>
#include <queue>
#include <thread>

#include <fmt/format.h>

#include "commands/background_sync.hpp"
#include "commands/lease_keeper.hpp"
#include "commands/store_clock.hpp"
#include "commands/target_pattern.hpp"
#include "engine/build_context.hpp"
#include "engine/exception_name.hpp"
#include "engine/large_memory.hpp"
#include "engine/results.hpp"
#include "jug/errors.hpp"

namespace jug {
namespace {

using Clock = std::chrono::steady_clock;

/// How often results are made durable while running (background_sync.hpp);
/// the run also ends with a sync, so everything is durable when execute
/// reports it done.
constexpr std::chrono::seconds kSyncInterval{1};

/// While waiting for other workers with a watch on their leases: how often
/// their leases are judged anyway, since a worker that dies touches no file.
constexpr std::chrono::seconds kLivenessInterval{1};

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

class Scheduler {
 public:
  Scheduler(const Graph& graph, Store& store, const ExecuteOptions& options,
            ExecuteObserver& observer)
      : graph_(graph),
        store_(store),
        options_(options),
        observer_(observer),
        owner_(LeaseOwner::self()),
        state_(graph.size(), State::kNotSelected),
        pending_(graph.size(), 0),
        unfinished_dependents_(graph.size(), 0),
        values_(graph.size()) {
    report_.executed_per_name.assign(graph.names().size(), 0);
  }

  ExecuteReport run() {
    select();
    if (report_.already_done < report_.selected) {
      keeper_.emplace(store_, owner_, lease_renewal_interval(options_.lease_time),
                      [this](const TaskHash& hash, const std::string& message) {
                        if (auto id = graph_.find(hash)) observer_.lease_lost(graph_, *id, message);
                      });
      syncer_.emplace(store_, kSyncInterval, [this](const std::string& message) {
        std::lock_guard lock(mutex_);
        record_fatal(message);
      });
    }
    const unsigned jobs = std::max(1u, options_.jobs);
    if (jobs == 1) {
      work();
    } else {
      std::vector<std::thread> threads;
      for (unsigned i = 0; i < jobs; ++i) threads.emplace_back([this] { work(); });
      for (auto& t : threads) t.join();
    }
    keeper_.reset();
    syncer_.reset();
    try {
      // Durable before we report it done. Nothing written, nothing to sync:
      // syncfs would only wait for other programs' writes.
      if (report_.executed > 0 || !report_.failures.empty()) store_.sync();
    } catch (const StoreError& e) {
      if (!report_.fatal_error) report_.fatal_error = e.what();
    }
    std::sort(report_.blocked_by.begin(), report_.blocked_by.end());
    report_.blocked = report_.blocked_by.size();
    return std::move(report_);
  }

 private:
  void select() {
    std::vector<char> selected(graph_.size(), options_.target ? 0 : 1);
    if (options_.target) {
      const TargetPattern pattern(*options_.target);
      const std::vector<NodeId> roots = pattern.select(graph_);
      if (roots.empty()) {
        throw Error(fmt::format("jug: no task matches the target {}", pattern.text()));
      }
      for (NodeId id : roots) selected[id] = 1;
      // Dependencies have smaller ids: one backward sweep closes the set.
      for (NodeId id = static_cast<NodeId>(graph_.size()); id-- > 0;) {
        if (selected[id]) {
          for (NodeId d : graph_.node(id).dependencies) selected[d] = 1;
        }
      }
    }
    const auto& hashes = graph_.hashes();
    const std::vector<bool> stored = store_.contains_all(hashes);
    for (const FailureInfo& f : store_.list_failures()) {
      if (auto id = graph_.find(f.hash)) previously_failed_.push_back(*id);
    }
    std::sort(previously_failed_.begin(), previously_failed_.end());

    for (NodeId id = 0; id < graph_.size(); ++id) {
      if (!selected[id]) continue;
      ++report_.selected;
      if (stored[id]) {
        state_[id] = State::kDone;
        ++report_.already_done;
      } else {
        state_[id] = State::kWaiting;
      }
    }
    if (report_.already_done == report_.selected) return;  // nothing to do: a no-op execute
    dependents_ = graph_.dependents();
    for (NodeId id = 0; id < graph_.size(); ++id) {
      if (state_[id] != State::kWaiting) continue;
      for (NodeId d : unique_dependencies(id)) {
        if (state_[d] != State::kDone) ++pending_[id];
      }
      // Counted per occurrence, as release_inputs gives them back: no
      // sorting on the path of every finished task.
      for (NodeId d : graph_.node(id).dependencies) ++unfinished_dependents_[d];
      if (pending_[id] == 0) make_ready(id);
    }
    if (options_.keep_failed) {
      // Failed before and to stay so: not run, and nothing that needs them.
      for (NodeId id : previously_failed_) {
        if (state_[id] != State::kReady && state_[id] != State::kWaiting) continue;
        if (state_[id] == State::kReady) remove_from_ready(id);
        ++report_.kept_failed;
        state_[id] = State::kFailed;
        release_inputs(id);
        block_dependents(id);
      }
    }
  }

  /// Takes `id` out of the ready queue (only at the start, so rebuilding
  /// the queue costs nothing that matters).
  void remove_from_ready(NodeId id) {
    std::vector<NodeId> rest;
    while (!ready_.empty()) {
      if (ready_.top() != id) rest.push_back(ready_.top());
      ready_.pop();
    }
    for (NodeId n : rest) ready_.push(n);
  }

  /// The distinct dependencies of a node.
  std::vector<NodeId> unique_dependencies(NodeId id) const {
    std::vector<NodeId> deps = graph_.node(id).dependencies;
    std::sort(deps.begin(), deps.end());
    deps.erase(std::unique(deps.begin(), deps.end()), deps.end());
    return deps;
  }

  void make_ready(NodeId id) {
    state_[id] = State::kReady;
    ready_.push(id);
  }

  /// Called with mutex_ held: a reason to start no more tasks, if any.
  std::optional<std::string> stop_reason() const {
    if (options_.max_tasks && report_.executed + busy_ >= *options_.max_tasks) {
      return fmt::format("ran the {} tasks allowed (JUG_MAX_TASKS)", *options_.max_tasks);
    }
    if (options_.deadline && Clock::now() >= *options_.deadline) {
      return std::string("the time allowed is up (JUG_MAX_HOURS/MINUTES/SECONDS)");
    }
    if (options_.stop_requested) return options_.stop_requested();
    return std::nullopt;
  }

  void work() {
    std::unique_lock lock(mutex_);
    while (!stop_) {
      if (!ready_.empty() || !held_elsewhere_.empty()) {
        if (std::optional<std::string> reason = stop_reason()) {
          if (!report_.stopped) report_.stopped = std::move(reason);
          stop_ = true;
          break;
        }
      }
      if (!ready_.empty()) {
        const NodeId id = ready_.top();
        ready_.pop();
        state_[id] = State::kRunning;
        ++busy_;
        lock.unlock();
        process(id);
        lock.lock();
        --busy_;
        changed_.notify_all();
        continue;
      }
      if (held_elsewhere_.empty()) {
        // Nothing left that we could ever run, unless a thread of ours is
        // busy (its task may free others) or polling (it will hand back
        // what other workers hold).
        if (busy_ == 0 && !polling_) break;
        changed_.wait(lock);
        continue;
      }
      // Everything runnable is held by other workers: one thread waits for
      // them while the rest sleep.
      if (polling_) {
        changed_.wait(lock);
        continue;
      }
      const auto patience = options_.wait_cycle_time * options_.nr_wait_cycles;
      if (executing_ == 0 && Clock::now() - last_progress_ > patience) {
        report_.gave_up_waiting = true;
        stop_ = true;
        break;
      }
      polling_ = true;
      lock.unlock();
      const bool look_at_leases = wait_for_other_workers();
      lock.lock();
      poll_held_elsewhere(lock, look_at_leases);
      polling_ = false;
      changed_.notify_all();
    }
    changed_.notify_all();
  }

  /// Called by the one polling thread, without mutex_: returns when other
  /// workers may have finished or given up something we wait for; true when
  /// their leases are worth another look (given back, or the holders may
  /// have died since the last look), not just their results.
  bool wait_for_other_workers() {
    const auto liveness = std::min<std::chrono::duration<double>>(kLivenessInterval,
                                                                  options_.wait_cycle_time);
    if (!watch_tried_) {
      watch_tried_ = true;
      try {
        watch_ = store_.watch_leases();
      } catch (const std::exception&) {
        // no watch: poll
      }
      // A lease given back between our last look and the watch's start
      // would never wake us: look again at once, with the watch running.
      if (watch_) return true;
    }
    const auto poll = std::min(options_.poll_interval, options_.wait_cycle_time);
    if (!watch_) {
      // A shared filesystem: results are looked for every poll, but leases
      // (several requests each to the server) only every `liveness`.
      std::this_thread::sleep_for(poll);
      if (Clock::now() - last_lease_look_ < liveness) return false;
      last_lease_look_ = Clock::now();
      return true;
    }
    // Woken the moment a lease is given back or broken. A worker that dies
    // changes no file, though: its leases are looked at again every
    // `liveness` anyway.
    const auto timeout = std::max(std::chrono::duration<double>(poll), liveness);
    watch_->wait(std::chrono::ceil<std::chrono::milliseconds>(timeout));
    return true;
  }

  /// Re-checks the tasks other workers hold: finished ones are done; with
  /// `look_at_leases`, the rest go back to the ready queue, to be tried
  /// again (taken over if their holders are gone).
  void poll_held_elsewhere(std::unique_lock<std::mutex>& lock, bool look_at_leases) {
    std::vector<NodeId> held;
    held.swap(held_elsewhere_);
    lock.unlock();
    std::vector<char> finished(held.size());
    std::optional<std::string> error;
    try {
      for (std::size_t i = 0; i < held.size(); ++i) finished[i] = store_.contains(graph_.hash(held[i]));
    } catch (const std::exception& e) {
      error = e.what();
    }
    lock.lock();
    if (error) {
      held_elsewhere_ = std::move(held);
      record_fatal(*error);
      return;
    }
    for (std::size_t i = 0; i < held.size(); ++i) {
      if (finished[i]) {
        ++report_.done_elsewhere;
        mark_done(held[i]);
      } else if (look_at_leases) {
        make_ready(held[i]);
      } else {
        held_elsewhere_.push_back(held[i]);
      }
    }
  }

  void process(NodeId id) {
    const TaskHash& hash = graph_.hash(id);
    try {
      if (!obtain_lease(id)) {
        std::lock_guard lock(mutex_);
        state_[id] = State::kHeldElsewhere;
        held_elsewhere_.push_back(id);
        return;
      }
    } catch (const std::exception& e) {
      fatal(id, e.what(), /*holds_lease=*/false);
      return;
    }
    keeper_->keep(hash);
    Troubles troubles;
    try {
      if (store_.contains(hash)) {  // finished between our listing and our lease
        release_lease(hash);
        std::lock_guard lock(mutex_);
        ++report_.done_elsewhere;
        mark_done(id);
        return;
      }
      // A failure recorded since this run started means another worker ran
      // and failed it meanwhile: not retried in this run (it would most
      // likely fail again); a later execute retries it.
      std::optional<std::string> recorded = store_.failure(hash);
      if (recorded && !previously_failed(id)) {
        release_lease(hash);
        std::lock_guard lock(mutex_);
        report_.failed_elsewhere.push_back({id, std::move(*recorded)});
        mark_failed(id);
        return;
      }
      troubles.failure = recorded.has_value();
      const std::vector<std::string> crashes = store_.crashes(hash);
      troubles.crashes = !crashes.empty();
      if (crashes.size() >= std::max(1u, options_.max_crashes)) {
        fail(id, fmt::format("its worker died {} time{} while running it, so it is not run "
                             "again (--max-crashes {}); `jug cleanup --failed-only` lets it run "
                             "once more. Last: {}",
                             crashes.size(), crashes.size() == 1 ? "" : "s", options_.max_crashes,
                             crashes.back()));
        return;
      }
    } catch (const std::exception& e) {
      fatal(id, e.what(), /*holds_lease=*/true);
      return;
    }
    run_leased(id, troubles);
  }

  /// Takes the lease of `id`, taking over the lease of a worker that is gone
  /// (and recording its crash); false while a live worker holds it.
  bool obtain_lease(NodeId id) {
    const TaskHash& hash = graph_.hash(id);
    // Twice at most: a lease released or broken between our tries is
    // retried once; after that the task counts as held, and is looked at
    // again with the others held elsewhere.
    for (int attempt = 0; attempt < 2; ++attempt) {
      if (store_.acquire(hash, owner_)) return true;
      const std::optional<LeaseInfo> lease = store_.lease(hash);
      if (!lease) continue;
      const std::optional<std::string> why = abandoned_lease(
          *lease, owner_, options_.lease_time, [this] { return store_clock_.now(); });
      if (!why) return false;
      // Its worker died running the task (unless it died just after
      // storing the result): recorded before the lease goes, so that
      // whoever takes the task next counts this crash.
      const bool broken = store_.break_lease(*lease, [&] {
        if (!store_.contains(hash)) store_.record_crash(hash, *why);
      });
      if (!broken) return false;
      {
        std::lock_guard lock(mutex_);
        ++report_.taken_over;
      }
      observer_.lease_taken_over(graph_, id, *why);
    }
    return false;
  }

  void release_lease(const TaskHash& hash) {
    keeper_->drop(hash);
    store_.release(hash, owner_);
  }

  bool previously_failed(NodeId id) const {
    return std::binary_search(previously_failed_.begin(), previously_failed_.end(), id);
  }

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

  /// What earlier attempts at a task left in the store, to be cleared once
  /// an attempt succeeds.
  struct Troubles {
    bool failure = false;
    bool crashes = false;
  };

  /// Runs a task whose lease we hold.
  void run_leased(NodeId id, Troubles troubles) {
    const Executing executing(*this);
    const Graph::Node& node = graph_.node(id);
    std::vector<AnyValue> inputs;
    NodeId loading = 0;
    try {
      inputs.reserve(node.dependencies.size());
      for (NodeId d : node.dependencies) {
        loading = d;
        inputs.push_back(value_of(d));
      }
    } catch (const CorruptRecord& e) {
      recompute_dependency(id, loading, e.what());
      return;
    } catch (const ValueNotAvailable& e) {
      recompute_dependency(id, loading, e.what());
      return;
    } catch (const std::exception& e) {
      // The store failed: that is not this task's fault, and nothing that
      // reads it can run.
      fatal(id, e.what(), /*holds_lease=*/true);
      return;
    }
    observer_.task_started(graph_, id);
    const auto start = Clock::now();
    std::string record;
    AnyValue value;
    std::optional<std::string> failure;
    for (unsigned attempt = 0;; ++attempt) {
      try {
        value = node.body->run(inputs);
        record = encode_result(graph_, id, value);
        failure.reset();
      } catch (const std::exception& e) {
        failure = fmt::format("{}: {}", exception_type_name(e), e.what());
      } catch (...) {
        failure = "an exception of unknown type (not derived from std::exception)";
      }
      if (!failure || attempt >= options_.retries) break;
      observer_.task_retrying(graph_, id, *failure, attempt + 1);
    }
    inputs.clear();
    if (failure) {
      fail(id, *failure);
      return;
    }
    try {
      store_.put(graph_.hash(id), record);
    } catch (const std::exception& e) {
      fatal(id,
            fmt::format("could not store the result of task {}: {}", describe_task(graph_, id),
                        e.what()),
            /*holds_lease=*/true);
      return;
    }
    const double seconds = std::chrono::duration<double>(Clock::now() - start).count();
    observer_.task_finished(graph_, id, seconds);
    {
      std::lock_guard lock(mutex_);
      ++report_.executed;
      ++report_.executed_per_name[node.name_id];
      if (unfinished_dependents_[id] > 0) values_[id] = std::move(value);
      mark_done(id);
    }
    // The result is published: errors from here on do not undo it.
    try {
      if (troubles.failure) store_.clear_failure(graph_.hash(id));
      if (troubles.crashes) store_.clear_crashes(graph_.hash(id));
      release_lease(graph_.hash(id));
      syncer_->wrote();
    } catch (const std::exception& e) {
      std::lock_guard lock(mutex_);
      record_fatal(fmt::format("task {} is stored, but then: {}", describe_task(graph_, id),
                               e.what()));
    }
  }

  /// A result `dependency` of task `id` could not be read: it is removed
  /// and run again, and `id` (whose lease we hold) waits for it again.
  /// Other tasks reading it meet the same and come here too.
  void recompute_dependency(NodeId id, NodeId dependency, const std::string& message) {
    try {
      release_lease(graph_.hash(id));
      // One recovery at a time: a thread that read the same bad record
      // must not remove the good one computed since.
      std::lock_guard recovering(recovery_mutex_);
      bool done;
      {
        std::lock_guard lock(mutex_);
        done = state_[dependency] == State::kDone;
      }
      if (done && !readable(dependency)) {
        store_.remove(graph_.hash(dependency));
        std::lock_guard lock(mutex_);
        observer_.result_recomputed(graph_, dependency, message);
        ++report_.recomputed;
        revive(dependency);
      }
    } catch (const std::exception& e) {
      fatal(id, e.what(), /*holds_lease=*/false);
      return;
    }
    std::lock_guard lock(mutex_);
    state_[id] = State::kWaiting;
    pending_[id] = 0;
    for (NodeId d : unique_dependencies(id)) {
      if (state_[d] != State::kDone) ++pending_[id];
    }
    if (pending_[id] == 0) make_ready(id);  // revived and redone meanwhile
    changed_.notify_all();
  }

  /// Whether the stored result of `id` can be read now.
  bool readable(NodeId id) {
    try {
      load_result(store_, graph_, id);
      return true;
    } catch (const CorruptRecord&) {
      return false;
    } catch (const ValueNotAvailable&) {
      return false;
    }
  }

  /// Called with mutex_ held: a done task whose result is gone becomes to
  /// do again, and what needs it waits for it again.
  void revive(NodeId id) {
    values_[id].reset();
    state_[id] = State::kWaiting;
    for (NodeId d : unique_dependencies(id)) {
      if (state_[d] != State::kDone) ++pending_[id];
    }
    // It will read its dependencies again (release_inputs gives them back).
    for (NodeId d : graph_.node(id).dependencies) ++unfinished_dependents_[d];
    for (NodeId n : dependents_[id]) {
      if (state_[n] == State::kWaiting) {
        ++pending_[n];
      } else if (state_[n] == State::kReady) {
        remove_from_ready(n);
        state_[n] = State::kWaiting;
        pending_[n] = 1;
      }
    }
    if (pending_[id] == 0) make_ready(id);
  }

  /// The value of a finished dependency: from memory when we computed or
  /// loaded it, else from the store.
  AnyValue value_of(NodeId id) {
    {
      std::lock_guard lock(mutex_);
      if (values_[id]) return values_[id];
    }
    AnyValue v = load_result(store_, graph_, id);
    std::lock_guard lock(mutex_);
    if (unfinished_dependents_[id] > 0) values_[id] = v;
    return v;
  }

  /// Called with mutex_ held.
  void mark_done(NodeId id) {
    state_[id] = State::kDone;
    last_progress_ = Clock::now();
    release_inputs(id);
    for (NodeId n : dependents_[id]) {
      if (state_[n] == State::kWaiting && --pending_[n] == 0) make_ready(n);
    }
  }

  /// Called with mutex_ held: `id` needs its dependencies' values no more.
  void release_inputs(NodeId id) {
    for (NodeId d : graph_.node(id).dependencies) {
      if (--unfinished_dependents_[d] == 0) values_[d].reset();  // nobody needs it now
    }
  }

  /// Called with mutex_ held.
  void mark_failed(NodeId id) {
    state_[id] = State::kFailed;
    release_inputs(id);
    block_dependents(id);
    if (!options_.keep_going) stop_ = true;
  }

  void fail(NodeId id, const std::string& message) {
    const TaskHash& hash = graph_.hash(id);
    observer_.task_failed(graph_, id, message);
    try {
      store_.record_failure(hash, message);
      release_lease(hash);
    } catch (const std::exception& e) {
      fatal(id, e.what(), /*holds_lease=*/true);
      return;
    }
    std::lock_guard lock(mutex_);
    report_.failures.push_back({id, message});
    mark_failed(id);
  }

  /// A store error (or a result that cannot be read): nothing more can be
  /// done safely in this process. Gives back the lease of `id` if we hold it.
  void fatal(NodeId id, const std::string& message, bool holds_lease) {
    if (holds_lease) {
      try {
        release_lease(graph_.hash(id));
      } catch (const std::exception&) {
        // the store is unusable; the lease will be taken over once it expires
      }
    }
    std::lock_guard lock(mutex_);
    state_[id] = State::kFailed;
    record_fatal(message);
  }

  /// Called with mutex_ held.
  void record_fatal(const std::string& message) {
    if (!report_.fatal_error) report_.fatal_error = message;
    stop_ = true;
    changed_.notify_all();
  }

  /// Called with mutex_ held: what needs the failed task `failed` can
  /// never run in this run.
  void block_dependents(NodeId failed) {
    std::vector<NodeId> stack{failed};
    while (!stack.empty()) {
      const NodeId n = stack.back();
      stack.pop_back();
      for (NodeId d : dependents_[n]) {
        if (state_[d] == State::kWaiting) {
          state_[d] = State::kBlocked;
          report_.blocked_by.emplace_back(d, failed);
          release_inputs(d);
          stack.push_back(d);
        }
      }
    }
  }

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
  /// Distinct dependencies not yet done, per waiting node.
  LargeVector<std::uint32_t> pending_;
  /// Uses by selected dependents not yet done, per node (a dependent that
  /// takes it twice counts twice): its value is kept in memory until this
  /// reaches zero.
  LargeVector<std::uint32_t> unfinished_dependents_;
  LargeVector<AnyValue> values_;
  /// Built only when there is something to run.
  std::vector<std::vector<NodeId>> dependents_;
  /// Lowest id first: tasks run in creation order, as in jug.
  std::priority_queue<NodeId, std::vector<NodeId>, std::greater<>> ready_;
  std::vector<NodeId> held_elsewhere_;
  std::vector<NodeId> previously_failed_;
  /// Threads between taking a task from the queue and finishing with it.
  unsigned busy_ = 0;
  /// Tasks of ours between lease and result: while one runs, waiting for
  /// other workers is worthwhile (see Executing).
  unsigned executing_ = 0;
  bool polling_ = false;
  bool stop_ = false;
  Clock::time_point last_progress_ = Clock::now();
  ExecuteReport report_;
  /// Renews our leases while tasks run; only made when there is work.
  std::optional<LeaseKeeper> keeper_;
  std::optional<BackgroundSync> syncer_;
  StoreClock store_clock_{store_};
  /// Only the polling thread (polling_) touches these.
  bool watch_tried_ = false;
  std::unique_ptr<LeaseWatch> watch_;
  Clock::time_point last_lease_look_ = Clock::now();
};

}  // namespace

ExecuteReport execute(const Graph& graph, Store& store, const ExecuteOptions& options,
                      ExecuteObserver& observer) {
  CurrentGraph current(graph, store);
  return Scheduler(graph, store, options, observer).run();
}

}  // namespace jug
