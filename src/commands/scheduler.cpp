// The Scheduler's run: choosing the tasks, the ready queue, the work loop of
// each thread, waiting for other workers, and the bookkeeping of task states.

#include "commands/scheduler.hpp"

#include <algorithm>
#include <thread>

#include <fmt/format.h>

#include "commands/abandoned_leases.hpp"
#include "commands/target_pattern.hpp"
#include "jug/errors.hpp"
#include "store/lease_judge.hpp"

namespace jug {

Scheduler::Scheduler(const Graph& graph, Store& store, const ExecuteOptions& options,
                     ExecuteObserver& observer)
    : graph_(graph),
      store_(store),
      options_(options),
      observer_(observer),
      owner_(LeaseOwner::self()),
      state_(graph.size(), State::kNotSelected) {
  report_.executed_per_name.assign(graph.names().size(), 0);
}

Scheduler::~Scheduler() { detach_from_switch(); }

void Scheduler::detach_from_switch() {
  if (!attached_to_switch_) return;
  options_.abandon_switch->detach();
  attached_to_switch_ = false;
}

ExecuteReport Scheduler::run() {
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
    if (options_.abandon_switch) {
      options_.abandon_switch->attach([this] { return keeper_->give_back_all(); });
      attached_to_switch_ = true;
    }
  }
  const unsigned jobs = std::max(1u, options_.jobs);
  if (jobs == 1) {
    work();
  } else {
    std::vector<std::thread> threads;
    for (unsigned i = 0; i < jobs; ++i) threads.emplace_back([this] { work(); });
    for (auto& t : threads) t.join();
  }
  detach_from_switch();
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

void Scheduler::select() {
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
        for (NodeId d : graph_.node(id).dependencies()) selected[d] = 1;
      }
    }
  }
  const auto& hashes = graph_.hashes();
  std::vector<bool> stored = store_.contains_all(hashes);
  if (options_.verify) remove_unreadable(selected, stored);
  // What workers killed at the wrong moment left, that nobody else would
  // look at: leases of finished tasks, half-written temporary files.
  remove_abandoned_leases(graph_, store_,
                          {.finished = &stored,
                           .lease_time = options_.lease_time,
                           .store_now = [this] { return store_clock_.now(); }});
  store_.remove_abandoned_files(options_.lease_time, /*dry_run=*/false);
  for (const FailureInfo& f : store_.list_failures()) {
    if (auto id = graph_.find(f.hash)) previously_failed_.push_back(*id);
  }
  std::sort(previously_failed_.begin(), previously_failed_.end());

  std::vector<std::size_t> to_do_per_name(graph_.names().size());
  for (NodeId id = 0; id < graph_.size(); ++id) {
    if (!selected[id]) continue;
    ++report_.selected;
    if (stored[id]) {
      state_[id] = State::kDone;
      ++report_.already_done;
    } else {
      state_[id] = State::kWaiting;
      ++to_do_per_name[graph_.node(id).name_id];
    }
  }
  observer_.round_started(graph_, report_.selected, report_.already_done, to_do_per_name);
  if (report_.already_done == report_.selected) return;  // nothing to do: a no-op execute
  // Made only now: 24 MB at a million tasks that a no-op execute need not
  // have zeroed.
  pending_.assign(graph_.size(), 0);
  unfinished_dependents_.assign(graph_.size(), 0);
  values_.resize(graph_.size());
  dependents_ = graph_.dependents();
  for (NodeId id = 0; id < graph_.size(); ++id) {
    if (state_[id] != State::kWaiting) continue;
    for (NodeId d : unique_dependencies(id)) {
      if (state_[d] != State::kDone) ++pending_[id];
    }
    // Counted per occurrence, as release_inputs gives them back: no
    // sorting on the path of every finished task.
    for (NodeId d : graph_.node(id).dependencies()) ++unfinished_dependents_[d];
    if (pending_[id] == 0) make_ready(id);
  }
  if (options_.keep_failed) {
    // Failed before and to stay so: not run, and nothing that needs them.
    for (NodeId id : previously_failed_) {
      if (state_[id] != State::kReady && state_[id] != State::kWaiting) continue;
      if (state_[id] == State::kReady) remove_from_ready(id);
      ++report_.kept_failed;
      observer_.task_not_to_run(graph_, id);
      state_[id] = State::kFailed;
      release_inputs(id);
      block_dependents(id);
    }
  }
}

void Scheduler::remove_from_ready(NodeId id) {
  std::vector<NodeId> rest;
  while (!ready_.empty()) {
    if (ready_.top() != id) rest.push_back(ready_.top());
    ready_.pop();
  }
  for (NodeId n : rest) ready_.push(n);
}

std::vector<NodeId> Scheduler::unique_dependencies(NodeId id) const {
  const std::span<const NodeId> dependencies = graph_.node(id).dependencies();
  std::vector<NodeId> deps(dependencies.begin(), dependencies.end());
  std::sort(deps.begin(), deps.end());
  deps.erase(std::unique(deps.begin(), deps.end()), deps.end());
  return deps;
}

void Scheduler::make_ready(NodeId id) {
  state_[id] = State::kReady;
  ready_.push(id);
}

std::optional<std::string> Scheduler::stop_reason() const {
  if (options_.max_tasks && options_.executed_in_earlier_rounds + report_.executed + busy_ >=
                                *options_.max_tasks) {
    return fmt::format("ran the {} tasks allowed (JUG_MAX_TASKS)", *options_.max_tasks);
  }
  if (options_.deadline && Clock::now() >= *options_.deadline) {
    return std::string("the time allowed is up (JUG_MAX_HOURS/MINUTES/SECONDS)");
  }
  if (options_.stop_requested) return options_.stop_requested();
  return std::nullopt;
}

void Scheduler::work() {
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

bool Scheduler::wait_for_other_workers() {
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

void Scheduler::poll_held_elsewhere(std::unique_lock<std::mutex>& lock, bool look_at_leases) {
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
      observer_.task_done_elsewhere(graph_, held[i]);
      mark_done(held[i]);
    } else if (look_at_leases) {
      make_ready(held[i]);
    } else {
      held_elsewhere_.push_back(held[i]);
    }
  }
}

void Scheduler::mark_done(NodeId id) {
  state_[id] = State::kDone;
  last_progress_ = Clock::now();
  release_inputs(id);
  for (NodeId n : dependents_[id]) {
    if (state_[n] == State::kWaiting && --pending_[n] == 0) make_ready(n);
  }
}

void Scheduler::release_inputs(NodeId id) {
  for (NodeId d : graph_.node(id).dependencies()) {
    if (--unfinished_dependents_[d] == 0) values_[d].reset();  // nobody needs it now
  }
}

void Scheduler::mark_failed(NodeId id) {
  state_[id] = State::kFailed;
  release_inputs(id);
  block_dependents(id);
  if (!options_.keep_going) stop_ = true;
}

void Scheduler::record_fatal(const std::string& message) {
  if (!report_.fatal_error) report_.fatal_error = message;
  stop_ = true;
  changed_.notify_all();
}

void Scheduler::block_dependents(NodeId failed) {
  std::vector<NodeId> stack{failed};
  while (!stack.empty()) {
    const NodeId n = stack.back();
    stack.pop_back();
    for (NodeId d : dependents_[n]) {
      if (state_[d] == State::kWaiting) {
        state_[d] = State::kBlocked;
        report_.blocked_by.emplace_back(d, failed);
        observer_.task_not_to_run(graph_, d);
        release_inputs(d);
        stack.push_back(d);
      }
    }
  }
}

}  // namespace jug
