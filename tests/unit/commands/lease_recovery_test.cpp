/// Tests of how `jug execute` deals with leases (src/commands/execute.cpp,
/// lease_keeper.hpp, store/lease_judge.hpp): a lease left by a worker that
/// died is taken over and its crash recorded; a task whose workers keep
/// dying is given up; a live worker's lease is renewed while its task runs
/// and is never taken over. On every store backend: each keeps leases,
/// breakers and crash records its own way.

#include <gtest/gtest.h>

#include <atomic>
#include <chrono>
#include <optional>
#include <string>
#include <thread>

#include "commands/execute.hpp"
#include "commands/lease_keeper.hpp"
#include "engine/build_context.hpp"
#include "jug/task_generator.hpp"
#include "store/lease_judge.hpp"
#include "unit/dead_process.hpp"
#include "unit/store/store_backends.hpp"
#include "unit/store/store_test_support.hpp"

namespace {

using namespace std::chrono_literals;

std::atomic<int> victim_runs{0};
const jug::TaskGenerator victim("lease_victim", [](int x) {
  ++victim_runs;
  return x + 1;
});
const jug::TaskGenerator after_victim("lease_after_victim", [](int x) { return 2 * x; });

using jug::testing_support::dead_pid;
using jug::testing_support::dead_worker_here;

class Observer final : public jug::ExecuteObserver {
 public:
  void lease_taken_over(const jug::Graph&, jug::NodeId, const std::string& why) override {
    std::lock_guard lock(mutex_);
    taken_over.push_back(why);
  }
  void lease_lost(const jug::Graph&, jug::NodeId, const std::string& message) override {
    std::lock_guard lock(mutex_);
    lost.push_back(message);
  }
  std::mutex mutex_;
  std::vector<std::string> taken_over, lost;
};

struct VictimGraph {
  std::optional<jug::Task<int>> v, after;
  void build() {
    v = victim(1);
    after = after_victim(*v);
  }
};

/// The tests run on each store backend, on a fresh store each.
class OnEveryStore : public ::testing::TestWithParam<jug::store_test::StoreBackend> {
 protected:
  std::unique_ptr<jug::Store> fresh_store() {
    return GetParam().open(scratch_.path() + "/" + std::to_string(++opened_));
  }

