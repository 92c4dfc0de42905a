/// Leases left by workers that are gone (commands/abandoned_leases.hpp): the
/// lease of a finished task, whose worker was killed between storing the
/// result and giving the lease back, is removed by the next execute, status
/// or cleanup; cleanup also removes those of unfinished tasks, recording the
/// crash as execute would. A live worker's lease stays.

#include "commands/abandoned_leases.hpp"

#include <gtest/gtest.h>

#include <chrono>
#include <thread>

#include "commands/cleanup.hpp"
#include "commands/status.hpp"
#include "jug/task_generator.hpp"
#include "unit/dead_process.hpp"
#include "unit/front_end/graph_test_support.hpp"

namespace {

using namespace std::chrono_literals;
using jug::testing_support::dead_worker_here;

const jug::TaskGenerator plus_one("abandoned_plus_one", [](int x) { return x + 1; });

class AbandonedLeases : public jug_test::GraphTest {
 protected:
  /// plus_one(0..2), not yet run.
  jug::Graph three_tasks() {
    return build([] {
      for (int i = 0; i < 3; ++i) (void)plus_one(i);
    });
  }

  jug::CleanupOptions cleanup_options(bool dry_run = false) {
    jug::CleanupOptions options;
    options.jugfile = "/me/jugfile.cpp";
    options.dry_run = dry_run;
    return options;
  }

  static jug::LeaseOwner alive_here() {
    jug::LeaseOwner owner = jug::LeaseOwner::self();  // this very process
    owner.host = "live-worker";
    return owner;
  }
};

TEST_F(AbandonedLeases, ExecuteRemovesTheLeaseOfAFinishedTaskWhoseWorkerIsGone) {
  const jug::Graph graph = three_tasks();
  execute(graph);
  const jug::TaskHash& hash = graph.hash(0);
  ASSERT_TRUE(store_.acquire(hash, dead_worker_here()));
  const jug::ExecuteReport report = execute(graph);  // a no-op execute
  EXPECT_EQ(report.executed, 0u);
  EXPECT_FALSE(store_.lease(hash));
  EXPECT_TRUE(store_.crashes(hash).empty()) << "it died after its task was done";
}

TEST_F(AbandonedLeases, ExecuteLeavesTheLeaseOfALiveWorkerOnAFinishedTask) {
  const jug::Graph graph = three_tasks();
  execute(graph);
  const jug::TaskHash& hash = graph.hash(1);
  ASSERT_TRUE(store_.acquire(hash, alive_here()));  // about to give it back
  execute(graph);
  ASSERT_TRUE(store_.lease(hash));
  EXPECT_EQ(store_.lease(hash)->owner, alive_here());
}

TEST_F(AbandonedLeases, StatusRemovesTheLeaseOfAFinishedTaskWhoseWorkerIsGone) {
  const jug::Graph graph = three_tasks();
  execute(graph);
  ASSERT_TRUE(store_.acquire(graph.hash(2), dead_worker_here()));
  ASSERT_TRUE(store_.acquire(graph.hash(1), alive_here()));
  const jug::StatusReport report = jug::compute_status(graph, store_);
  EXPECT_TRUE(report.all_finished());
  EXPECT_FALSE(store_.lease(graph.hash(2)));
  EXPECT_TRUE(store_.lease(graph.hash(1)));
}

TEST_F(AbandonedLeases, StatusLeavesTheLeaseOfAnUnfinishedTaskToTheNextWorker) {
  const jug::Graph graph = three_tasks();
  ASSERT_TRUE(store_.acquire(graph.hash(0), dead_worker_here()));
  const jug::StatusReport report = jug::compute_status(graph, store_);
  ASSERT_EQ(report.abandoned.size(), 1u);  // listed as left by a worker that is gone
  EXPECT_TRUE(store_.lease(graph.hash(0)));
  EXPECT_TRUE(store_.crashes(graph.hash(0)).empty());
}

TEST_F(AbandonedLeases, CleanupRemovesDeadWorkersLeasesAndRecordsTheCrashOfAnUnfinishedTask) {
  const jug::Graph graph = three_tasks();
  execute(graph);
  store_.remove(graph.hash(0));  // unfinished again
  ASSERT_TRUE(store_.acquire(graph.hash(0), dead_worker_here()));
  ASSERT_TRUE(store_.acquire(graph.hash(1), dead_worker_here()));
  ASSERT_TRUE(store_.acquire(graph.hash(2), alive_here()));

  const jug::CleanupReport dry = jug::cleanup(graph, store_, cleanup_options(/*dry_run=*/true));
  EXPECT_EQ(dry.leases_removed, 2u);
  EXPECT_EQ(store_.list_leases().size(), 3u) << "a dry run removes nothing";

  const jug::CleanupReport report = jug::cleanup(graph, store_, cleanup_options());
  EXPECT_EQ(report.leases_removed, 2u);
  EXPECT_FALSE(store_.lease(graph.hash(0)));
  EXPECT_FALSE(store_.lease(graph.hash(1)));
  EXPECT_TRUE(store_.lease(graph.hash(2))) << "a live worker's lease stays";
  // Counted as execute would count it, towards --max-crashes.
  ASSERT_EQ(store_.crashes(graph.hash(0)).size(), 1u);
  EXPECT_NE(store_.crashes(graph.hash(0))[0].find("no longer exists"), std::string::npos)
      << store_.crashes(graph.hash(0))[0];
  EXPECT_TRUE(store_.crashes(graph.hash(1)).empty()) << "its task was done";
}

TEST_F(AbandonedLeases, AnotherMachinesLeaseGoesOnlyOnceItExpired) {
  const jug::Graph graph = three_tasks();
  execute(graph);
  const jug::LeaseOwner elsewhere{"node9", 4242, 1, "another-boot/1"};
  ASSERT_TRUE(store_.acquire(graph.hash(0), elsewhere));
  jug::CleanupOptions options = cleanup_options();
  options.lease_time = 10s;
  EXPECT_EQ(jug::cleanup(graph, store_, options).leases_removed, 0u);
  EXPECT_TRUE(store_.lease(graph.hash(0)));
  options.lease_time = 1ms;
  std::this_thread::sleep_for(5ms);
  EXPECT_EQ(jug::cleanup(graph, store_, options).leases_removed, 1u);
  EXPECT_FALSE(store_.lease(graph.hash(0)));
}

TEST_F(AbandonedLeases, KeepLocksLeavesEveryLease) {
  const jug::Graph graph = three_tasks();
  execute(graph);
  ASSERT_TRUE(store_.acquire(graph.hash(0), dead_worker_here()));
  jug::CleanupOptions options = cleanup_options();
  options.keep_locks = true;
  EXPECT_EQ(jug::cleanup(graph, store_, options).leases_removed, 0u);
  EXPECT_TRUE(store_.lease(graph.hash(0)));
}

}  // namespace
