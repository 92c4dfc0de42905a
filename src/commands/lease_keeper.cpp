#include "commands/lease_keeper.hpp"

#include <algorithm>

namespace jug {

LeaseKeeper::LeaseKeeper(Store& store, LeaseOwner owner, std::chrono::duration<double> interval,
                         LostHandler on_lost)
    : store_(store),
      owner_(std::move(owner)),
      interval_(interval),
      on_lost_(std::move(on_lost)),
      thread_([this] { renew_loop(); }) {}

LeaseKeeper::~LeaseKeeper() {
  {
    std::lock_guard lock(mutex_);
    stopping_ = true;
  }
  wake_.notify_all();
  thread_.join();
}

std::optional<LeasedTask> LeaseKeeper::acquire(const TaskHash& hash) {
  // Shared: threads take leases at once; give_back_all waits for them.
  std::shared_lock gate(acquiring_);
  if (given_back_) return std::nullopt;
  std::optional<LeasedTask> task = store_.acquire_and_read(hash, owner_);
  if (!task) return std::nullopt;
  std::lock_guard lock(mutex_);
  held_.push_back(hash);
  return task;
}

std::optional<LeasedTask> LeaseKeeper::finish_and_acquire(const TaskHash& hash,
                                                          const RecordBytes& record,
                                                          const TaskTroubles& recorded,
                                                          const TaskHash& next) {
  drop(hash);
  std::shared_lock gate(acquiring_);
  if (given_back_) {
    store_.put_and_release(hash, record, owner_, recorded);
    return std::nullopt;
  }
  std::optional<LeasedTask> task =
      store_.put_release_and_acquire(hash, record, owner_, recorded, next);
  if (!task) return std::nullopt;
  std::lock_guard lock(mutex_);
  held_.push_back(next);
  return task;
}

std::size_t LeaseKeeper::give_back_all() {
  std::unique_lock gate(acquiring_);
  given_back_ = true;
  std::vector<TaskHash> held;
  {
    std::lock_guard lock(mutex_);
    held.swap(held_);
  }
  for (const TaskHash& hash : held) {
    try {
      store_.release(hash, owner_);
    } catch (const std::exception&) {
      // The store fails: the lease is left to expire, as a crash's would.
    }
  }
  store_.stop_taking_leases();
  return held.size();
}

void LeaseKeeper::drop(const TaskHash& hash) {
  std::lock_guard lock(mutex_);
  if (auto it = std::find(held_.begin(), held_.end(), hash); it != held_.end()) {
    *it = held_.back();
    held_.pop_back();
  }
}

void LeaseKeeper::renew_loop() {
  std::unique_lock lock(mutex_);
  for (;;) {
    wake_.wait_for(lock, interval_, [this] { return stopping_; });
    if (stopping_) return;
    // Renewed outside the lock: a slow store must not hold up the workers
    // taking and giving back leases. A lease dropped meanwhile may still be
    // renewed once; renew then finds it released and says so, ignored below.
    const std::vector<TaskHash> held = held_;
    lock.unlock();
    try {
      store_.renew_worker();
    } catch (const std::exception&) {
      // Judged gone after the lease time, as its leases would be: another
      // worker may then go lone; this one does the protocol again.
    }
    for (const TaskHash& hash : held) {
      try {
        store_.renew(hash, owner_);
      } catch (const std::exception& e) {
        lock.lock();
        const bool still_held = std::find(held_.begin(), held_.end(), hash) != held_.end();
        if (still_held) std::erase(held_, hash);  // one message per lost lease
        lock.unlock();
        if (still_held) on_lost_(hash, e.what());
      }
    }
    lock.lock();
  }
}

}  // namespace jug