  jug::store_test::TempDirectory scratch_;
  int opened_ = 0;
  std::unique_ptr<jug::Store> store_ = fresh_store();
};
using LeaseRecovery = OnEveryStore;
using LeaseKeeper = OnEveryStore;

jug::ExecuteOptions quick_waiting() {
  jug::ExecuteOptions o;
  o.poll_interval = 2ms;
  o.wait_cycle_time = 10ms;
  o.nr_wait_cycles = 100;  // gives up after 1 s without progress
  return o;
}

TEST_P(LeaseRecovery, TakesOverTheLeaseOfAWorkerThatIsGoneAndRecordsTheCrash) {
  for (const unsigned jobs : {1u, 3u}) {
    SCOPED_TRACE(::testing::Message() << "jobs=" << jobs);
    victim_runs = 0;
    const std::unique_ptr<jug::Store> owned = fresh_store();
    jug::Store& store = *owned;
    VictimGraph g;
    const jug::Graph graph = jug::build_graph([&] { g.build(); }, store);
    const jug::TaskHash& hash = graph.hash(g.v->node_id());
    ASSERT_TRUE(store.acquire(hash, dead_worker_here()));

    Observer observer;
    jug::ExecuteOptions options = quick_waiting();
    options.jobs = jobs;
    const jug::ExecuteReport report = jug::execute(graph, store, options, observer);
    EXPECT_TRUE(report.complete());
    EXPECT_EQ(report.executed, 2u);
    EXPECT_EQ(report.taken_over, 1u);
    EXPECT_EQ(victim_runs, 1);
    ASSERT_EQ(observer.taken_over.size(), 1u);
    EXPECT_NE(observer.taken_over[0].find("no longer exists"), std::string::npos)
        << observer.taken_over[0];
    // The task then succeeded: its crash record is cleared with it.
    EXPECT_TRUE(store.crashes(hash).empty());
    EXPECT_TRUE(store.list_leases().empty());
    EXPECT_FALSE(report.gave_up_waiting);
  }
}

TEST_P(LeaseRecovery, LeavesTheLeaseOfALiveWorkerOnThisMachine) {
  jug::Store& store = *store_;
  VictimGraph g;
  const jug::Graph graph = jug::build_graph([&] { g.build(); }, store);
  const jug::TaskHash& hash = graph.hash(g.v->node_id());
  jug::LeaseOwner alive = jug::LeaseOwner::self();  // this very process: alive
  alive.host = "live-worker";
  ASSERT_TRUE(store.acquire(hash, alive));
  victim_runs = 0;
  Observer observer;
  jug::ExecuteOptions options = quick_waiting();
  options.nr_wait_cycles = 10;  // 100 ms
  const jug::ExecuteReport report = jug::execute(graph, store, options, observer);
  EXPECT_TRUE(report.gave_up_waiting);
  EXPECT_EQ(victim_runs, 0);
  EXPECT_TRUE(observer.taken_over.empty());
  EXPECT_EQ(store.lease(hash).value().owner, alive);
}

TEST_P(LeaseRecovery, AnotherMachinesLeaseIsTakenOverOnlyOnceExpired) {
  jug::Store& store = *store_;
  VictimGraph g;
  const jug::Graph graph = jug::build_graph([&] { g.build(); }, store);
  const jug::TaskHash& hash = graph.hash(g.v->node_id());
  const jug::LeaseOwner elsewhere{"node9", dead_pid(), 1, "another-boot/1"};
  ASSERT_TRUE(store.acquire(hash, elsewhere));
  victim_runs = 0;
  Observer observer;
  jug::ExecuteOptions options = quick_waiting();
  options.lease_time = 300ms;  // the pid means nothing here: only time tells
  const auto start = std::chrono::steady_clock::now();
  const jug::ExecuteReport report = jug::execute(graph, store, options, observer);
  EXPECT_TRUE(report.complete());
  EXPECT_EQ(victim_runs, 1);
  EXPECT_GE(std::chrono::steady_clock::now() - start, 300ms) << "taken over before expiry";
  ASSERT_EQ(observer.taken_over.size(), 1u);
  EXPECT_NE(observer.taken_over[0].find("has not renewed"), std::string::npos)
      << observer.taken_over[0];
}

TEST_P(LeaseRecovery, ATaskWhoseWorkersKeepDyingIsGivenUp) {
  jug::Store& store = *store_;
  VictimGraph g;
  const jug::Graph graph = jug::build_graph([&] { g.build(); }, store);
  const jug::TaskHash& hash = graph.hash(g.v->node_id());
  store.record_crash(hash, "its worker (pid 1 on a) no longer exists");
  store.record_crash(hash, "its worker (pid 2 on a) no longer exists");
  ASSERT_TRUE(store.acquire(hash, dead_worker_here()));  // the third death
  victim_runs = 0;
  Observer observer;
  jug::ExecuteOptions options = quick_waiting();
  options.max_crashes = 3;
  options.keep_going = true;
  const jug::ExecuteReport report = jug::execute(graph, store, options, observer);
  EXPECT_EQ(victim_runs, 0);
  ASSERT_EQ(report.failures.size(), 1u);
  EXPECT_EQ(report.failures[0].id, g.v->node_id());
  EXPECT_NE(report.failures[0].message.find("died 3 times"), std::string::npos)
      << report.failures[0].message;
  EXPECT_EQ(report.blocked, 1u);
  EXPECT_TRUE(store.failure(hash).has_value());
  EXPECT_EQ(store.crashes(hash).size(), 3u);
  EXPECT_TRUE(store.list_leases().empty());
}

TEST_P(LeaseRecovery, ACrashBelowTheLimitIsRunAgain) {
  jug::Store& store = *store_;
  VictimGraph g;
  const jug::Graph graph = jug::build_graph([&] { g.build(); }, store);
  const jug::TaskHash& hash = graph.hash(g.v->node_id());
  store.record_crash(hash, "its worker (pid 1 on a) no longer exists");
  victim_runs = 0;
  Observer observer;
  const jug::ExecuteReport report = jug::execute(graph, store, quick_waiting(), observer);
  EXPECT_TRUE(report.complete());
  EXPECT_EQ(victim_runs, 1);
  EXPECT_TRUE(store.crashes(hash).empty());
}

// ---- renewal ----------------------------------------------------------------------

const jug::TaskGenerator slow_task("lease_slow", [](int ms) {
  std::this_thread::sleep_for(std::chrono::milliseconds(ms));
  return ms;
});

TEST_P(LeaseRecovery, ALongTaskKeepsItsLeaseRenewedAndIsNeverTakenOver) {
  // Lease time 200 ms, renewed every 40 ms; the task runs 600 ms. Another
  // worker of another machine watches the lease the whole time: it must
  // never see it expired.
  jug::Store& store = *store_;
  std::optional<jug::Task<int>> t;
  const jug::Graph graph = jug::build_graph([&] { t = slow_task(600); }, store);
  const jug::TaskHash& hash = graph.hash(t->node_id());
  std::atomic<bool> done{false};
  std::atomic<int> seen_expired{0}, seen_held{0};
  const jug::LeaseOwner watcher{"other", 1, 1, "other-machine/1"};
  std::thread other_worker([&] {
    while (!done) {
      if (auto lease = store.lease(hash)) {
        ++seen_held;
        if (jug::abandoned_lease(*lease, watcher, 200ms, [] { return std::chrono::system_clock::now(); })) {
          ++seen_expired;
        }
      }
      std::this_thread::sleep_for(5ms);
    }
  });
  Observer observer;
  jug::ExecuteOptions options;
  options.lease_time = 200ms;
  const jug::ExecuteReport report = jug::execute(graph, store, options, observer);
  done = true;
  other_worker.join();
  EXPECT_TRUE(report.complete());
  EXPECT_GT(seen_held.load(), 10);
  EXPECT_EQ(seen_expired.load(), 0);
  EXPECT_TRUE(observer.lost.empty());
}

TEST_P(LeaseKeeper, ReportsALeaseLostToAnotherWorkerOnce) {
  jug::Store& store = *store_;
  const jug::TaskHash hash = jug::TaskHash::from_hex(std::string(64, 'a')).value();
  const jug::LeaseOwner me = jug::LeaseOwner::self();
  std::mutex mutex;
  std::vector<std::string> lost;
  {
    jug::LeaseKeeper keeper(store, me, 10ms, [&](const jug::TaskHash& h, const std::string& m) {
      EXPECT_EQ(h, hash);
      std::lock_guard lock(mutex);
      lost.push_back(m);
    });
    ASSERT_TRUE(keeper.acquire(hash));
    std::this_thread::sleep_for(50ms);
    // Broken while we were "frozen", and taken by another worker. A break
    // names the lease it read; the keeper may renew it in between (a loaded
    // machine), and then the breaker reads again, as a real one would.
    bool broken = false;
    for (int attempt = 0; attempt < 100 && !broken; ++attempt) {
      broken = store.break_lease(store.lease(hash).value());
    }
    ASSERT_TRUE(broken);
    ASSERT_TRUE(store.acquire(hash, jug::LeaseOwner{"b", 2, 2, "m"}));
    std::this_thread::sleep_for(100ms);
  }
  std::lock_guard lock(mutex);
  ASSERT_EQ(lost.size(), 1u);
  EXPECT_NE(lost[0].find("lease lost"), std::string::npos) << lost[0];
}

TEST_P(LeaseKeeper, GivesBackEveryLeaseAndTakesNoMore) {
  jug::Store& store = *store_;
  const jug::TaskHash a = jug::TaskHash::from_hex(std::string(64, 'a')).value();
  const jug::TaskHash b = jug::TaskHash::from_hex(std::string(64, 'b')).value();
  const jug::LeaseOwner me = jug::LeaseOwner::self();
  jug::LeaseKeeper keeper(store, me, 10ms, [](const jug::TaskHash&, const std::string&) {});
  ASSERT_TRUE(keeper.acquire(a));
  ASSERT_TRUE(keeper.acquire(b));
  EXPECT_FALSE(keeper.acquire(a)) << "a lease held is not taken twice";
  EXPECT_EQ(keeper.give_back_all(), 2u);
  EXPECT_TRUE(store.list_leases().empty());
  EXPECT_FALSE(keeper.acquire(a)) << "a worker abandoning its tasks takes no new lease";
  EXPECT_TRUE(store.list_leases().empty());
  EXPECT_TRUE(store.list_crashed().empty());
}

}  // namespace

