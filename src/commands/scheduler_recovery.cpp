// The Scheduler's recovery: a stored result that cannot be read is removed
// and its task run again.

#include "commands/scheduler.hpp"

#include "engine/results.hpp"
#include "jug/errors.hpp"

namespace jug {

void Scheduler::recompute_dependency(NodeId id, NodeId dependency, const std::string& message,
                                     bool type_changed) {
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
    if (done && unreadable(dependency)) {
      store_.remove(graph_.hash(dependency));
      store_.removals_done();
      std::lock_guard lock(mutex_);
      observer_.result_recomputed(graph_, dependency, message, type_changed);
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

std::optional<Scheduler::Unreadable> Scheduler::unreadable(NodeId id) {
  try {
    load_result(store_, graph_, id);
    return std::nullopt;
  } catch (const ResultTypeMismatch& e) {
    return Unreadable{Unreadable::Cause::kTypeChanged, e.what()};
  } catch (const CorruptRecord& e) {
    return Unreadable{Unreadable::Cause::kDamaged, e.what()};
  } catch (const ValueNotAvailable& e) {
    return Unreadable{Unreadable::Cause::kGone, e.what()};
  }
}

void Scheduler::revive(NodeId id) {
  values_[id].reset();
  state_[id] = State::kWaiting;
  for (NodeId d : unique_dependencies(id)) {
    if (state_[d] != State::kDone) ++pending_[id];
  }
  // It will read its dependencies again (release_inputs gives them back).
  for (NodeId d : graph_.node(id).dependencies()) ++unfinished_dependents_[d];
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

void Scheduler::remove_unreadable(const std::vector<char>& selected, std::vector<bool>& stored) {
  std::size_t checked = 0, removed = 0;
  for (NodeId id = 0; id < graph_.size(); ++id) {
    if (!selected[id] || !stored[id]) continue;
    ++checked;
    if (!unreadable(id)) continue;
    // Under the task's lease, and read again: results are published whole,
    // so what another worker is writing is never seen as damaged, and one
    // it published since our read is good and stays.
    const TaskHash& hash = graph_.hash(id);
    if (!store_.acquire(hash, owner_)) continue;  // another worker is on it
    std::optional<Unreadable> why;
    try {
      why = unreadable(id);
      if (why && why->cause != Unreadable::Cause::kGone) {  // gone: removed meanwhile
        store_.remove(hash);
        observer_.result_recomputed(graph_, id, why->message,
                                    why->cause == Unreadable::Cause::kTypeChanged);
        ++removed;
      }
    } catch (...) {
      store_.release(hash, owner_);
      throw;
    }
    store_.release(hash, owner_);
    if (why) stored[id] = false;
  }
  if (removed > 0) store_.removals_done();
  observer_.results_verified(graph_, checked, removed);
}

}  // namespace jug
