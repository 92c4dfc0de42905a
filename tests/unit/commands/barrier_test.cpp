/// Tests of graphs that depend on results (include/jug/barrier.hpp): where
/// building stops, how `execute` goes past barriers by building again
/// (execute_through_barriers), and what `status` sees of a graph that stops.

#include "jug/barrier.hpp"

#include <gtest/gtest.h>

#include <atomic>
#include <functional>
#include <optional>
#include <stdexcept>
#include <string>
#include <vector>

#include "commands/execute.hpp"
#include "commands/status.hpp"
#include "engine/build_context.hpp"
#include "engine/graph.hpp"
#include "engine/results.hpp"
#include "jug/compound.hpp"
#include "jug/errors.hpp"
#include "jug/task_generator.hpp"
#include "store/memory_store.hpp"

namespace {

std::atomic<int> step_runs{0};

const jug::TaskGenerator small("bar_small", [](int i) { return 1 + i % 3; });
const jug::TaskGenerator product("bar_product", [](const std::vector<int>& values) {
  long long p = 1;
  for (int v : values) p *= v;
  return p;
});
const jug::TaskGenerator step("bar_step", [](int x) {
  ++step_runs;
  return 2 * x + 1;
});
const jug::TaskGenerator fails_on("bar_fails_on", [](int x, int bad) {
  if (x == bad) throw std::runtime_error("bad input " + std::to_string(x));
  return x;
});

class BarrierTest : public ::testing::Test {
 protected:
  void SetUp() override { step_runs = 0; }

  /// As `jug execute` runs it; `observer` (default: one that does nothing)
  /// is told what happens.
  jug::ExecuteOutcome run(const std::function<void()>& jugfile, jug::ExecuteOptions options = {},
                          jug::ExecuteObserver* observer = nullptr) {
    return jug::execute_through_barriers(
        [&] { return jug::build_graph(jugfile, store_, jug::BuildMode::kRepairResults); }, store_,
        options, observer ? *observer : observer_);
  }

