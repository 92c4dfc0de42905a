/// Results made durable while `jug execute` runs and before it says it is
/// done (commands/background_sync.hpp, Scheduler::run): a sync follows every
/// write within the interval and none is made without one; a sync that fails
/// stops the run with the store's message; the run's own last sync is made
/// whenever it wrote anything.

#include "commands/background_sync.hpp"

#include <gtest/gtest.h>

#include <atomic>
#include <chrono>
#include <mutex>
#include <string>
#include <thread>

#include "commands/execute.hpp"
#include "engine/build_context.hpp"
#include "jug/task_generator.hpp"
#include "unit/commands/fault_store.hpp"

namespace {

using namespace std::chrono_literals;
using jug_test::FaultStore;
using jug_test::StoreMethod;

/// Waits up to two seconds for `condition`.
template <class Condition>
bool eventually(Condition condition) {
  const auto until = std::chrono::steady_clock::now() + 2s;
  while (!condition()) {
    if (std::chrono::steady_clock::now() > until) return false;
    std::this_thread::sleep_for(1ms);
  }
  return true;
}

TEST(BackgroundSync, SyncsOnceAfterAWriteAndNotWithout) {
  FaultStore store;
  jug::BackgroundSync syncer(store, 10ms, [](const std::string& e) { ADD_FAILURE() << e; });
  std::this_thread::sleep_for(60ms);
  EXPECT_EQ(store.calls(StoreMethod::kSync), 0u) << "nothing written, nothing to sync";
  syncer.wrote();
  EXPECT_TRUE(eventually([&] { return store.calls(StoreMethod::kSync) == 1; }));
  std::this_thread::sleep_for(60ms);
  EXPECT_EQ(store.calls(StoreMethod::kSync), 1u) << "synced again without a write";
  syncer.wrote();
  syncer.wrote();
  EXPECT_TRUE(eventually([&] { return store.calls(StoreMethod::kSync) == 2; }));
}

TEST(BackgroundSync, ReportsAFailedSync) {
  FaultStore store;
  store.fail_on(StoreMethod::kSync);
  std::mutex mutex;
  std::string reported;
  jug::BackgroundSync syncer(store, 10ms, [&](const std::string& message) {
    std::lock_guard lock(mutex);
    reported = message;
  });
  syncer.wrote();
  EXPECT_TRUE(eventually([&] {
    std::lock_guard lock(mutex);
    return !reported.empty();
  }));
}

TEST(BackgroundSync, StopsAtOnceWhateverItsInterval) {
  FaultStore store;
  const auto start = std::chrono::steady_clock::now();
  {
    jug::BackgroundSync syncer(store, 1h, [](const std::string&) {});
    syncer.wrote();
  }
  EXPECT_LT(std::chrono::steady_clock::now() - start, 1s);
}

// ---- in a run -------------------------------------------------------------------

const jug::TaskGenerator nap("bgsync_nap", [](int ms) {
  std::this_thread::sleep_for(std::chrono::milliseconds(ms));
  return ms;
});

void naps(int count, int ms) {
  for (int i = 0; i < count; ++i) (void)nap(ms + i);
}

jug::ExecuteReport run(FaultStore& store, int count, int ms) {
  const jug::Graph graph = jug::build_graph([&] { naps(count, ms); }, store);
  jug::ExecuteObserver quiet;
  return jug::execute(graph, store, jug::ExecuteOptions{}, quiet);
}

TEST(ExecuteDurability, SyncsBeforeReportingDoneWhenItWroteAnything) {
  FaultStore store;
  ASSERT_TRUE(run(store, 3, 0).complete());
  EXPECT_GE(store.calls(StoreMethod::kSync), 1u);
  const unsigned after_first = store.calls(StoreMethod::kSync);
  ASSERT_TRUE(run(store, 3, 0).complete());  // all done already
  EXPECT_EQ(store.calls(StoreMethod::kSync), after_first) << "synced with nothing written";
}

TEST(ExecuteDurability, ALastSyncThatFailsFailsTheRun) {
  FaultStore store;
  store.fail_on(StoreMethod::kSync, 1, std::nullopt, /*times=*/0);
  const jug::ExecuteReport report = run(store, 2, 0);
  ASSERT_TRUE(report.fatal_error);
  EXPECT_NE(report.fatal_error->find("sync"), std::string::npos) << *report.fatal_error;
}

TEST(ExecuteDurability, ABackgroundSyncThatFailsStopsTheRun) {
  FaultStore store;
  store.fail_on(StoreMethod::kSync, 1, std::nullopt, /*times=*/0);
  // Long enough for the background sync (every second) to fail mid-run.
  const jug::ExecuteReport report = run(store, 8, 400);
  ASSERT_TRUE(report.fatal_error);
  EXPECT_LT(report.executed, 8u) << "ran on after results could not be made durable";
}

}  // namespace
