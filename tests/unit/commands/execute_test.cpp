/// Tests of the scheduler behind `jug execute` (src/commands/execute.hpp):
/// what runs, in which order, how often; what the store holds afterwards
/// (results, failures, leases); how it shares work with other workers (seen
/// through leases a FaultStore makes look held elsewhere); how it survives
/// store errors; and that dependency values are freed once nobody needs them.

#include "commands/execute.hpp"

#include <gtest/gtest.h>

#include <algorithm>
#include <array>
#include <atomic>
#include <chrono>
#include <cmath>
#include <condition_variable>
#include <cstdio>
#include <cstdlib>
#include <functional>
#include <memory>
#include <mutex>
#include <optional>
#include <stdexcept>
#include <string>
#include <thread>
#include <utility>
#include <vector>

#include "unit/commands/fault_store.hpp"
#include "engine/build_context.hpp"
#include "engine/graph.hpp"
#include "engine/results.hpp"
#include "jug/errors.hpp"
#include "jug/task_generator.hpp"
#include "store/memory_store.hpp"

namespace {

using namespace std::chrono_literals;
using jug_test::FaultStore;
using jug_test::StoreMethod;
using Clock = std::chrono::steady_clock;

// ---- what the tasks do, and how we watch them ------------------------------------

std::atomic<int> twice_calls{0};
std::atomic<int> add_calls{0};
std::atomic<int> held_calls{0};
std::atomic<bool> boom_fails{true};

const jug::TaskGenerator twice("exec_twice", [](int x) {
  ++twice_calls;
  return 2 * x;
});
const jug::TaskGenerator add("exec_add", [](int a, int b) {
  ++add_calls;
  return a + b;
});
const jug::TaskGenerator negate("exec_negate", [](int x) { return -x; });
/// Fails while boom_fails is set.
const jug::TaskGenerator boom("exec_boom", [](int x) -> int {
  if (boom_fails) throw std::runtime_error("boom " + std::to_string(x));
  return 100 * x;
});
const jug::TaskGenerator throw_int("exec_throw_int", [](int x) -> int { throw x; });
/// A task the tests make "held by another worker": it should never run here
/// unless the other worker lets go of it without a result.
const jug::TaskGenerator held("exec_held", [](int x) {
  ++held_calls;
  return 10 * x;
});

const jug::TaskGenerator slow("exec_slow", [](int ms) {
  std::this_thread::sleep_for(std::chrono::milliseconds(ms));
  return ms;
});

constexpr int kManyTasks = 200;
std::array<std::atomic<int>, kManyTasks> runs_of{};
std::atomic<int> running_now{0};
std::atomic<int> most_running{0};
const jug::TaskGenerator count_run("exec_count_run", [](int i) {
  ++runs_of.at(static_cast<std::size_t>(i));
  const int now = ++running_now;
  int seen = most_running.load();
  while (now > seen && !most_running.compare_exchange_weak(seen, now)) {
  }
  std::this_thread::sleep_for(50us);
  --running_now;
  return i * i;
});
const jug::TaskGenerator step("exec_step", [](int previous) {
  ++runs_of.at(static_cast<std::size_t>(previous));
  return previous + 1;
});

/// A result type that counts its live instances: tells whether the scheduler
/// still holds a value in memory.
struct Tracked {
  static inline std::atomic<int> live{0};
  int value = 0;
  Tracked() { ++live; }
  explicit Tracked(int v) : value(v) { ++live; }
  Tracked(const Tracked& other) : value(other.value) { ++live; }
  Tracked& operator=(const Tracked&) = default;
  ~Tracked() { --live; }
  template <class Archive>
  void serialize(Archive& ar) {
    ar(value);
  }
};

std::atomic<int> make_tracked_calls{0};
const jug::TaskGenerator make_tracked("exec_make_tracked", [](int v) {
  ++make_tracked_calls;
  return Tracked(v);
});
const jug::TaskGenerator use_tracked("exec_use_tracked",
                                     [](const Tracked& t) { return t.value + 1; });
const jug::TaskGenerator boom_tracked("exec_boom_tracked", [](const Tracked& t) -> int {
  throw std::runtime_error("cannot use " + std::to_string(t.value));
});
const jug::TaskGenerator use_both("exec_use_both",
                                  [](const Tracked& t, int x) { return t.value + x; });
/// How many Tracked values exist while this task runs (its argument only
/// orders it after another task).
const jug::TaskGenerator live_now("exec_live_now", [](int) { return Tracked::live.load(); });
const jug::TaskGenerator live_after_all("exec_live_after_all",
                                        [](const std::vector<int>&) { return Tracked::live.load(); });

/// Records what the scheduler tells its observer, from any thread.
class RecordingObserver final : public jug::ExecuteObserver {
 public:
  void task_started(const jug::Graph&, jug::NodeId id) override {
    std::lock_guard lock(mutex_);
    started_.push_back(id);
    events_.emplace_back('s', id);
  }
  void task_finished(const jug::Graph&, jug::NodeId id, double seconds) override {
    std::lock_guard lock(mutex_);
    EXPECT_GE(seconds, 0.0);
    events_.emplace_back('f', id);
  }
  void task_failed(const jug::Graph&, jug::NodeId id, const std::string& message) override {
    std::lock_guard lock(mutex_);
    failed_.push_back({id, message});
    events_.emplace_back('x', id);
  }
  void result_recomputed(const jug::Graph&, jug::NodeId id, const std::string& message,
                         bool /*type_changed*/) override {
    std::lock_guard lock(mutex_);
    recomputed_.push_back({id, message});
  }
  void lease_taken_over(const jug::Graph&, jug::NodeId id, const std::string& why) override {
    std::lock_guard lock(mutex_);
    taken_over_.push_back({id, why});
  }

  /// Results found unreadable and run again, with the reason.
  std::vector<jug::TaskFailure> recomputed() const {
    std::lock_guard lock(mutex_);
    return recomputed_;
  }
  /// Leases of gone workers this worker broke, with the reason.
  std::vector<jug::TaskFailure> taken_over() const {
    std::lock_guard lock(mutex_);
    return taken_over_;
  }

  std::vector<jug::NodeId> started() const {
    std::lock_guard lock(mutex_);
    return started_;
  }
  std::vector<jug::TaskFailure> failed() const {
    std::lock_guard lock(mutex_);
    return failed_;
  }
  /// Position of the first event `kind` ('s' started, 'f' finished) of `id`.
  std::optional<std::size_t> position(char kind, jug::NodeId id) const {
    std::lock_guard lock(mutex_);
    for (std::size_t i = 0; i < events_.size(); ++i) {
      if (events_[i] == std::pair{kind, id}) return i;
    }
    return std::nullopt;
  }
  void clear() {
    std::lock_guard lock(mutex_);
    started_.clear();
    failed_.clear();
    events_.clear();
  }

 private:
  mutable std::mutex mutex_;
  std::vector<jug::NodeId> started_;
  std::vector<jug::TaskFailure> failed_;
  std::vector<jug::TaskFailure> recomputed_;
  std::vector<jug::TaskFailure> taken_over_;
  std::vector<std::pair<char, jug::NodeId>> events_;
};

// ---- helpers ------------------------------------------------------------------------

template <class R>
R result_of(jug::Store& store, const jug::Graph& graph, const jug::Task<R>& task) {
  const jug::AnyValue v = jug::load_result(store, graph, task.node_id());
  return *static_cast<const R*>(v.get());
}

bool stored(jug::Store& store, const jug::Graph& graph, jug::NodeId id) {
  return store.contains(graph.hash(id));
}

std::size_t executed_named(const jug::ExecuteReport& report, const jug::Graph& graph,
                           const std::string& name) {
  const auto& names = graph.names();
  const auto it = std::find(names.begin(), names.end(), name);
  if (it == names.end()) return 0;
  return report.executed_per_name.at(static_cast<std::size_t>(it - names.begin()));
}

/// Options for tests with other workers: poll often, and give up after
/// `patience` without progress.
jug::ExecuteOptions waiting_options(unsigned jobs, std::chrono::duration<double> patience) {
  jug::ExecuteOptions o;
  o.jobs = jobs;
  o.poll_interval = 2ms;
  o.wait_cycle_time = 10ms;
  o.nr_wait_cycles = static_cast<unsigned>(std::lround(patience / o.wait_cycle_time));
  return o;
}

double seconds_since(Clock::time_point start) {
  return std::chrono::duration<double>(Clock::now() - start).count();
}

/// What a child process found wrong, "" when nothing.
class Problems {
 public:
  void check(bool ok, const std::string& what) {
    if (!ok) text_ += what + "\n";
  }
  const std::string& text() const { return text_; }

