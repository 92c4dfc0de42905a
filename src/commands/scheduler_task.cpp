// The Scheduler running one task: its lease, its inputs, its run, and what
// becomes of its result or its failure.

#include "commands/scheduler.hpp"

#include <algorithm>

#include <fmt/format.h>

#include "commands/abandoned_leases.hpp"
#include "commands/debug_checks.hpp"
#include "commands/last_words.hpp"
#include "engine/results.hpp"
#include "engine/run_metadata_of.hpp"
#include "engine/type_name.hpp"
#include "jug/errors.hpp"
#include "store/lease_judge.hpp"

namespace jug {

void Scheduler::process(NodeId id) {
  std::optional<Chained> next = process_one(id, std::nullopt);
  while (next) {
    bool stopped = false;
    {
      std::lock_guard lock(mutex_);
      stopped = stop_;
    }
    if (stopped) {  // as work() would not start it
      const bool leased = next->leased.has_value();
      give_back(std::move(*next), leased);
      return;
    }
    const NodeId chained = next->id;
    next = process_one(chained, std::move(next));
  }
}

std::optional<Scheduler::Chained> Scheduler::process_one(NodeId id,
                                                         std::optional<Chained> chained) {
  // Once more, alone, when its crashes so far say so (see RunGate).
  for (bool alone = false;;) {
    std::optional<RunGate> gate;
    std::optional<LeasedTask> leased;
    if (chained) {
      gate = std::move(chained->gate);
      leased = std::move(chained->leased);
      chained.reset();
    } else if (options_.jobs > 1) {
      gate.emplace(*this, alone);
    }
    const std::optional<Troubles> troubles = lease_and_check(id, alone, std::move(leased));
    if (!troubles) return std::nullopt;  // held elsewhere, done, failed, or an error
    if (troubles->run_alone && !alone) {
      alone = true;
      continue;
    }
    // A task running alone goes on with none: the next would take its
    // lease while this one still runs.
    return run_leased(id, *troubles, /*may_chain=*/!alone);
  }
}

std::optional<Scheduler::Chained> Scheduler::take_chained(NodeId finished) {
  std::lock_guard lock(mutex_);
  if (stop_ || stop_reason()) return std::nullopt;
  if (options_.jobs > 1 && !RunGate::may_pass(*this)) return std::nullopt;
  // Not always the top of the queue: a dependent that waits for `finished`
  // alone would be ready, and run first if its id is lower, once it is done.
  std::optional<NodeId> next;
  if (!ready_.empty()) next = ready_.top();
  bool from_queue = next.has_value();
  for (NodeId n : dependents_[finished]) {
    if (state_[n] == State::kWaiting && pending_[n] == 1 && (!next || n < *next)) {
      next = n;
      from_queue = false;
    }
  }
  if (!next) return std::nullopt;
  if (from_queue) {
    ready_.pop();
  } else {
    pending_[*next] = 0;  // mark_done(finished) passes it by: no longer waiting
  }
  state_[*next] = State::kRunning;
  Chained chained{*next, std::nullopt, std::nullopt};
  if (options_.jobs > 1) chained.gate.emplace(*this, RunGate::Admitted{});
  return chained;
}

void Scheduler::give_back(Chained chained, bool may_hold_lease) {
  if (may_hold_lease) {
    try {
      release_lease(graph_.hash(chained.id));
    } catch (const std::exception&) {
      // the store is unusable; the lease will be taken over once it expires
    }
  }
  chained.gate.reset();  // takes mutex_
  std::lock_guard lock(mutex_);
  // A dependent chained after a task whose result could not be stored
  // waits for it again.
  std::uint32_t not_done = 0;
  for (NodeId d : unique_dependencies(chained.id)) not_done += state_[d] != State::kDone;
  if (not_done == 0) {
    make_ready(chained.id);
  } else {
    state_[chained.id] = State::kWaiting;
    pending_[chained.id] = not_done;
  }
  changed_.notify_all();
}

std::optional<Scheduler::Troubles> Scheduler::lease_and_check(NodeId id, bool alone,
                                                              std::optional<LeasedTask> leased) {
  const TaskHash& hash = graph_.hash(id);
  try {
    // A chained task found held is looked at as any other: taken over if
    // its holder is gone.
    if (!leased) leased = obtain_lease(id);
    if (!leased) {
      std::lock_guard lock(mutex_);
      state_[id] = State::kHeldElsewhere;
      held_elsewhere_.push_back(id);
      return std::nullopt;
    }
  } catch (const std::exception& e) {
    fatal(id, e.what(), /*holds_lease=*/false);
    return std::nullopt;
  }
  Troubles troubles{std::move(leased->troubles), false};
  try {
    if (leased->stored) {  // finished between our listing and our lease
      release_lease(hash);
      observer_.task_done_elsewhere(graph_, id);
      std::lock_guard lock(mutex_);
      ++report_.done_elsewhere;
      mark_done(id);
      return std::nullopt;
    }
    // A failure recorded since this run started means another worker ran
    // and failed it meanwhile: not retried in this run (it would most
    // likely fail again); a later execute retries it.
    if (troubles.recorded.failure && !previously_failed(id)) {
      release_lease(hash);
      std::lock_guard lock(mutex_);
      report_.failed_elsewhere.push_back({id, std::move(*troubles.recorded.failure)});
      observer_.task_not_to_run(graph_, id);
      mark_failed(id);
      return std::nullopt;
    }
    const std::vector<std::string>& crashes = troubles.recorded.crashes;
    if (crashes.size() >= std::max(1u, options_.max_crashes)) {
      fail(id, fmt::format("its worker died {} time{} while running it, so it is not run "
                           "again (--max-crashes {}); `jug cleanup --failed-only` lets it run "
                           "once more. Last: {}",
                           crashes.size(), crashes.size() == 1 ? "" : "s", options_.max_crashes,
                           crashes.back()));
      return std::nullopt;
    }
    // Its next crash would be its last: it runs alone, so that this crash
    // is its own, not also counted against tasks that happened to run
    // beside it (a worker dies with all its tasks). The lease goes back
    // while this thread waits for the others to end.
    troubles.run_alone =
        options_.jobs > 1 && !crashes.empty() && crashes.size() + 1 >= options_.max_crashes;
    if (troubles.run_alone && !alone) release_lease(hash);
  } catch (const std::exception& e) {
    fatal(id, e.what(), /*holds_lease=*/true);
    return std::nullopt;
  }
  return troubles;
}

std::optional<LeasedTask> Scheduler::obtain_lease(NodeId id) {
  const TaskHash& hash = graph_.hash(id);
  // Twice at most: a lease released or broken between our tries is
  // retried once; after that the task counts as held, and is looked at
  // again with the others held elsewhere.
  for (int attempt = 0; attempt < 2; ++attempt) {
    if (std::optional<LeasedTask> task = keeper_->acquire(hash)) return task;
    const std::optional<LeaseInfo> lease = store_.lease(hash);
    if (!lease) continue;
    const std::optional<std::string> why = abandoned_lease(
        *lease, owner_, options_.lease_time, [this] { return store_clock_.now(); });
    if (!why) return std::nullopt;
    // Its worker died running the task (unless it died just after storing
    // the result): the crash is recorded for whoever takes the task next.
    if (!break_abandoned_lease(store_, *lease, *why)) return std::nullopt;
    {
      std::lock_guard lock(mutex_);
      ++report_.taken_over;
    }
    observer_.lease_taken_over(graph_, id, *why);
  }
  return std::nullopt;
}

void Scheduler::release_lease(const TaskHash& hash) {
  keeper_->drop(hash);
  store_.release(hash, owner_);
}

bool Scheduler::previously_failed(NodeId id) const {
  return std::binary_search(previously_failed_.begin(), previously_failed_.end(), id);
}

std::optional<Scheduler::Chained> Scheduler::run_leased(NodeId id, Troubles troubles,
                                                        bool may_chain) {
  const Executing executing(*this);
  const Graph::Node& node = graph_.node(id);
  std::vector<AnyValue> inputs;
  NodeId loading = 0;
  const std::vector<bool> viewed = node.body->viewed_dependencies();
  try {
    inputs.reserve(node.dependencies().size());
    for (std::size_t i = 0; i < node.dependencies().size(); ++i) {
      loading = node.dependencies()[i];
      inputs.push_back(i < viewed.size() && viewed[i] ? view_of(loading) : value_of(loading));
    }
  } catch (const ResultTypeMismatch& e) {
    recompute_dependency(id, loading, e.what(), /*type_changed=*/true);
    return std::nullopt;
  } catch (const CorruptRecord& e) {
    recompute_dependency(id, loading, e.what(), /*type_changed=*/false);
    return std::nullopt;
  } catch (const ValueNotAvailable& e) {
    recompute_dependency(id, loading, e.what(), /*type_changed=*/false);
    return std::nullopt;
  } catch (const std::exception& e) {
    // The store failed: that is not this task's fault, and nothing that
    // reads it can run.
    fatal(id, e.what(), /*holds_lease=*/true);
    return std::nullopt;
  }
  observer_.task_started(graph_, id);
  const auto start = Clock::now();
  std::vector<std::string> arguments;
  try {
    arguments = argument_identities_of(*node.body);
  } catch (const std::exception&) {
    // Only what the metadata keeps; the task itself says what is wrong.
  }
  const auto started = std::chrono::system_clock::now();
  std::optional<RecordBytes> record;
  AnyValue value;
  std::optional<std::string> failure;
  const LastWordsOfTask last_words(describe_task(graph_, id),
                                   store_.last_words_path(graph_.hash(id)));
  for (unsigned attempt = 0;; ++attempt) {
    std::optional<std::string> broken_rule;  // --debug: not retried, it would recur
    try {
      const std::optional<InputsBefore> before =
          options_.debug ? std::optional<InputsBefore>(std::in_place, graph_, id, inputs, viewed)
                         : std::nullopt;
      value = node.body->run(inputs);
      if (before) {
        broken_rule = before->changes(inputs);
        if (!broken_rule) broken_rule = check_result_round_trip(graph_, id, value);
      }
      if (!broken_rule) {
        const auto finished = std::chrono::system_clock::now();
        record = encode_result(graph_, id, value,
                               run_metadata_of(graph_, id, started, finished, arguments));
      }
      failure = broken_rule;
    } catch (const std::exception& e) {
      failure = fmt::format("{}: {}", exception_type_name(e), e.what());
    } catch (...) {
      failure = "an exception of unknown type (not derived from std::exception)";
    }
    if (!failure || broken_rule || attempt >= options_.retries) break;
    observer_.task_retrying(graph_, id, *failure, attempt + 1);
  }
  inputs.clear();
  if (failure) {
    fail(id, *failure);
    return std::nullopt;
  }
  // The result, the troubles cleared, the lease given back and the next
  // task's lease taken, at once where the store can (one round trip on
  // Redis).
  const TaskHash& hash = graph_.hash(id);
  std::optional<std::string> after_storing;
  std::optional<Chained> next = may_chain ? take_chained(id) : std::nullopt;
  try {
    if (next) {
      next->leased =
          keeper_->finish_and_acquire(hash, *record, troubles.recorded, graph_.hash(next->id));
    } else {
      keeper_->drop(hash);
      store_.put_and_release(hash, *record, owner_, troubles.recorded);
    }
  } catch (const std::exception& e) {
    if (next) {
      give_back(std::move(*next), /*may_hold_lease=*/true);
      next.reset();
    }
    if (!stored_despite_error(hash)) {
      fatal(id,
            fmt::format("could not store the result of task {}: {}", describe_task(graph_, id),
                        e.what()),
            /*holds_lease=*/true);
      return std::nullopt;
    }
    after_storing = e.what();
    try {  // what put_and_release did not get to
      release_lease(hash);
    } catch (const std::exception&) {
      // the store is unusable; the lease will be taken over once it expires
    }
  }
  const double seconds = std::chrono::duration<double>(Clock::now() - start).count();
  observer_.task_finished(graph_, id, seconds);
  {
    std::lock_guard lock(mutex_);
    ++report_.executed;
    ++report_.executed_per_name[node.name_id];
    if (keeps_value(id)) values_[id] = std::move(value);
    mark_done(id);
    // The result is published: an error after it does not undo it.
    if (after_storing) {
      record_fatal(fmt::format("task {} is stored, but then: {}", describe_task(graph_, id),
                               *after_storing));
    }
  }
  syncer_->wrote();
  return next;
}

bool Scheduler::stored_despite_error(const TaskHash& hash) {
  try {
    return store_.contains(hash);
  } catch (const std::exception&) {
    return false;  // the store is unusable: taken as not stored, run again
  }
}

AnyValue Scheduler::value_of(NodeId id) {
  {
    std::lock_guard lock(mutex_);
    if (values_[id]) return values_[id];
  }
  AnyValue v = load_result(store_, graph_, id);
  std::lock_guard lock(mutex_);
  if (keeps_value(id)) values_[id] = v;
  return v;
}

AnyValue Scheduler::view_of(NodeId id) {
  {
    std::lock_guard lock(mutex_);
    if (values_[id]) return elements_of(graph_, id, values_[id]);
  }
  // Not kept for other tasks: they may want the value itself.
  return load_elements(store_, graph_, id);
}

void Scheduler::fail(NodeId id, const std::string& message) {
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

void Scheduler::fatal(NodeId id, const std::string& message, bool holds_lease) {
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

}  // namespace jug