// ---- a task whose next crash would be its last runs alone ------------------------

std::atomic<int> running_now{0};
std::atomic<int> beside_the_suspect{0};
const jug::TaskGenerator ordinary("lease_ordinary", [](int ms) {
  ++running_now;
  std::this_thread::sleep_for(std::chrono::milliseconds(ms));
  --running_now;
  return ms;
});
const jug::TaskGenerator suspect("lease_suspect", [](int ms) {
  // Sees the others of its worker, if any run beside it.
  for (int i = 0; i < ms; ++i) {
    if (running_now > 0) ++beside_the_suspect;
    std::this_thread::sleep_for(1ms);
  }
  return ms;
});

TEST_P(LeaseRecovery, ATaskOneCrashFromTheLimitRunsAloneInItsWorker) {
  // Its crashes so far may have been another task's fault (a worker running
  // several tasks dies with all of them): its last chance is its own.
  for (const unsigned crashes_so_far : {1u, 2u}) {
    SCOPED_TRACE(::testing::Message() << "crashes so far: " << crashes_so_far);
    const std::unique_ptr<jug::Store> owned = fresh_store();
    jug::Store& store = *owned;
    std::optional<jug::Task<int>> s;
    std::vector<jug::Task<int>> others;
    const jug::Graph graph = jug::build_graph(
        [&] {
          for (int i = 0; i < 3; ++i) others.push_back(ordinary(40 + i));
          s = suspect(60);
          for (int i = 0; i < 6; ++i) others.push_back(ordinary(50 + i));
        },
        store);
    for (unsigned i = 0; i < crashes_so_far; ++i) {
      store.record_crash(graph.hash(s->node_id()), "its worker died");
    }
    beside_the_suspect = 0;
    Observer observer;
    jug::ExecuteOptions options;
    options.jobs = 4;
    options.max_crashes = 3;
    const jug::ExecuteReport report = jug::execute(graph, store, options, observer);
    EXPECT_TRUE(report.complete());
    EXPECT_EQ(report.executed, 10u);
    if (crashes_so_far == 2) {
      EXPECT_EQ(beside_the_suspect.load(), 0) << "ran beside other tasks of its worker";
    } else {
      // One crash of three: it runs with the others as usual.
      EXPECT_GT(beside_the_suspect.load(), 0);
    }
    EXPECT_TRUE(store.crashes(graph.hash(s->node_id())).empty());
  }
}

INSTANTIATE_TEST_SUITE_P(Backends, LeaseRecovery,
                         ::testing::ValuesIn(jug::store_test::every_store_backend()),
                         jug::store_test::backend_name);
INSTANTIATE_TEST_SUITE_P(Backends, LeaseKeeper,
                         ::testing::ValuesIn(jug::store_test::every_store_backend()),
                         jug::store_test::backend_name);
