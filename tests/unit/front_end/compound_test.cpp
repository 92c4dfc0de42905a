/// Tests of compound tasks and jug::cached_function (include/jug/compound.hpp):
/// when the inner tasks are built, what runs, what is reused, and what the
/// compound's hash depends on.

#include "jug/compound.hpp"

#include <gtest/gtest.h>

#include <atomic>
#include <functional>
#include <optional>
#include <string>
#include <vector>

#include "commands/execute.hpp"
#include "engine/build_context.hpp"
#include "engine/graph.hpp"
#include "jug/mapreduce.hpp"
#include "jug/task_generator.hpp"
#include "store/memory_store.hpp"
#include "unit/front_end/graph_test_support.hpp"

namespace {

/// A node's dependencies, to compare with a vector.
std::vector<jug::NodeId> dependencies_of(const jug::Graph& graph, jug::NodeId id) {
  const std::span<const jug::NodeId> ids = graph.node(id).dependencies();
  return {ids.begin(), ids.end()};
}


std::atomic<int> square_runs{0};
std::atomic<int> compound_builds{0};
std::atomic<int> size_runs{0};

const jug::TaskGenerator square("cp_square", [](int x) {
  ++square_runs;
  return x * x;
});
const jug::TaskGenerator add("cp_add", [](int a, int b) { return a + b; });
const jug::TaskGenerator dataset_size("cp_dataset_size", [](const std::string& name) {
  ++size_runs;
  return static_cast<int>(name.size());
});
const jug::TaskGenerator pair_of("cp_pair_of", [](int a) { return std::vector<int>{a, a + 1}; });

/// The sum of the squares of 0..n-1, as a sub-pipeline.
const jug::CompoundTaskGenerator sum_of_squares("cp_sum_of_squares", [](int n) {
  ++compound_builds;
  std::vector<int> inputs;
  for (int i = 0; i < n; ++i) inputs.push_back(i);
  return jug::reduce(add, jug::map(square, inputs, {.map_step = 1}));
});

/// The same inner tasks under another name: shares their results.
const jug::CompoundTaskGenerator also_sum_of_squares("cp_also_sum_of_squares", [](int n) {
  std::vector<int> inputs;
  for (int i = 0; i < n; ++i) inputs.push_back(i);
  return jug::reduce(add, jug::map(square, inputs, {.map_step = 1}));
});

/// Returns a tasklet, and takes a task.
const jug::CompoundTaskGenerator second_of("cp_second_of",
                                           [](const jug::Task<int>& t) { return pair_of(t)[1]; });

class CompoundTest : public jug_test::GraphTest {
 protected:
  void SetUp() override {
    square_runs = 0;
    compound_builds = 0;
    size_runs = 0;
  }
};

TEST_F(CompoundTest, InnerTasksRunOnceThenAreNotEvenBuilt) {
  std::optional<jug::Task<int>> total;
  auto jugfile = [&] { total = sum_of_squares(10); };
  {
    const jug::Graph graph = build(jugfile);
    EXPECT_EQ(compound_builds.load(), 1);
    // 10 squares, 2 reduce tasks (8 + 2), 1 more to fold them, the compound.
    EXPECT_EQ(graph.size(), 14u);
    const jug::ExecuteReport report = execute(graph);
    EXPECT_EQ(report.executed, 14u);
    EXPECT_EQ(value(graph, *total), 285);
    EXPECT_EQ(graph.name(total->node_id()), "cp_sum_of_squares");
  }
  const jug::Graph graph = build(jugfile);
  EXPECT_EQ(compound_builds.load(), 1) << "the stored compound result: its function is not called";
  EXPECT_EQ(graph.size(), 1u);
  EXPECT_EQ(value(graph, *total), 285);
  EXPECT_EQ(execute(graph).executed, 0u);
}

TEST_F(CompoundTest, InnerTasksAreReusedByALaterRun) {
  std::optional<jug::Task<int>> first, second;
  {
    const jug::Graph graph = build([&] { first = sum_of_squares(6); });
    execute(graph);
  }
  EXPECT_EQ(square_runs.load(), 6);
  // Another compound building the same inner tasks: only its own result is
  // stored anew.
  const jug::Graph graph = build([&] { second = also_sum_of_squares(6); });
  const jug::ExecuteReport report = execute(graph);
  EXPECT_EQ(report.executed, 1u);
  EXPECT_EQ(square_runs.load(), 6);
  EXPECT_EQ(value(graph, *second), 55);
}

TEST_F(CompoundTest, ItsResultMayBeATaskletAndItsArgumentsTasks) {
  std::optional<jug::Task<int>> second;
  const jug::Graph graph = build([&] { second = second_of(add(2, 3)); });
  execute(graph);
  EXPECT_EQ(value(graph, *second), 6);
  std::optional<jug::Task<int>> argument;
  const jug::Graph again = build([&] {
    argument = add(2, 3);
    second = second_of(*argument);
  });
  EXPECT_EQ(again.size(), 2u) << "add(2, 3) and the stored compound";
  EXPECT_EQ(value(again, *second), 6);
  // Still downstream of its argument, for invalidate and status.
  EXPECT_EQ(dependencies_of(again, second->node_id()),
            std::vector<jug::NodeId>{argument->node_id()});
}

TEST_F(CompoundTest, ADamagedStoredResultIsComputedAgainByExecute) {
  std::optional<jug::Task<int>> total;
  auto jugfile = [&] { total = sum_of_squares(10); };
  execute(build(jugfile));
  std::optional<jug::TaskHash> hash;
  build([&] { hash = sum_of_squares(10).hash(); });
  store_.put(*hash, "damaged");
  EXPECT_EQ(build(jugfile).size(), 1u) << "status and the like only look for the record";
  // Execute's build checks it, removes it and builds the inner tasks.
  const jug::Graph graph = jug::build_graph(jugfile, store_, jug::BuildMode::kRepairResults);
  EXPECT_EQ(graph.size(), 14u);
  EXPECT_FALSE(store_.contains(*hash));
  EXPECT_EQ(execute(graph).executed, 1u) << "only the compound's copy: the inner tasks are done";
  EXPECT_EQ(value(graph, *total), 285);
}

TEST_F(CompoundTest, ItsHashCoversNameArgumentsAndVersion) {
  using jug_test::hash_of;
  const jug::CompoundTaskGenerator v2("cp_sum_of_squares", [](int n) { return square(n); },
                                      {.version = 2});
  const jug::TaskHash base = hash_of([] { return sum_of_squares(3); });
  EXPECT_EQ(base, hash_of([] { return sum_of_squares(3); }));
  EXPECT_NE(base, hash_of([] { return sum_of_squares(4); }));
  EXPECT_NE(base, hash_of([] { return also_sum_of_squares(3); }));
  EXPECT_NE(base, hash_of([&] { return v2(3); }));
  EXPECT_NE(hash_of([] { return second_of(add(2, 3)); }),
            hash_of([] { return second_of(add(3, 2)); }));
}

TEST_F(CompoundTest, CachedFunctionRunsWhileBuildingOnlyOnce) {
  std::vector<int> sizes;
  auto jugfile = [&] { sizes.push_back(jug::cached_function(dataset_size, "abcdef")); };
  {
    const jug::Graph graph = build(jugfile);
    EXPECT_EQ(graph.size(), 1u) << "its task stays in the graph";
    EXPECT_EQ(execute(graph).executed, 0u) << "and is done already";
  }
  const jug::Graph graph = build(jugfile);
  EXPECT_EQ(sizes, (std::vector<int>{6, 6}));
  EXPECT_EQ(size_runs.load(), 1);
}

TEST_F(CompoundTest, CachedFunctionOfTasksNeedsThemDone) {
  auto jugfile = [&] { (void)jug::cached_function(square, add(1, 2)); };
  EXPECT_THROW(build(jugfile), jug::Error);
  execute(build([] { (void)add(1, 2); }));
  int nine = 0;
  build([&] { nine = jug::cached_function(square, add(1, 2)); });
  EXPECT_EQ(nine, 9);

  // A damaged input stops the graph there (execute would compute it
  // again), rather than failing every command.
  std::optional<jug::TaskHash> input;
  build([&] { input = add(1, 2).hash(); });
  store_.put(*input, "damaged");
  const jug::Graph stopped = build([] { (void)jug::cached_function(add, add(1, 2), 5); });
  ASSERT_TRUE(stopped.stopped_at());
  EXPECT_NE(stopped.stopped_at()->find("the value of cp_add"), std::string::npos);
}

}  // namespace
