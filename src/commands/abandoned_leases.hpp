#pragma once
/// Leases left by workers that are gone: a worker killed while running a
/// task, or between storing its result and giving the lease back. The first
/// kind is met by the next worker wanting the task; the second by nobody
/// (a finished task is never taken again), so execute, status and cleanup
/// each remove those they find, and nothing piles up in the store.

#include <chrono>
#include <cstddef>
#include <functional>
#include <string_view>
#include <vector>

#include "engine/graph.hpp"
#include "store/store.hpp"

namespace jug {

/// Breaks `lease`, whose holder is gone (`why`, from abandoned_lease). A task
/// it leaves unfinished gets a crash record first, with the holder's last
/// words, so that whoever takes it next counts the crash; a finished task's
/// lease just goes (its holder died after storing the result), with its
/// last words. False when the lease changed since it was read (given back,
/// or broken and taken by another worker). Throws StoreError.
bool break_abandoned_lease(Store& store, const LeaseInfo& lease, std::string_view why);

struct AbandonedLeaseSweep {
  /// The graph's finished tasks (Store::contains_all of its hashes).
  const std::vector<bool>* finished = nullptr;
  /// Also the leases of unfinished tasks, recording their crashes (cleanup);
  /// else those are left to the worker that takes the task, and to status,
  /// which lists them.
  bool unfinished_too = false;
  std::chrono::duration<double> lease_time{};
  /// The store's clock, asked only for holders on other machines.
  std::function<std::chrono::system_clock::time_point()> store_now;
  bool dry_run = false;
};

/// Breaks the abandoned leases of the graph's tasks (see AbandonedLeaseSweep);
/// returns how many it broke (with `dry_run`, would break). Leases of tasks
/// the graph does not know are left to cleanup. Throws StoreError.
std::size_t remove_abandoned_leases(const Graph& graph, Store& store,
                                    const AbandonedLeaseSweep& sweep);

}  // namespace jug