  jug::MemoryStore store_;
  jug::ExecuteObserver observer_;
};

/// jug's own test: a map over 20 inputs, a barrier, then a product of their
/// values (which only exist once the barrier is passed).
struct MapBarrierProduct {
  std::optional<jug::Task<long long>> total;
  std::vector<int> seen_after_barrier;
  void operator()() {
    std::vector<jug::Task<int>> parts;
    for (int i = 0; i < 20; ++i) parts.push_back(small(i));
    jug::barrier();
    seen_after_barrier.clear();
    for (const auto& p : parts) seen_after_barrier.push_back(jug::value(p));
    total = product(seen_after_barrier);
  }
};

TEST_F(BarrierTest, BuildingStopsAtABarrierUntilTheTasksBeforeItAreDone) {
  MapBarrierProduct jugfile;
  const jug::Graph graph = jug::build_graph(std::ref(jugfile), store_);
  EXPECT_EQ(graph.size(), 20u);
  ASSERT_TRUE(graph.stopped_at());
  EXPECT_NE(graph.stopped_at()->find("the barrier at barrier_test.cpp:"), std::string::npos)
      << *graph.stopped_at();
  EXPECT_TRUE(jugfile.seen_after_barrier.empty()) << "nothing after the barrier ran";

  const jug::StatusReport status = jug::compute_status(graph, store_);
  EXPECT_EQ(status.states.size(), 20u);
  EXPECT_EQ(status.totals[static_cast<int>(jug::TaskState::kReady)], 20u);
}

TEST_F(BarrierTest, ExecuteGoesPastTheBarrierAndFinishes) {
  MapBarrierProduct jugfile;
  const jug::ExecuteOutcome outcome = run(std::ref(jugfile));
  EXPECT_EQ(outcome.barriers_passed, 1u);
  EXPECT_FALSE(outcome.graph.stopped_at());
  ASSERT_EQ(outcome.graph.size(), 21u);
  EXPECT_EQ(outcome.report.executed, 21u);
  EXPECT_EQ(outcome.report.selected, 21u);
  EXPECT_EQ(outcome.report.already_done, 0u) << "tasks run in the first round count as executed";
  EXPECT_TRUE(outcome.report.complete());
  long long expected = 1;
  for (int i = 0; i < 20; ++i) expected *= 1 + i % 3;
  jug::CurrentGraph current(outcome.graph, store_);
  EXPECT_EQ(jug::value(*jugfile.total), expected);

  // Per-name counts cover both rounds.
  EXPECT_EQ(outcome.executed_per_name,
            (std::vector<std::pair<std::string, std::size_t>>{{"bar_small", 20},
                                                              {"bar_product", 1}}));

  // A second execute builds past the barrier at once and runs nothing.
  const jug::ExecuteOutcome again = run(std::ref(jugfile));
  EXPECT_EQ(again.barriers_passed, 0u);
  EXPECT_EQ(again.report.executed, 0u);
  EXPECT_EQ(again.report.already_done, 21u);
}

TEST_F(BarrierTest, BarriersInALoopEachRoundBuiltFromTheLastOnesValue) {
  // Each round's task depends on the previous round's *value* (not on its
  // task), so each round needs the graph built again.
  std::vector<int> values_seen;
  auto jugfile = [&] {
    values_seen.clear();
    int x = 0;
    for (int round = 0; round < 5; ++round) {
      x = jug::bvalue(step(x));
      values_seen.push_back(x);
    }
  };
  const jug::ExecuteOutcome outcome = run(jugfile);
  EXPECT_EQ(outcome.barriers_passed, 5u);
  EXPECT_EQ(values_seen, (std::vector<int>{1, 3, 7, 15, 31}));
  EXPECT_EQ(step_runs.load(), 5) << "each round's task ran once";
  EXPECT_EQ(outcome.graph.size(), 5u);
  EXPECT_EQ(outcome.report.executed, 5u);
  EXPECT_FALSE(outcome.graph.stopped_at());
}

TEST_F(BarrierTest, BvalueWaitsOnlyForItsOwnTask) {
  auto jugfile = [&] {
    auto other = small(7);
    auto first = step(1);
    (void)other;
    (void)small(jug::bvalue(first));
  };
  {
    const jug::Graph graph = jug::build_graph(jugfile, store_);
    EXPECT_EQ(graph.size(), 2u);
    ASSERT_TRUE(graph.stopped_at());
    EXPECT_NE(graph.stopped_at()->find("jug::bvalue(bar_step) at barrier_test.cpp:"),
              std::string::npos)
        << *graph.stopped_at();
  }
  // Only `first` done: building goes past bvalue though `other` is not.
  const jug::Graph partial = jug::build_graph(jugfile, store_);
  jug::save_result(store_, partial, 1, partial.node(1).body->run({}), {});
  const jug::Graph graph = jug::build_graph(jugfile, store_);
  EXPECT_FALSE(graph.stopped_at());
  EXPECT_EQ(graph.size(), 3u);
}

TEST_F(BarrierTest, AFailureBeforeTheBarrierStopsThereWithTheFailureReported) {
  std::optional<jug::Task<int>> after;
  auto jugfile = [&] {
    std::vector<jug::Task<int>> xs;
    for (int i = 0; i < 4; ++i) xs.push_back(fails_on(i, 2));
    jug::barrier();
    after = step(3);
  };
  jug::ExecuteOptions options;
  options.keep_going = true;
  const jug::ExecuteOutcome outcome = run(jugfile, options);
  EXPECT_EQ(outcome.barriers_passed, 0u);
  ASSERT_TRUE(outcome.graph.stopped_at());
  EXPECT_EQ(outcome.graph.size(), 4u);
  ASSERT_EQ(outcome.report.failures.size(), 1u);
  EXPECT_NE(outcome.report.failures[0].message.find("bad input 2"), std::string::npos);
  EXPECT_EQ(outcome.report.executed, 3u);
  EXPECT_EQ(step_runs.load(), 0);
}

TEST_F(BarrierTest, ATargetBeyondTheBarrierIsExplained) {
  auto jugfile = [&] {
    (void)small(1);
    jug::barrier();
    (void)step(2);
  };
  jug::ExecuteOptions options;
  options.target = "bar_step";
  try {
    run(jugfile, options);
    FAIL() << "expected an error";
  } catch (const jug::Error& e) {
    EXPECT_NE(std::string(e.what()).find("matches none of the tasks known so far"),
              std::string::npos)
        << e.what();
    EXPECT_NE(std::string(e.what()).find("the barrier at barrier_test.cpp:"), std::string::npos);
  }
}

TEST_F(BarrierTest, ATargetBeforeTheBarrierRunsOnlyItsTasks) {
  auto jugfile = [&] {
    (void)small(1);
    (void)step(5);
    jug::barrier();
    (void)step(6);
  };
  jug::ExecuteOptions options;
  options.target = "bar_small";
  const jug::ExecuteOutcome outcome = run(jugfile, options);
  EXPECT_EQ(outcome.report.executed, 1u);
  EXPECT_TRUE(outcome.graph.stopped_at()) << "bar_step(5) was not selected, so the barrier holds";
  EXPECT_EQ(step_runs.load(), 0);
}

TEST_F(BarrierTest, TwoBarriersInARow) {
  std::vector<long long> totals;
  auto jugfile = [&] {
    totals.clear();
    std::vector<jug::Task<int>> a;
    for (int i = 0; i < 3; ++i) a.push_back(small(i));
    jug::barrier();
    std::vector<jug::Task<int>> b;
    for (const auto& t : a) b.push_back(step(jug::value(t)));
    jug::barrier();
    std::vector<int> values;
    for (const auto& t : b) values.push_back(jug::value(t));
    totals.push_back(jug::value(a[0]) + values[2]);
  };
  const jug::ExecuteOutcome outcome = run(jugfile);
  EXPECT_EQ(outcome.barriers_passed, 2u);
  EXPECT_EQ(totals, (std::vector<long long>{1 + 7}));
}

TEST_F(BarrierTest, ACorruptResultReadWhileBuildingIsComputedAgainByExecute) {
  std::vector<int> seen;
  auto jugfile = [&] {
    seen.clear();
    int x = 0;
    for (int round = 0; round < 3; ++round) {
      x = jug::bvalue(step(x));
      seen.push_back(x);
    }
  };
  run(jugfile);
  ASSERT_EQ(step_runs.load(), 3);
  // Damage the second round's result.
  std::optional<jug::TaskHash> second;
  jug::build_graph([&] { second = step(1).hash(); }, store_);
  store_.put(*second, "not a record");

  // A command that changes nothing stops there, naming the task, and
  // leaves the result alone.
  {
    const jug::Graph graph = jug::build_graph(jugfile, store_);
    ASSERT_TRUE(graph.stopped_at());
    EXPECT_NE(graph.stopped_at()->find("the value of bar_step"), std::string::npos)
        << *graph.stopped_at();
    EXPECT_NE(graph.stopped_at()->find("unreadable (jug execute computes it again)"),
              std::string::npos);
    EXPECT_TRUE(store_.contains(*second));
  }
  // Execute removes it, stops there, computes it again, and goes on.
  const jug::ExecuteOutcome outcome = run(jugfile);
  EXPECT_EQ(seen, (std::vector<int>{1, 3, 7}));
  EXPECT_EQ(step_runs.load(), 4) << "only the damaged task ran again";
  EXPECT_EQ(outcome.barriers_passed, 1u);
  EXPECT_FALSE(outcome.graph.stopped_at());
}

TEST_F(BarrierTest, ABuildFunctionThatSwallowsTheStopIsAnError) {
  auto jugfile = [&] {
    int n = 0;
    try {
      n = jug::bvalue(step(1));
    } catch (...) {
      // what a jugfile must not do: n stays 0, and the graph would be wrong
    }
    (void)step(n + 100);
  };
  try {
    jug::build_graph(jugfile, store_);
    FAIL() << "expected an error";
  } catch (const jug::Error& e) {
    EXPECT_NE(std::string(e.what()).find("went on after a barrier stopped it"), std::string::npos)
        << e.what();
  }
}

TEST_F(BarrierTest, ACompoundTaskCollapsingBetweenRoundsStillCountsItsInnerTasks) {
  // The first round runs a compound's inner tasks; once it is stored, the
  // next round's graph has only its node. Counts cover both rounds.
  const jug::CompoundTaskGenerator sum_of_steps("bar_sum_of_steps", [](int n) {
    std::vector<jug::Task<int>> steps;
    for (int i = 0; i < n; ++i) steps.push_back(step(i));
    return product(steps);
  });
  std::vector<long long> seen;
  auto jugfile = [&] {
    seen.clear();
    long long p = jug::bvalue(sum_of_steps(4));
    seen.push_back(p);
    for (int i = 0; i < 3; ++i) p = jug::bvalue(step(static_cast<int>(p % 1000) + i));
    seen.push_back(p);
  };
  const jug::ExecuteOutcome outcome = run(jugfile);
  EXPECT_FALSE(outcome.graph.stopped_at());
  EXPECT_EQ(outcome.barriers_passed, 4u);
  // 4 steps, the product, the compound, then 3 more steps.
  EXPECT_EQ(outcome.report.executed, 9u);
  EXPECT_EQ(outcome.report.selected, 9u);
  EXPECT_TRUE(outcome.report.complete());
  std::size_t listed = 0;
  for (const auto& [name, n] : outcome.executed_per_name) listed += n;
  EXPECT_EQ(listed, 9u) << "the inner tasks' names are listed though the last graph lacks them";
  ASSERT_EQ(seen.size(), 2u);
  EXPECT_EQ(seen[0], 1LL * 3 * 5 * 7);
}

/// Runs `between_rounds` on the store each time execute has built the
/// graph past a barrier, before it runs the new round: what another worker,
/// or a user, may do meanwhile.
class BetweenRounds final : public jug::ExecuteObserver {
 public:
  explicit BetweenRounds(std::function<void(const jug::Graph& before, const jug::Graph& after)> f)
      : between_rounds_(std::move(f)) {}
  void barrier_passed(const jug::Graph& before, const jug::Graph& after, std::size_t) override {
    between_rounds_(before, after);
  }