 private:
  std::string text_;
};

/// Runs `scenario` in a child process (a death test), so that a crash there
/// (an exception escaping a worker thread calls std::terminate) fails this
/// test only. `scenario` returns what went wrong, "" when all is well.
void expect_in_child(const std::function<std::string()>& scenario) {
  GTEST_FLAG_SET(death_test_style, "threadsafe");
  EXPECT_EXIT(
      {
        const std::string problems = scenario();
        if (!problems.empty()) std::fputs(problems.c_str(), stderr);
        std::fflush(stderr);
        std::exit(problems.empty() ? 0 : 1);
      },
      ::testing::ExitedWithCode(0), "");
}

class ExecuteTest : public ::testing::Test {
 protected:
  void SetUp() override {
    twice_calls = 0;
    add_calls = 0;
    held_calls = 0;
    boom_fails = true;
    for (auto& r : runs_of) r = 0;
    running_now = 0;
    most_running = 0;
    make_tracked_calls = 0;
    ASSERT_EQ(Tracked::live, 0);
  }

  jug::Graph build(const std::function<void()>& fn) { return jug::build_graph(fn, store_); }
  jug::ExecuteReport run(const jug::Graph& graph, const jug::ExecuteOptions& options = {}) {
    return jug::execute(graph, store_, options, observer_);
  }

  FaultStore store_;
  RecordingObserver observer_;
};

/// The diamond a -> (b, c) -> d, plus its ids.
struct Diamond {
  std::optional<jug::Task<int>> a, b, c, d;
  void build() {
    a = twice(3);        // 6
    b = twice(*a);       // 12
    c = negate(*a);      // -6
    d = add(*b, *c);     // 6
  }
};

// ---- 1. a diamond ------------------------------------------------------------------------

TEST_F(ExecuteTest, DiamondRunsEachTaskOnceInDependencyOrder) {
  Diamond t;
  const jug::Graph graph = build([&] { t.build(); });
  ASSERT_EQ(graph.size(), 4u);

  const jug::ExecuteReport report = run(graph);
  EXPECT_EQ(report.selected, 4u);
  EXPECT_EQ(report.executed, 4u);
  EXPECT_EQ(report.already_done, 0u);
  EXPECT_EQ(report.done_elsewhere, 0u);
  EXPECT_EQ(report.blocked, 0u);
  EXPECT_TRUE(report.failures.empty());
  EXPECT_TRUE(report.failed_elsewhere.empty());
  EXPECT_FALSE(report.gave_up_waiting);
  EXPECT_FALSE(report.fatal_error) << *report.fatal_error;
  EXPECT_TRUE(report.complete());
  EXPECT_EQ(executed_named(report, graph, "exec_twice"), 2u);
  EXPECT_EQ(executed_named(report, graph, "exec_negate"), 1u);
  EXPECT_EQ(executed_named(report, graph, "exec_add"), 1u);
  EXPECT_EQ(twice_calls, 2);
  EXPECT_EQ(add_calls, 1);

  // One worker runs tasks in creation order, a topological order.
  EXPECT_EQ(observer_.started(), (std::vector<jug::NodeId>{t.a->node_id(), t.b->node_id(),
                                                          t.c->node_id(), t.d->node_id()}));
  EXPECT_EQ(result_of(store_, graph, *t.a), 6);
  EXPECT_EQ(result_of(store_, graph, *t.b), 12);
  EXPECT_EQ(result_of(store_, graph, *t.c), -6);
  EXPECT_EQ(result_of(store_, graph, *t.d), 6);
  EXPECT_EQ(store_.inner().list().size(), 4u);
  EXPECT_TRUE(store_.inner().list_leases().empty());
  EXPECT_TRUE(store_.inner().list_failures().empty());

  // Everything is done: a second execute runs nothing.
  observer_.clear();
  const jug::ExecuteReport again = run(graph);
  EXPECT_EQ(again.executed, 0u);
  EXPECT_EQ(again.already_done, 4u);
  EXPECT_EQ(again.selected, 4u);
  EXPECT_TRUE(again.complete());
  EXPECT_TRUE(observer_.started().empty());
  EXPECT_EQ(twice_calls, 2);
  EXPECT_EQ(add_calls, 1);
  // ...and writes nothing.
  EXPECT_EQ(store_.calls(StoreMethod::kPut), 4u);
  EXPECT_EQ(store_.calls(StoreMethod::kAcquire), 4u);
}

TEST_F(ExecuteTest, AWorkerGoesOnWithTheTaskCreatedNextEvenWhenItWasNotReady) {
  // A worker takes its next task's lease as it stores a result: that task
  // is the one made ready by this result when it comes first.
  std::optional<jug::Task<int>> a, b, c, d;
  const jug::Graph graph = build([&] {
    a = twice(1);
    b = twice(*a);
    c = negate(5);
    d = negate(*b);
  });
  const jug::ExecuteReport report = run(graph);
  EXPECT_TRUE(report.complete());
  EXPECT_EQ(observer_.started(), (std::vector<jug::NodeId>{a->node_id(), b->node_id(),
                                                          c->node_id(), d->node_id()}));
  EXPECT_EQ(result_of(store_, graph, *d), -4);
  EXPECT_TRUE(store_.inner().list_leases().empty());
}

TEST_F(ExecuteTest, DiamondWithFourJobsKeepsDependencyOrder) {
  Diamond t;
  const jug::Graph graph = build([&] { t.build(); });
  jug::ExecuteOptions options;
  options.jobs = 4;
  const jug::ExecuteReport report = run(graph, options);
  EXPECT_EQ(report.executed, 4u);
  EXPECT_TRUE(report.complete());
  for (jug::NodeId id = 0; id < graph.size(); ++id) {
    const auto start = observer_.position('s', id);
    ASSERT_TRUE(start) << graph.name(id);
    for (jug::NodeId dep : graph.node(id).dependencies()) {
      const auto dep_finished = observer_.position('f', dep);
      ASSERT_TRUE(dep_finished);
      EXPECT_LT(*dep_finished, *start) << graph.name(id) << " started before its dependency";
    }
  }
  EXPECT_EQ(result_of(store_, graph, *t.d), 6);
}

TEST_F(ExecuteTest, RepeatedDependencyIsPassedTwiceAndRunOnce) {
  std::optional<jug::Task<int>> a, s;
  const jug::Graph graph = build([&] {
    a = twice(5);
    s = add(*a, *a);
  });
  const jug::ExecuteReport report = run(graph);
  EXPECT_EQ(report.executed, 2u);
  EXPECT_EQ(twice_calls, 1);
  EXPECT_EQ(result_of(store_, graph, *s), 20);
}

// ---- 2. --target ---------------------------------------------------------------------------

TEST_F(ExecuteTest, TargetRunsOnlyMatchingTasksAndWhatTheyNeed) {
  std::optional<jug::Task<int>> a, b, s, c, n;
  const jug::Graph graph = build([&] {
    a = twice(1);
    b = twice(2);
    s = add(*a, *b);   // the target
    c = twice(3);      // not needed by it
    n = negate(*c);
  });
  jug::ExecuteOptions options;
  options.target = "exec_add";
  const jug::ExecuteReport report = run(graph, options);
  EXPECT_EQ(report.selected, 3u);
  EXPECT_EQ(report.executed, 3u);
  EXPECT_TRUE(report.complete());
  EXPECT_EQ(result_of(store_, graph, *s), 6);
  EXPECT_TRUE(stored(store_, graph, a->node_id()));
  EXPECT_TRUE(stored(store_, graph, b->node_id()));
  EXPECT_FALSE(stored(store_, graph, c->node_id()));
  EXPECT_FALSE(stored(store_, graph, n->node_id()));
  EXPECT_EQ(twice_calls, 2);

  // A target whose dependencies are done: only the target runs.
  options.target = "exec_negate";
  const jug::ExecuteReport second = run(graph, options);
  EXPECT_EQ(second.selected, 2u);
  EXPECT_EQ(second.executed, 2u);
  EXPECT_EQ(result_of(store_, graph, *n), -6);

  options.target = "/twice/";
  const jug::ExecuteReport third = run(graph, options);
  EXPECT_EQ(third.selected, 3u);
  EXPECT_EQ(third.already_done, 3u);
  EXPECT_EQ(third.executed, 0u);
}

TEST_F(ExecuteTest, TargetMatchingNothingThrowsAndRunsNothing) {
  const jug::Graph graph = build([] { add(twice(1), twice(2)); });
  jug::ExecuteOptions options;
  options.target = "no_such_task";
  try {
    run(graph, options);
    ADD_FAILURE() << "no exception";
  } catch (const jug::Error& e) {
    EXPECT_NE(std::string(e.what()).find("no_such_task"), std::string::npos) << e.what();
  }
  EXPECT_EQ(twice_calls, 0);
  EXPECT_TRUE(store_.inner().list().empty());
  EXPECT_TRUE(store_.inner().list_leases().empty());
}

// ---- 3. a task that throws ---------------------------------------------------------------------

/// ok, bad, two tasks that need bad, and an independent task after them.
struct WithFailure {
  std::optional<jug::Task<int>> ok, bad, needs_bad, needs_needs_bad, independent;
  void build() {
    ok = twice(1);
    bad = boom(7);
    needs_bad = add(*bad, *ok);
    needs_needs_bad = negate(*needs_bad);
    independent = twice(50);
  }
};

TEST_F(ExecuteTest, FailureStopsTheRunAndIsRecorded) {
  WithFailure t;
  const jug::Graph graph = build([&] { t.build(); });
  const jug::ExecuteReport report = run(graph);

  ASSERT_EQ(report.failures.size(), 1u);
  EXPECT_EQ(report.failures[0].id, t.bad->node_id());
  EXPECT_EQ(report.failures[0].message, "std::runtime_error: boom 7");
  EXPECT_FALSE(report.fatal_error);
  EXPECT_EQ(report.executed, 1u);  // ok only: the run stops at the failure
  EXPECT_FALSE(report.complete());
  EXPECT_FALSE(stored(store_, graph, t.independent->node_id()));
  EXPECT_FALSE(stored(store_, graph, t.bad->node_id()));
  EXPECT_EQ(twice_calls, 1);

  const auto failures = store_.inner().list_failures();
  ASSERT_EQ(failures.size(), 1u);
  EXPECT_EQ(failures[0].hash, graph.hash(t.bad->node_id()));
  EXPECT_EQ(failures[0].message, "std::runtime_error: boom 7");
  EXPECT_TRUE(store_.inner().list_leases().empty());

  const auto told = observer_.failed();
  ASSERT_EQ(told.size(), 1u);
  EXPECT_EQ(told[0].id, t.bad->node_id());
  EXPECT_EQ(told[0].message, "std::runtime_error: boom 7");
}

TEST_F(ExecuteTest, KeepFailedLeavesEarlierFailuresAloneAndRunsTheRest) {
  WithFailure t;
  const jug::Graph graph = build([&] { t.build(); });
  jug::ExecuteOptions keep_going;
  keep_going.keep_going = true;
  (void)run(graph, keep_going);  // boom fails and is recorded
  boom_fails = false;            // it would succeed now, but the user says keep it failed

  jug::ExecuteOptions options;
  options.keep_going = true;
  options.keep_failed = true;
  const jug::ExecuteReport report = run(graph, options);
  EXPECT_EQ(report.kept_failed, 1u);
  EXPECT_EQ(report.executed, 0u);
  EXPECT_EQ(report.blocked, 2u);
  EXPECT_FALSE(stored(store_, graph, t.bad->node_id()));
  EXPECT_EQ(store_.inner().list_failures().size(), 1u);

  // Without --keep-failed it is retried, and its failure record cleared.
  const jug::ExecuteReport retried = run(graph);
  EXPECT_EQ(retried.executed, 3u);
  EXPECT_TRUE(retried.complete());
  EXPECT_TRUE(store_.inner().list_failures().empty());
}

TEST_F(ExecuteTest, RetriesRunAThrowingTaskAgainBeforeRecordingAFailure) {
  static std::atomic<int> attempts{0};
  attempts = 0;
  const jug::TaskGenerator flaky("exec_flaky", [](int x) {
    if (++attempts < 3) throw std::runtime_error("flaky");
    return x;
  });
  std::optional<jug::Task<int>> t;
  const jug::Graph graph = build([&] { t = flaky(5); });
  jug::ExecuteOptions options;
  options.retries = 1;  // two attempts: not enough
  jug::ExecuteReport report = run(graph, options);
  EXPECT_EQ(attempts, 2);
  ASSERT_EQ(report.failures.size(), 1u);
  EXPECT_EQ(store_.inner().list_failures().size(), 1u);

  attempts = 0;
  options.retries = 5;  // third attempt succeeds
  report = run(graph, options);
  EXPECT_EQ(attempts, 3);
  EXPECT_TRUE(report.failures.empty());
  EXPECT_TRUE(report.complete());
  EXPECT_TRUE(store_.inner().list_failures().empty());
}

TEST_F(ExecuteTest, KeepGoingRunsIndependentTasksAndBlocksDependents) {
  WithFailure t;
  const jug::Graph graph = build([&] { t.build(); });
  jug::ExecuteOptions options;
  options.keep_going = true;
  const jug::ExecuteReport report = run(graph, options);

  ASSERT_EQ(report.failures.size(), 1u);
  EXPECT_EQ(report.failures[0].message, "std::runtime_error: boom 7");
  EXPECT_EQ(report.executed, 2u);  // ok and independent
  EXPECT_EQ(report.blocked, 2u);   // needs_bad and what needs it
  // Each named with the failure that blocks it.
  const std::vector<std::pair<jug::NodeId, jug::NodeId>> blocked_by{
      {t.needs_bad->node_id(), t.bad->node_id()}, {t.needs_needs_bad->node_id(), t.bad->node_id()}};
  EXPECT_EQ(report.blocked_by, blocked_by);
  EXPECT_FALSE(report.complete());
  EXPECT_FALSE(report.fatal_error);
  EXPECT_EQ(result_of(store_, graph, *t.independent), 100);
  EXPECT_FALSE(stored(store_, graph, t.needs_bad->node_id()));
  EXPECT_FALSE(stored(store_, graph, t.needs_needs_bad->node_id()));
  EXPECT_EQ(add_calls, 0);
  EXPECT_EQ(store_.inner().list_failures().size(), 1u);
  EXPECT_TRUE(store_.inner().list_leases().empty());

  // Fixed: the next execute runs what is left and forgets the failure.
  boom_fails = false;
  const jug::ExecuteReport fixed = run(graph, options);
  EXPECT_TRUE(fixed.failures.empty());
  EXPECT_EQ(fixed.executed, 3u);
  EXPECT_EQ(fixed.already_done, 2u);
  EXPECT_TRUE(fixed.complete());
  EXPECT_EQ(result_of(store_, graph, *t.bad), 700);
  EXPECT_EQ(result_of(store_, graph, *t.needs_needs_bad), -702);
  EXPECT_TRUE(store_.inner().list_failures().empty());
  EXPECT_TRUE(store_.inner().list_leases().empty());
}

TEST_F(ExecuteTest, KeepGoingWithFourJobs) {
  std::vector<jug::Task<int>> goods;
  std::optional<jug::Task<int>> bad, needs_bad;
  const jug::Graph graph = build([&] {
    for (int i = 0; i < 20; ++i) goods.push_back(twice(i));
    bad = boom(1);
    needs_bad = add(*bad, goods[0]);
  });
  jug::ExecuteOptions options;
  options.keep_going = true;
  options.jobs = 4;
  const jug::ExecuteReport report = run(graph, options);
  EXPECT_EQ(report.executed, 20u);
  EXPECT_EQ(report.failures.size(), 1u);
  EXPECT_EQ(report.blocked, 1u);
  for (int i = 0; i < 20; ++i) EXPECT_EQ(result_of(store_, graph, goods[i]), 2 * i);
  EXPECT_EQ(store_.inner().list_failures().size(), 1u);
  EXPECT_TRUE(store_.inner().list_leases().empty());
}

TEST_F(ExecuteTest, ExceptionNotDerivedFromStdExceptionIsAFailure) {
  std::optional<jug::Task<int>> bad;
  const jug::Graph graph = build([&] { bad = throw_int(3); });
  const jug::ExecuteReport report = run(graph);
  ASSERT_EQ(report.failures.size(), 1u);
  EXPECT_NE(report.failures[0].message.find("unknown type"), std::string::npos)
      << report.failures[0].message;
  EXPECT_EQ(store_.inner().list_failures().size(), 1u);
  EXPECT_TRUE(store_.inner().list_leases().empty());
}

// ---- 4. several jobs ---------------------------------------------------------------------

TEST_F(ExecuteTest, FourJobsRunEachOfManyIndependentTasksOnce) {
  std::vector<jug::Task<int>> tasks;
  const jug::Graph graph = build([&] {
    for (int i = 0; i < kManyTasks; ++i) tasks.push_back(count_run(i));
  });
  jug::ExecuteOptions options;
  options.jobs = 4;
  const jug::ExecuteReport report = run(graph, options);
  EXPECT_EQ(report.executed, static_cast<std::size_t>(kManyTasks));
  EXPECT_EQ(report.executed_per_name.at(0), static_cast<std::size_t>(kManyTasks));
  EXPECT_TRUE(report.complete());
  for (int i = 0; i < kManyTasks; ++i) {
    EXPECT_EQ(runs_of[i], 1) << "task " << i;
    EXPECT_EQ(result_of(store_, graph, tasks[i]), i * i);
  }
  EXPECT_LE(most_running, 4);
  EXPECT_EQ(store_.inner().list().size(), static_cast<std::size_t>(kManyTasks));
  EXPECT_TRUE(store_.inner().list_leases().empty());
  EXPECT_EQ(observer_.started().size(), static_cast<std::size_t>(kManyTasks));

  const jug::ExecuteReport again = run(graph, options);
  EXPECT_EQ(again.executed, 0u);
  EXPECT_EQ(again.already_done, static_cast<std::size_t>(kManyTasks));
}

TEST_F(ExecuteTest, FourJobsOnAChain) {
  constexpr int kLength = 60;
  std::vector<jug::Task<int>> chain;
  const jug::Graph graph = build([&] {
    chain.push_back(step(0));
    for (int i = 1; i < kLength; ++i) chain.push_back(step(chain.back()));
  });
  jug::ExecuteOptions options;
  options.jobs = 4;
  const jug::ExecuteReport report = run(graph, options);
  EXPECT_EQ(report.executed, static_cast<std::size_t>(kLength));
  EXPECT_TRUE(report.complete());
  for (int i = 0; i < kLength; ++i) {
    EXPECT_EQ(runs_of[i], 1) << i;
    EXPECT_EQ(result_of(store_, graph, chain[i]), i + 1);
  }
  EXPECT_EQ(observer_.started().size(), static_cast<std::size_t>(kLength));
  for (int i = 1; i < kLength; ++i) {
    EXPECT_LT(*observer_.position('f', chain[i - 1].node_id()),
              *observer_.position('s', chain[i].node_id()));
  }
}

// ---- 5. a lease held by another worker -------------------------------------------------------

/// x, held (whose lease the other worker has), two tasks needing held, and
/// independent ones.
struct WithHeld {
  std::optional<jug::Task<int>> x, h, needs_h, needs_needs_h, i1, i2;
  void build() {
    x = twice(1);              // 2
    h = held(4);               // 40 if it ran
    needs_h = add(*h, *x);     // 42
    needs_needs_h = negate(*needs_h);
    i1 = twice(20);
    i2 = twice(21);
  }
};

TEST_F(ExecuteTest, GivesUpWaitingForAForeignLeaseAndRunsEverythingElse) {
  for (const unsigned jobs : {1u, 4u}) {
    SCOPED_TRACE(::testing::Message() << "jobs=" << jobs);
    FaultStore store;
    WithHeld t;
    const jug::Graph graph = jug::build_graph([&] { t.build(); }, store);
    store.hold_elsewhere(graph.hash(t.h->node_id()));

    const auto start = Clock::now();
    const jug::ExecuteReport report =
        jug::execute(graph, store, waiting_options(jobs, 100ms), observer_);
    const double took = seconds_since(start);

    EXPECT_TRUE(report.gave_up_waiting);
    EXPECT_GE(took, 0.09);
    EXPECT_LT(took, 3.0);
    EXPECT_EQ(report.executed, 3u);  // x, i1, i2
    EXPECT_EQ(report.done_elsewhere, 0u);
    EXPECT_EQ(report.blocked, 0u);
    EXPECT_TRUE(report.failures.empty());
    EXPECT_FALSE(report.fatal_error);
    EXPECT_FALSE(report.complete());
    EXPECT_EQ(held_calls, 0);
    EXPECT_EQ(result_of(store, graph, *t.i2), 42);
    EXPECT_FALSE(stored(store, graph, t.h->node_id()));
    EXPECT_FALSE(stored(store, graph, t.needs_h->node_id()));
    // The other worker's lease is untouched.
    const auto leases = store.inner().list_leases();
    ASSERT_EQ(leases.size(), 1u);
    EXPECT_EQ(leases[0].hash, graph.hash(t.h->node_id()));
    EXPECT_EQ(leases[0].owner, FaultStore::foreign_owner());
    EXPECT_TRUE(store.inner().list_failures().empty());
  }
}

TEST_F(ExecuteTest, WaitsForAForeignWorkerThatFinishesTheTask) {
  for (const unsigned jobs : {1u, 4u}) {
    SCOPED_TRACE(::testing::Message() << "jobs=" << jobs);
    FaultStore store;
    WithHeld t;
    const jug::Graph graph = jug::build_graph([&] { t.build(); }, store);
    const jug::TaskHash h = graph.hash(t.h->node_id());
    store.hold_elsewhere(h);

    std::thread other_worker([&] {
      std::this_thread::sleep_for(200ms);
      const jug::AnyValue value = std::make_shared<const int>(40);
      store.finish_elsewhere(h, jug::encode_result(graph, t.h->node_id(), value, {}));
    });
    const auto start = Clock::now();
    const jug::ExecuteReport report =
        jug::execute(graph, store, waiting_options(jobs, 5s), observer_);
    const double took = seconds_since(start);
    other_worker.join();

    EXPECT_FALSE(report.gave_up_waiting);
    EXPECT_GE(took, 0.19);
    EXPECT_LT(took, 3.0);
    EXPECT_EQ(report.done_elsewhere, 1u);
    EXPECT_EQ(report.executed, 5u);  // all but held
    EXPECT_TRUE(report.complete());
    EXPECT_TRUE(report.failures.empty());
    EXPECT_FALSE(report.fatal_error);
    EXPECT_EQ(held_calls, 0);
    EXPECT_EQ(result_of(store, graph, *t.needs_h), 42);
    EXPECT_EQ(result_of(store, graph, *t.needs_needs_h), -42);
    EXPECT_TRUE(store.inner().list_leases().empty());
  }
}

TEST_F(ExecuteTest, RunsATaskWhoseForeignLeaseIsGivenBackWithoutAResult) {
  for (const unsigned jobs : {1u, 4u}) {
    SCOPED_TRACE(::testing::Message() << "jobs=" << jobs);
    held_calls = 0;
    FaultStore store;
    WithHeld t;
    const jug::Graph graph = jug::build_graph([&] { t.build(); }, store);
    const jug::TaskHash h = graph.hash(t.h->node_id());
    store.hold_elsewhere(h);
    std::thread other_worker([&] {
      std::this_thread::sleep_for(100ms);
      store.inner().release(h, FaultStore::foreign_owner());  // e.g. the other worker was interrupted
    });
    const jug::ExecuteReport report =
        jug::execute(graph, store, waiting_options(jobs, 5s), observer_);
    other_worker.join();
    EXPECT_EQ(report.executed, 6u);
    EXPECT_EQ(report.done_elsewhere, 0u);
    EXPECT_TRUE(report.complete());
    EXPECT_EQ(held_calls, 1);
    EXPECT_EQ(result_of(store, graph, *t.needs_h), 42);
    EXPECT_TRUE(store.inner().list_leases().empty());
  }
}

TEST_F(ExecuteTest, TaskFinishedElsewhereBetweenListingAndLeaseIsNotRun) {
  FaultStore store;
  WithHeld t;
  const jug::Graph graph = jug::build_graph([&] { t.build(); }, store);
  const jug::NodeId h = t.h->node_id();
  // The other worker publishes the result just before we take the lease.
  store.before_call(StoreMethod::kAcquire, graph.hash(h), [&](jug::MemoryStore& inner) {
    inner.put(graph.hash(h), jug::encode_result(graph, h, std::make_shared<const int>(40), {}));
  });
  const jug::ExecuteReport report = jug::execute(graph, store, {}, observer_);
  EXPECT_EQ(report.done_elsewhere, 1u);
  EXPECT_EQ(report.executed, 5u);
  EXPECT_TRUE(report.complete());
  EXPECT_EQ(held_calls, 0);
  EXPECT_EQ(result_of(store, graph, *t.needs_h), 42);
  EXPECT_TRUE(store.inner().list_leases().empty());
}

TEST_F(ExecuteTest, DoesNotGiveUpWhileOneOfOurTasksRuns) {
  FaultStore store;
  WithHeld t;
  std::optional<jug::Task<int>> long_task;
  const jug::Graph graph = jug::build_graph(
      [&] {
        t.build();
        long_task = slow(300);
      },
      store);
  store.hold_elsewhere(graph.hash(t.h->node_id()));
  const auto start = Clock::now();
  const jug::ExecuteReport report =
      jug::execute(graph, store, waiting_options(4, 100ms), observer_);
  const double took = seconds_since(start);
  EXPECT_TRUE(report.gave_up_waiting);
  EXPECT_EQ(report.executed, 4u);  // x, i1, i2 and the long task
  EXPECT_EQ(result_of(store, graph, *long_task), 300);
  EXPECT_GE(took, 0.29);  // not before the long task is over
  EXPECT_LT(took, 3.0);
}

// Regression: a task of ours counts as running from its lease until its
// result is stored, so that a thread waiting for another worker's task does
// not give up while our task is still publishing (a slow put makes the old
// window, between the function's end and the put, deterministic).
TEST_F(ExecuteTest, DoesNotGiveUpWhileOneOfOurTasksIsBeingStored) {
  FaultStore store;
  WithHeld t;
  std::optional<jug::Task<int>> long_task, after_long;
  const jug::Graph graph = jug::build_graph(
      [&] {
        t.build();
        long_task = slow(150);  // longer than the patience
        after_long = negate(*long_task);
      },
      store);
  store.hold_elsewhere(graph.hash(t.h->node_id()));
  store.before_call(StoreMethod::kPut, graph.hash(long_task->node_id()),
                    [](jug::MemoryStore&) { std::this_thread::sleep_for(100ms); });
  const jug::ExecuteReport report =
      jug::execute(graph, store, waiting_options(4, 100ms), observer_);
  EXPECT_TRUE(report.gave_up_waiting);  // in the end, for held
  EXPECT_EQ(result_of(store, graph, *long_task), 150);
  EXPECT_TRUE(stored(store, graph, after_long->node_id()))
      << "gave up while our own task was storing its result: its dependent never ran";
  EXPECT_EQ(report.executed, 5u);  // x, i1, i2, the long task and its dependent
}

// ---- 6. a task failed by another worker ---------------------------------------------------------

TEST_F(ExecuteTest, TaskFailedElsewhereIsReportedNotRetriedAndBlocksDependents) {
  for (const unsigned jobs : {1u, 4u}) {
    SCOPED_TRACE(::testing::Message() << "jobs=" << jobs);
    FaultStore store;
    WithHeld t;
    const jug::Graph graph = jug::build_graph([&] { t.build(); }, store);
    const jug::TaskHash h = graph.hash(t.h->node_id());
    store.hold_elsewhere(h);
    std::thread other_worker([&] {
      std::this_thread::sleep_for(200ms);
      store.fail_elsewhere(h, "std::runtime_error: failed over there");
    });
    jug::ExecuteOptions options = waiting_options(jobs, 5s);
    options.keep_going = true;
    const jug::ExecuteReport report = jug::execute(graph, store, options, observer_);
    other_worker.join();

    EXPECT_FALSE(report.gave_up_waiting);
    ASSERT_EQ(report.failed_elsewhere.size(), 1u);
    EXPECT_EQ(report.failed_elsewhere[0].id, t.h->node_id());
    EXPECT_EQ(report.failed_elsewhere[0].message, "std::runtime_error: failed over there");
    EXPECT_TRUE(report.failures.empty());
    EXPECT_EQ(held_calls, 0);  // not retried
    EXPECT_EQ(report.blocked, 2u);
    EXPECT_EQ(report.executed, 3u);
    EXPECT_FALSE(report.complete());
    EXPECT_FALSE(report.fatal_error);
    EXPECT_FALSE(stored(store, graph, t.needs_h->node_id()));
    // The other worker's failure record stays; no lease is left behind.
    const auto failures = store.inner().list_failures();
    ASSERT_EQ(failures.size(), 1u);
    EXPECT_EQ(failures[0].hash, h);
    EXPECT_TRUE(store.inner().list_leases().empty());

    // A later execute retries it (a failure from before the run), and
    // clears the record when it succeeds.
    const jug::ExecuteReport later = jug::execute(graph, store, options, observer_);
    EXPECT_EQ(later.executed, 3u);
    EXPECT_TRUE(later.complete());
    EXPECT_EQ(held_calls, 1);
    EXPECT_TRUE(store.inner().list_failures().empty());
    held_calls = 0;
  }
}

// Regression: another worker can take the lease, fail the task, record the
// failure and release the lease between our start-of-run listing and our
// acquire. The failure recorded since our start must stop us retrying it in
// this run (failed_elsewhere), whether or not we ever saw the lease held.
TEST_F(ExecuteTest, TaskFailedElsewhereBeforeWeSawItHeldIsNotRetried) {
  FaultStore store;
  WithHeld t;
  const jug::Graph graph = jug::build_graph([&] { t.build(); }, store);
  const jug::TaskHash h = graph.hash(t.h->node_id());
  // Another worker ran and failed the task after our run started, and let
  // go of its lease before we got to the task.
  store.before_call(StoreMethod::kAcquire, h, [&](jug::MemoryStore& inner) {
    inner.record_failure(h, "std::runtime_error: failed over there");
  });
  jug::ExecuteOptions options;
  options.keep_going = true;
  const jug::ExecuteReport report = jug::execute(graph, store, options, observer_);
  EXPECT_EQ(held_calls, 0) << "retried a task another worker failed during this run";
  // The store must not say both "done" and "failed" for one task.
  EXPECT_FALSE(stored(store, graph, t.h->node_id()) && !store.inner().list_failures().empty())
      << "a result and a failure record for the same task";
  EXPECT_EQ(report.blocked, 2u);
  ASSERT_EQ(report.failed_elsewhere.size(), 1u);
  EXPECT_EQ(report.failed_elsewhere[0].id, t.h->node_id());
}

// ---- 7. store faults ----------------------------------------------------------------------------

TEST_F(ExecuteTest, PutFailingIsFatalAndRecordsNoTaskFailure) {
  Diamond t;
  const jug::Graph graph = build([&] { t.build(); });
  store_.fail_on(StoreMethod::kPut, 1, graph.hash(t.b->node_id()));
  const jug::ExecuteReport report = run(graph);

  ASSERT_TRUE(report.fatal_error);
  EXPECT_NE(report.fatal_error->find("exec_twice"), std::string::npos) << *report.fatal_error;
  EXPECT_NE(report.fatal_error->find("injected fault: put failed"), std::string::npos)
      << *report.fatal_error;
  EXPECT_TRUE(report.failures.empty());
  EXPECT_EQ(report.executed, 1u);  // a; then nothing else
  EXPECT_EQ(add_calls, 0);
  EXPECT_TRUE(stored(store_, graph, t.a->node_id()));
  EXPECT_FALSE(stored(store_, graph, t.b->node_id()));
  EXPECT_FALSE(stored(store_, graph, t.c->node_id()));
  EXPECT_FALSE(stored(store_, graph, t.d->node_id()));
  EXPECT_TRUE(store_.inner().list_failures().empty());
  EXPECT_TRUE(store_.inner().list_leases().empty());
}

TEST_F(ExecuteTest, PutFailingWithFourJobsIsFatalWithoutCrashing) {
  expect_in_child([] {
    Problems p;
    FaultStore store;
    RecordingObserver observer;
    std::vector<jug::Task<int>> tasks;
    const jug::Graph graph = jug::build_graph(
        [&] {
          for (int i = 0; i < 40; ++i) tasks.push_back(twice(i));
        },
        store);
    store.fail_on(StoreMethod::kPut, 5);
    jug::ExecuteOptions options;
    options.jobs = 4;
    options.keep_going = true;  // a store error stops the run all the same
    const jug::ExecuteReport report = jug::execute(graph, store, options, observer);
    p.check(report.fatal_error.has_value(), "no fatal_error");
    p.check(report.failures.empty(), "a task failure was reported");
    p.check(report.executed < 40, "everything ran");
    p.check(store.inner().list().size() == report.executed, "stored != executed");
    p.check(store.inner().list_failures().empty(), "a failure was recorded");
    p.check(store.inner().list_leases().empty(), "a lease was left behind");
    return p.text();
  });
}

TEST_F(ExecuteTest, ContainsFailingWhilePollingIsFatal) {
  for (const unsigned jobs : {1u, 4u}) {
    SCOPED_TRACE(::testing::Message() << "jobs=" << jobs);
    expect_in_child([jobs] {
      Problems p;
      FaultStore store;
      RecordingObserver observer;
      WithHeld t;
      const jug::Graph graph = jug::build_graph([&] { t.build(); }, store);
      const jug::TaskHash h = graph.hash(t.h->node_id());
      store.hold_elsewhere(h);
      // Only the poll asks whether held is stored (we never get its lease).
      store.fail_on(StoreMethod::kContains, 1, h, /*times=*/0);
      const auto start = Clock::now();
      const jug::ExecuteReport report =
          jug::execute(graph, store, waiting_options(jobs, 5s), observer);
      p.check(seconds_since(start) < 3.0, "took too long");
      p.check(report.fatal_error.has_value() &&
                  report.fatal_error->find("injected fault: contains failed") !=
                      std::string::npos,
              "fatal_error: " + report.fatal_error.value_or("(none)"));
      p.check(!report.gave_up_waiting, "gave up instead");
      p.check(report.failures.empty(), "a task failure was reported");
      p.check(store.inner().list_failures().empty(), "a failure was recorded");
      p.check(held_calls == 0, "held ran");
      const auto leases = store.inner().list_leases();
      p.check(leases.size() == 1 && leases[0].owner == FaultStore::foreign_owner(),
              "the foreign lease is not the only one left");
      return p.text();
    });
  }
}

TEST_F(ExecuteTest, AcquireFailingIsFatalAndLeavesTheForeignLease) {
  WithHeld t;
  const jug::Graph graph = build([&] { t.build(); });
  const jug::TaskHash h = graph.hash(t.h->node_id());
  store_.hold_elsewhere(h);
  store_.fail_on(StoreMethod::kAcquire, 1, h);
  const jug::ExecuteReport report = run(graph);

  ASSERT_TRUE(report.fatal_error);
  EXPECT_NE(report.fatal_error->find("injected fault: acquire failed"), std::string::npos)
      << *report.fatal_error;
  EXPECT_TRUE(report.failures.empty());
  EXPECT_EQ(report.executed, 1u);  // x; the run stops at held
  EXPECT_FALSE(stored(store_, graph, t.i1->node_id()));
  EXPECT_EQ(held_calls, 0);
  EXPECT_TRUE(store_.inner().list_failures().empty());
  const auto leases = store_.inner().list_leases();
  ASSERT_EQ(leases.size(), 1u);
  EXPECT_EQ(leases[0].hash, h);
  EXPECT_EQ(leases[0].owner, FaultStore::foreign_owner());
}

TEST_F(ExecuteTest, AcquireFailingWithFourJobsIsFatalWithoutCrashing) {
  expect_in_child([] {
    Problems p;
    FaultStore store;
    RecordingObserver observer;
    WithHeld t;
    const jug::Graph graph = jug::build_graph([&] { t.build(); }, store);
    const jug::TaskHash h = graph.hash(t.h->node_id());
    store.hold_elsewhere(h);
    store.fail_on(StoreMethod::kAcquire, 1, h, /*times=*/0);
    jug::ExecuteOptions options = waiting_options(4, 5s);
    const jug::ExecuteReport report = jug::execute(graph, store, options, observer);
    p.check(report.fatal_error.has_value(), "no fatal_error");
    p.check(held_calls == 0, "held ran");
    const auto leases = store.inner().list_leases();
    p.check(leases.size() == 1 && leases[0].owner == FaultStore::foreign_owner(),
            "the foreign lease is not the only one left");
    p.check(store.inner().list_failures().empty(), "a failure was recorded");
    return p.text();
  });
}

TEST_F(ExecuteTest, RecordFailureFailingIsFatalAndReleasesTheLease) {
  WithFailure t;
  const jug::Graph graph = build([&] { t.build(); });
  store_.fail_on(StoreMethod::kRecordFailure, 1);
  jug::ExecuteOptions options;
  options.keep_going = true;
  const jug::ExecuteReport report = run(graph, options);
  ASSERT_TRUE(report.fatal_error);
  EXPECT_NE(report.fatal_error->find("injected fault: record_failure failed"), std::string::npos)
      << *report.fatal_error;
  EXPECT_FALSE(stored(store_, graph, t.independent->node_id()));  // the run stopped
  EXPECT_TRUE(store_.inner().list_failures().empty());
  EXPECT_TRUE(store_.inner().list_leases().empty());
}

TEST_F(ExecuteTest, ReleaseFailingAfterPublishingIsFatalButTheResultStays) {
  Diamond t;
  const jug::Graph graph = build([&] { t.build(); });
  store_.fail_on(StoreMethod::kRelease, 1, graph.hash(t.b->node_id()));
  const jug::ExecuteReport report = run(graph);
  ASSERT_TRUE(report.fatal_error);
  EXPECT_NE(report.fatal_error->find("is stored, but then"), std::string::npos)
      << *report.fatal_error;
  EXPECT_EQ(report.executed, 2u);  // a, b: b counts, its result is published
  EXPECT_EQ(result_of(store_, graph, *t.b), 12);
  EXPECT_FALSE(stored(store_, graph, t.d->node_id()));
  EXPECT_TRUE(report.failures.empty());
  EXPECT_TRUE(store_.inner().list_failures().empty());
}

TEST_F(ExecuteTest, SyncFailingAtTheEndIsFatalButResultsStayStored) {
  Diamond t;
  const jug::Graph graph = build([&] { t.build(); });
  store_.fail_on(StoreMethod::kSync, 1, std::nullopt, /*times=*/0);
  const jug::ExecuteReport report = run(graph);
  ASSERT_TRUE(report.fatal_error);
  EXPECT_NE(report.fatal_error->find("injected fault: sync failed"), std::string::npos);
  EXPECT_EQ(report.executed, 4u);
  EXPECT_EQ(result_of(store_, graph, *t.d), 6);
  EXPECT_TRUE(store_.inner().list_leases().empty());
}

TEST_F(ExecuteTest, ListingFailingAtTheStartRunsNothing) {
  Diamond t;
  const jug::Graph graph = build([&] { t.build(); });
  store_.fail_on(StoreMethod::kContainsAll);
  // Either way is a clear report (the CLI prints what execute throws).
  try {
    const jug::ExecuteReport report = run(graph);
    ASSERT_TRUE(report.fatal_error);
    EXPECT_NE(report.fatal_error->find("injected fault"), std::string::npos);
    EXPECT_EQ(report.executed, 0u);
  } catch (const jug::StoreError& e) {
    EXPECT_NE(std::string(e.what()).find("injected fault"), std::string::npos);
  }
  EXPECT_EQ(twice_calls, 0);
  EXPECT_TRUE(store_.inner().list_leases().empty());
}

// ---- 8. memory -------------------------------------------------------------------------------------

TEST_F(ExecuteTest, DependencyValueIsKeptWhileNeededAndFreedAfterItsLastDependent) {
  std::optional<jug::Task<Tracked>> big;
  std::optional<jug::Task<int>> a, mid, b, end;
  const jug::Graph graph = build([&] {
    big = make_tracked(7);
    a = use_both(*big, 1);
    mid = live_now(*a);  // big is still needed by b
    b = use_both(*big, 2);
    end = live_now(*b);  // nobody needs big any more
  });
  const jug::ExecuteReport report = run(graph);
  EXPECT_EQ(report.executed, 5u);
  EXPECT_EQ(result_of(store_, graph, *mid), 1);
  EXPECT_EQ(result_of(store_, graph, *end), 0);
  EXPECT_EQ(result_of(store_, graph, *b), 9);
  ASSERT_EQ(graph.size(), 5u);
  EXPECT_EQ(Tracked::live, 0);
}

TEST_F(ExecuteTest, DependencyValueLoadedFromTheStoreIsFreedAfterItsLastDependent) {
  std::optional<jug::Task<Tracked>> big;
  std::optional<jug::Task<int>> a, mid, b, end;
  const auto build_all = [&] {
    big = make_tracked(7);
    a = use_both(*big, 1);
    mid = live_now(*a);
    b = use_both(*big, 2);
    end = live_now(*b);
  };
  const jug::Graph graph = build(build_all);
  jug::ExecuteOptions options;
  options.target = "exec_make_tracked";
  ASSERT_EQ(run(graph, options).executed, 1u);
  EXPECT_EQ(Tracked::live, 0);

  const jug::ExecuteReport report = run(graph);
  EXPECT_EQ(report.already_done, 1u);
  EXPECT_EQ(report.executed, 4u);
  EXPECT_EQ(make_tracked_calls, 1);
  EXPECT_EQ(result_of(store_, graph, *mid), 1);
  EXPECT_EQ(result_of(store_, graph, *end), 0);
  EXPECT_EQ(Tracked::live, 0);
}

TEST_F(ExecuteTest, DependencyValueIsFreedWhenADependentFailsOrIsBlocked) {
  std::optional<jug::Task<Tracked>> big;
  std::optional<jug::Task<int>> ok, bad, blocked, probe;
  const jug::Graph graph = build([&] {
    big = make_tracked(7);
    ok = use_tracked(*big);
    bad = boom_tracked(*big);         // fails
    blocked = use_both(*big, *bad);   // blocked by bad
    probe = live_now(*ok);            // runs after all of big's dependents are settled
  });
  jug::ExecuteOptions options;
  options.keep_going = true;
  const jug::ExecuteReport report = run(graph, options);
  EXPECT_EQ(report.executed, 3u);
  ASSERT_EQ(report.failures.size(), 1u);
  EXPECT_EQ(report.failures[0].message, "std::runtime_error: cannot use 7");
  EXPECT_EQ(report.blocked, 1u);
  EXPECT_EQ(result_of(store_, graph, *probe), 0);
  EXPECT_EQ(Tracked::live, 0);
}

TEST_F(ExecuteTest, NoValueOutlivesARunWithFourJobs) {
  std::vector<jug::Task<int>> uses;
  const jug::Graph graph = build([&] {
    for (int i = 0; i < 10; ++i) {
      const auto big = make_tracked(i);
      for (int j = 0; j < 5; ++j) uses.push_back(use_both(big, j));
    }
  });
  jug::ExecuteOptions options;
  options.jobs = 4;
  const jug::ExecuteReport report = run(graph, options);
  EXPECT_EQ(report.executed, 60u);
  EXPECT_EQ(result_of(store_, graph, uses[13]), 2 + 3);
  EXPECT_EQ(Tracked::live, 0);
}

TEST_F(ExecuteTest, DependencyValuesAreFreedAfterTheirLastDependentWithFourJobs) {
  std::vector<jug::Task<int>> uses;
  std::optional<jug::Task<int>> probe;
  const jug::Graph graph = build([&] {
    for (int i = 0; i < 3; ++i) {
      const auto big = make_tracked(i);
      for (int j = 0; j < 5; ++j) uses.push_back(use_both(big, j));
    }
    probe = live_after_all(uses);  // runs once every use of every big is done
  });
  jug::ExecuteOptions options;
  options.jobs = 4;
  const jug::ExecuteReport report = run(graph, options);
  EXPECT_EQ(report.executed, 19u);
  EXPECT_EQ(result_of(store_, graph, *probe), 0);
  EXPECT_EQ(Tracked::live, 0);
}

// ---- 9. a corrupt dependency ---------------------------------------------------------------------

TEST_F(ExecuteTest, CorruptDependencyIsRecomputedNamingIt) {
  const std::vector<std::pair<std::string, std::function<std::string(std::string)>>> damages{
      {"garbage", [](std::string) { return std::string("garbage"); }},
      {"flipped byte",
       [](std::string record) {
         record.back() = static_cast<char>(record.back() ^ 0x5a);
         return record;
       }},
      {"truncated", [](std::string record) { return record.substr(0, record.size() - 1); }},
  };
  for (const unsigned jobs : {1u, 4u}) {
    for (const auto& [what, damage] : damages) {
      SCOPED_TRACE(::testing::Message() << what << ", jobs=" << jobs);
      FaultStore store;
      std::optional<jug::Task<int>> dep, independent;
      std::vector<jug::Task<int>> users;
      const jug::Graph graph = jug::build_graph(
          [&] {
            dep = negate(5);
            for (int i = 0; i < 3; ++i) users.push_back(add(*dep, i));
            independent = add(1, 2);
          },
          store);
      jug::ExecuteOptions options;
      options.target = "exec_negate";
      ASSERT_EQ(jug::execute(graph, store, options, observer_).executed, 1u);
      const jug::TaskHash dep_hash = graph.hash(dep->node_id());
      store.inner().put(dep_hash, damage(*store.inner().get(dep_hash)));

      RecordingObserver observer;
      options = {};
      options.jobs = jobs;
      const jug::ExecuteReport report = jug::execute(graph, store, options, observer);
      EXPECT_FALSE(report.fatal_error) << *report.fatal_error;
      EXPECT_TRUE(report.failures.empty());
      // The damaged result is named, then computed again, once.
      ASSERT_EQ(observer.recomputed().size(), 1u);
      EXPECT_EQ(observer.recomputed()[0].id, dep->node_id());
      EXPECT_NE(observer.recomputed()[0].message.find("exec_negate"), std::string::npos)
          << observer.recomputed()[0].message;
      EXPECT_EQ(report.recomputed, 1u);
      EXPECT_EQ(report.executed, 5u);  // negate again, 3 users, independent
      EXPECT_TRUE(report.complete()) << report.done() << " of " << report.selected;
      EXPECT_EQ(result_of(store, graph, *dep), -5);
      for (int i = 0; i < 3; ++i) EXPECT_EQ(result_of(store, graph, users[i]), -5 + i);
      EXPECT_TRUE(store.inner().list_failures().empty());
      EXPECT_TRUE(store.inner().list_leases().empty());
    }
  }
}

// A dependency's record replaced while it is read, in a store that cannot
// read on (Redis: another worker stored it again, or it was invalidated):
// read again from the start, once; replaced twice, the task waits and
// looks again, as for a result that is gone (here the new record is good:
// nothing is computed again). Never a failure, never taken for damage.
TEST_F(ExecuteTest, ADependencyReplacedWhileItIsReadIsReadAgain) {
  for (const unsigned replaced : {1u, 2u}) {
    SCOPED_TRACE(replaced);
    FaultStore store;
    std::optional<jug::Task<int>> dep, user;
    const jug::Graph graph = jug::build_graph(
        [&] {
          dep = twice(21);
          user = add(*dep, 1);
        },
        store);
    jug::ExecuteOptions options;
    options.target = "exec_twice";
    ASSERT_EQ(jug::execute(graph, store, options, observer_).executed, 1u);
    store.replace_while_read(graph.hash(dep->node_id()), replaced);
    RecordingObserver observer;
    const jug::ExecuteReport report = jug::execute(graph, store, {}, observer);
    EXPECT_FALSE(report.fatal_error) << *report.fatal_error;
    EXPECT_TRUE(report.failures.empty());
    EXPECT_EQ(result_of(store, graph, *user), 43);
    EXPECT_EQ(report.executed, 1u);
    EXPECT_TRUE(observer.recomputed().empty());
  }
}

// Two threads read one damaged result. The first removes it, and it is
// computed again; the second's read was slow: it answers with the damaged
// bytes only once the good result is stored and the first thread has gone
// on (as a read of a file replaced meanwhile does). The second must see
// that the result was recomputed since, and not remove the good one.
TEST_F(ExecuteTest, ADamagedResultTwoThreadsReadIsComputedAgainOnce) {
  FaultStore store;
  std::optional<jug::Task<int>> dep;
  std::vector<jug::Task<int>> users;
  const jug::Graph graph = jug::build_graph(
      [&] {
        dep = negate(5);
        for (int i = 0; i < 2; ++i) users.push_back(add(*dep, i));
      },
      store);
  jug::ExecuteOptions options;
  options.target = "exec_negate";
  ASSERT_EQ(jug::execute(graph, store, options, observer_).executed, 1u);
  const jug::TaskHash dep_hash = graph.hash(dep->node_id());
  const std::string damaged = "garbage";
  store.inner().put(dep_hash, damaged);

  std::mutex mutex;
  std::condition_variable changed;
  std::thread::id first_reader;
  bool slow_read_begun = false;  // the other thread's read, before the removal
  bool recomputed = false;       // stored again, and a user's lease taken after
  bool dep_put = false;
  const auto wait_for = [&](std::unique_lock<std::mutex>& lock, const bool& flag) {
    EXPECT_TRUE(changed.wait_for(lock, 10s, [&] { return flag; })) << "the race never came";
  };
  store.intercept_get(dep_hash, [&](const auto& inner_get) -> std::optional<std::string> {
    std::unique_lock lock(mutex);
    if (first_reader == std::thread::id{}) first_reader = std::this_thread::get_id();
    if (std::this_thread::get_id() == first_reader || slow_read_begun) {
      lock.unlock();
      return inner_get();
    }
    slow_read_begun = true;
    changed.notify_all();
    wait_for(lock, recomputed);
    return damaged;
  });
  store.before_call(StoreMethod::kRemove, dep_hash, [&](jug::MemoryStore&) {
    std::unique_lock lock(mutex);
    wait_for(lock, slow_read_begun);
  });
  store.before_each_call(StoreMethod::kPut, dep_hash, [&](jug::MemoryStore&) {
    std::lock_guard lock(mutex);
    dep_put = true;
  });
  for (const jug::Task<int>& user : users) {
    // A user's lease taken once the result is stored again: its task is
    // ready, so the result is done in the scheduler's eyes too.
    store.before_each_call(StoreMethod::kAcquire, graph.hash(user.node_id()),
                           [&](jug::MemoryStore&) {
                             std::lock_guard lock(mutex);
                             if (dep_put) recomputed = true;
                             changed.notify_all();
                           });
  }

  RecordingObserver observer;
  options = {};
  options.jobs = 2;
  const jug::ExecuteReport report = jug::execute(graph, store, options, observer);
  EXPECT_FALSE(report.fatal_error) << *report.fatal_error;
  EXPECT_TRUE(report.complete()) << report.done() << " of " << report.selected;
  EXPECT_TRUE(slow_read_begun && recomputed) << "the race did not happen as planned";
  ASSERT_EQ(observer.recomputed().size(), 1u);
  EXPECT_EQ(report.recomputed, 1u);
  EXPECT_EQ(executed_named(report, graph, "exec_negate"), 1u);
  EXPECT_EQ(store.calls(StoreMethod::kRemove), 1u);
  for (int i = 0; i < 2; ++i) EXPECT_EQ(result_of(store, graph, users[i]), -5 + i);
}

// ---- 10. code versions --------------------------------------------------------------

TEST_F(ExecuteTest, BumpingACodeVersionRecomputesExactlyItsTasksAndWhatNeedsThem) {
  // A bug fixed in `scale` (it multiplied by 10, it should by 100): version 2.
  const jug::TaskGenerator scale_v1("exec_scale", [](int x) { return 10 * x; }, {.version = 1});
  const jug::TaskGenerator scale_v2("exec_scale", [](int x) { return 100 * x; }, {.version = 2});
  std::optional<jug::Task<int>> a, b, after_a, other, after_other;
  const auto build_with = [&](const auto& scale) {
    return build([&] {
      a = scale(1);
      b = scale(2);
      after_a = add(*a, 5);
      other = twice(3);
      after_other = negate(*other);
    });
  };
  const jug::Graph first = build_with(scale_v1);
  EXPECT_EQ(run(first, {}).executed, 5u);
  EXPECT_EQ(result_of(store_, first, *after_a), 15);

  const jug::Graph fixed = build_with(scale_v2);
  const jug::ExecuteReport report = run(fixed, {});
  EXPECT_EQ(report.executed, 3u);  // both scale tasks and after_a; not other, after_other
  EXPECT_EQ(executed_named(report, fixed, "exec_scale"), 2u);
  EXPECT_EQ(executed_named(report, fixed, "exec_add"), 1u);
  EXPECT_EQ(report.already_done, 2u);
  EXPECT_EQ(result_of(store_, fixed, *b), 200);
  EXPECT_EQ(result_of(store_, fixed, *after_a), 105);
}

}  // namespace