 private:
  std::function<void(const jug::Graph&, const jug::Graph&)> between_rounds_;
};

/// What the summary says adds up: executed + before this run + by other
/// workers - recomputed = done.
void expect_parts_add_up(const jug::ExecuteReport& r) {
  EXPECT_EQ(r.executed + r.already_done + r.done_elsewhere - r.recomputed, r.done());
  EXPECT_LE(r.already_done + r.done_elsewhere, r.selected);
  EXPECT_LE(r.done(), r.selected);
}

TEST_F(BarrierTest, ATaskAfterTheBarrierDoneByAnotherWorkerMeanwhileIsNotDoneBeforeThisRun) {
  MapBarrierProduct jugfile;
  BetweenRounds other_worker([&](const jug::Graph& before, const jug::Graph& after) {
    for (jug::NodeId id = 0; id < after.size(); ++id) {
      if (!before.find(after.hash(id))) {
        jug::save_result(store_, after, id, after.node(id).body->run({}), {});
      }
    }
  });
  const jug::ExecuteOutcome outcome = run(std::ref(jugfile), {}, &other_worker);
  ASSERT_FALSE(outcome.graph.stopped_at());
  const jug::ExecuteReport& r = outcome.report;
  EXPECT_EQ(r.selected, 21u);
  EXPECT_EQ(r.executed, 20u);
  EXPECT_EQ(r.already_done, 0u) << "the store was empty when the run began";
  EXPECT_EQ(r.done_elsewhere, 1u) << "the product, done by the other worker";
  EXPECT_TRUE(r.complete());
  expect_parts_add_up(r);
}

TEST_F(BarrierTest, AResultRemovedBetweenRoundsIsRunAgainAndCountedOnce) {
  MapBarrierProduct jugfile;
  BetweenRounds remover([&](const jug::Graph& before, const jug::Graph&) {
    store_.remove(before.hash(0));  // say, a cleanup of another jugfile
  });
  const jug::ExecuteOutcome outcome = run(std::ref(jugfile), {}, &remover);
  ASSERT_FALSE(outcome.graph.stopped_at());
  const jug::ExecuteReport& r = outcome.report;
  EXPECT_EQ(r.selected, 21u);
  EXPECT_EQ(r.executed, 22u) << "bar_small(0) ran twice";
  EXPECT_EQ(r.recomputed, 1u);
  EXPECT_EQ(r.done(), 21u) << "21 of 21 done, not 22 of 21";
  expect_parts_add_up(r);
}

TEST_F(BarrierTest, TasksAfterTheBarrierDoneBeforeThisRunAreCountedSo) {
  std::optional<jug::TaskHash> first;
  auto jugfile = [&] {
    std::vector<jug::Task<int>> a;
    for (int i = 0; i < 3; ++i) a.push_back(small(i));
    first = a[0].hash();
    jug::barrier();
    std::vector<jug::Task<int>> b;
    for (const auto& t : a) b.push_back(step(jug::value(t)));
    jug::barrier();
    (void)small(jug::value(b[2]) + 10);
  };
  run(jugfile);
  ASSERT_TRUE(first);
  // As after `jug invalidate` of what comes before the first barrier only:
  // the graph stops there, though most of what follows is done.
  store_.remove(*first);
  const jug::ExecuteOutcome outcome = run(jugfile);
  EXPECT_EQ(outcome.barriers_passed, 1u) << "the second round's graph is whole";
  const jug::ExecuteReport& r = outcome.report;
  EXPECT_EQ(r.selected, 7u);
  EXPECT_EQ(r.executed, 1u);
  EXPECT_EQ(r.already_done, 6u);
  EXPECT_EQ(r.done_elsewhere, 0u);
  expect_parts_add_up(r);
}

TEST_F(BarrierTest, BarrierOutsideTheBuildFunctionIsAnError) {
  EXPECT_THROW(jug::barrier(), jug::Error);
}

}  // namespace
