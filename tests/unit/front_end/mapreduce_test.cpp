/// Tests of jug::mapreduce, jug::map, jug::currymap and jug::reduce
/// (include/jug/mapreduce.hpp): the tasks they make (jug's grouping), the
/// values they give, in order, and what happens with no input or a failing
/// mapper.

#include "jug/mapreduce.hpp"

#include <gtest/gtest.h>

#include <atomic>
#include <functional>
#include <map>
#include <optional>
#include <stdexcept>
#include <string>
#include <tuple>
#include <vector>

#include "commands/execute.hpp"
#include "engine/build_context.hpp"
#include "engine/graph.hpp"
#include "jug/task_generator.hpp"
#include "store/memory_store.hpp"
#include "unit/front_end/graph_test_support.hpp"

namespace {

std::atomic<int> square_calls{0};

const jug::TaskGenerator square("mr_square", [](int x) {
  ++square_calls;
  return x * x;
});
const jug::TaskGenerator add("mr_add", [](int a, int b) { return a + b; });
const jug::TaskGenerator concat("mr_concat", [](std::string a, const std::string& b) { return a + b; });
const jug::TaskGenerator letter("mr_letter", [](int i) { return std::string(1, static_cast<char>('a' + i)); });
const jug::TaskGenerator scaled("mr_scaled", [](int x, int factor) { return x * factor; });
const jug::TaskGenerator inverse("mr_inverse", [](int x) {
  if (x == 0) throw std::domain_error("no inverse of 0");
  return 1000 / x;
});
using Counts = std::map<std::string, int>;
const jug::TaskGenerator count_letters("mr_count_letters", [](const std::string& word) {
  Counts out;
  for (char c : word) ++out[std::string(1, c)];
  return out;
});
const jug::TaskGenerator merge_counts("mr_merge_counts", [](Counts a, const Counts& b) {
  for (const auto& [k, v] : b) a[k] += v;
  return a;
});

class MapReduceTest : public jug_test::GraphTest {
 protected:
  void SetUp() override { square_calls = 0; }

  std::size_t tasks_named(const jug::Graph& graph, const std::string& name) {
    std::size_t n = 0;
    for (jug::NodeId id = 0; id < graph.size(); ++id) n += graph.name(id) == name;
    return n;
  }

};

std::vector<int> zero_to(int n) {
  std::vector<int> out;
  for (int i = 0; i < n; ++i) out.push_back(i);
  return out;
}

TEST_F(MapReduceTest, SumOfSquaresInJugsGrouping) {
  std::optional<jug::Task<int>> total;
  const jug::Graph graph = build([&] {
    total = jug::mapreduce(add, square, zero_to(20), {.map_step = 4, .reduce_step = 2});
  });
  // 20 inputs, 4 per map task: 5 map tasks; reduce 2 at a time: 3, 2, 1.
  EXPECT_EQ(tasks_named(graph, "jug.mapreduce.map"), 5u);
  EXPECT_EQ(tasks_named(graph, "jug.mapreduce.reduce"), 6u);
  EXPECT_EQ(graph.size(), 11u) << "the mapper's own tasks are not made";
  const jug::ExecuteReport report = execute(graph);
  EXPECT_TRUE(report.complete());
  EXPECT_EQ(value(graph, *total), 2470);
  EXPECT_EQ(square_calls.load(), 20);
}

TEST_F(MapReduceTest, ResultsAreFoldedInInputOrder) {
  std::optional<jug::Task<std::string>> word;
  std::optional<jug::Task<std::string>> reduced;
  const jug::Graph graph = build([&] {
    word = jug::mapreduce(concat, letter, zero_to(26), {.map_step = 3, .reduce_step = 4});
    reduced = jug::reduce(concat, std::vector<std::string>{"x", "y", "z", "w", "v"},
                          {.reduce_step = 2});
  });
  execute(graph);
  EXPECT_EQ(value(graph, *word), "abcdefghijklmnopqrstuvwxyz");
  EXPECT_EQ(value(graph, *reduced), "xyzwv");
}

TEST_F(MapReduceTest, FewInputsMakeOneMapTaskAndNoReduce) {
  std::optional<jug::Task<int>> total;
  const jug::Graph graph = build([&] { total = jug::mapreduce(add, square, zero_to(3)); });
  EXPECT_EQ(graph.size(), 1u);
  execute(graph);
  EXPECT_EQ(value(graph, *total), 5);
}

TEST_F(MapReduceTest, InputsMayBeTasksAndTheMapperIsAlsoUsedDirectly) {
  std::optional<jug::Task<int>> total, direct;
  const jug::Graph graph = build([&] {
    std::vector<jug::Task<int>> inputs;
    for (int i = 1; i <= 6; ++i) inputs.push_back(add(i, 0));
    total = jug::mapreduce(add, square, inputs, {.map_step = 2});
    direct = square(inputs[0]);
  });
  execute(graph);
  EXPECT_EQ(value(graph, *total), 1 + 4 + 9 + 16 + 25 + 36);
  EXPECT_EQ(value(graph, *direct), 1);
}

TEST_F(MapReduceTest, WordCountOverMaps) {
  std::optional<jug::Task<Counts>> counts;
  const jug::Graph graph = build([&] {
    counts = jug::mapreduce(merge_counts, count_letters,
                            std::vector<std::string>{"banana", "bandana", "nab"},
                            {.map_step = 2});
  });
  execute(graph);
  EXPECT_EQ(value(graph, *counts), (Counts{{"a", 7}, {"b", 3}, {"d", 1}, {"n", 5}}));
}

TEST_F(MapReduceTest, EmptyInputGivesTheEmptyResult) {
  std::optional<jug::Task<Counts>> counts;
  std::optional<jug::Task<int>> total, reduced;
  std::vector<jug::Task<int>> mapped;
  const jug::Graph graph = build([&] {
    counts = jug::mapreduce(merge_counts, count_letters, std::vector<std::string>{});
    total = jug::mapreduce(add, square, std::vector<int>{});
    reduced = jug::reduce(add, std::vector<jug::Task<int>>{});
    mapped = jug::map(square, std::vector<int>{});
  });
  execute(graph);
  EXPECT_EQ(value(graph, *counts), Counts{});
  EXPECT_EQ(value(graph, *total), 0);
  EXPECT_EQ(value(graph, *reduced), 0);
  EXPECT_TRUE(mapped.empty());
}

TEST_F(MapReduceTest, MapGivesOneResultPerInput) {
  std::vector<jug::Task<int>> by_three, one_each;
  std::optional<jug::Task<int>> total;
  std::optional<jug::TaskHash> mapped;
  const jug::Graph graph = build([&] {
    by_three = jug::map(square, zero_to(7), {.map_step = 3});
    one_each = jug::map(square, zero_to(7), {.map_step = 1});
    mapped = one_each[4].hash();
    total = jug::reduce(add, by_three, {.reduce_step = 3});
  });
  EXPECT_EQ(tasks_named(graph, "jug.map"), 3u);
  EXPECT_EQ(tasks_named(graph, "mr_square"), 7u) << "map_step 1 makes the mapper's own tasks";
  ASSERT_EQ(by_three.size(), 7u);
  ASSERT_EQ(one_each.size(), 7u);
  jug::MemoryStore other;
  std::optional<jug::TaskHash> direct;
  jug::build_graph([&] { direct = square(4).hash(); }, other);
  EXPECT_EQ(*mapped, *direct) << "the same task as calling the mapper";
  execute(graph);
  for (int i = 0; i < 7; ++i) {
    EXPECT_EQ(value(graph, by_three[i]), i * i);
    EXPECT_EQ(value(graph, one_each[i]), i * i);
  }
  EXPECT_EQ(value(graph, *total), 91);
}

TEST_F(MapReduceTest, CurrymapUnpacksTuplesOfValuesAndTasks) {
  std::vector<jug::Task<int>> products, one_each;
  const jug::Graph graph = build([&] {
    std::vector<std::tuple<jug::Task<int>, int>> inputs;
    for (int i = 1; i <= 5; ++i) inputs.emplace_back(square(i), 10 * i);
    products = jug::currymap(scaled, inputs, {.map_step = 2});
    one_each = jug::currymap(scaled, std::vector<std::pair<int, int>>{{2, 3}, {4, 5}},
                             {.map_step = 1});
  });
  execute(graph);
  ASSERT_EQ(products.size(), 5u);
  for (int i = 1; i <= 5; ++i) EXPECT_EQ(value(graph, products[i - 1]), i * i * 10 * i);
  EXPECT_EQ(value(graph, one_each[0]), 6);
  EXPECT_EQ(value(graph, one_each[1]), 20);
}

TEST_F(MapReduceTest, AFailingMapperWithKeepGoingFailsOneMapTaskAndBlocksTheReduce) {
  std::optional<jug::Task<int>> total;
  const jug::Graph graph = build([&] {
    // 0 is the third of 12 inputs: the first map task (of 4) fails.
    std::vector<int> inputs{5, 4, 0, 2, 1, 8, 10, 20, 25, 40, 50, 100};
    total = jug::mapreduce(add, inverse, inputs, {.map_step = 4, .reduce_step = 8});
  });
  const jug::ExecuteReport report = execute(graph, keep_going());
  ASSERT_EQ(report.failures.size(), 1u);
  EXPECT_NE(report.failures[0].message.find("no inverse of 0"), std::string::npos);
  EXPECT_EQ(graph.name(report.failures[0].id), "jug.mapreduce.map");
  EXPECT_EQ(report.executed, 2u) << "the other two map tasks ran";
  EXPECT_EQ(report.blocked, 1u) << "the reduce needs the failed one";
  jug::CurrentGraph current(graph, store_);
  EXPECT_THROW((void)jug::value(*total), jug::ValueNotAvailable);
}

TEST_F(MapReduceTest, TheMappersAndReducersNamesAndVersionsAreHashed) {
  const jug::TaskGenerator square_v2("mr_square", [](int x) { return x * x; }, {.version = 2});
  const jug::TaskGenerator add_again("mr_add_again", [](int a, int b) { return a + b; });
  using jug_test::hash_of;
  const jug::TaskHash plain = hash_of([] { return jug::mapreduce(add, square, zero_to(3)); });
  EXPECT_EQ(plain, hash_of([] { return jug::mapreduce(add, square, zero_to(3)); }));
  EXPECT_NE(plain, hash_of([&] { return jug::mapreduce(add, square_v2, zero_to(3)); }));
  EXPECT_NE(plain, hash_of([&] { return jug::mapreduce(add_again, square, zero_to(3)); }));
  EXPECT_NE(plain, hash_of([] { return jug::mapreduce(add, square, zero_to(4)); }));
}

TEST_F(MapReduceTest, InputsOfDifferentTypesStandingForTheSameValuesAreOneTask) {
  std::optional<jug::Task<Counts>> from_literals, from_strings;
  const jug::Graph graph = build([&] {
    from_literals = jug::mapreduce(merge_counts, count_letters, std::vector<const char*>{"ab", "b"});
    from_strings = jug::mapreduce(merge_counts, count_letters, std::vector<std::string>{"ab", "b"});
  });
  EXPECT_EQ(from_literals->node_id(), from_strings->node_id());
  execute(graph);
  EXPECT_EQ(value(graph, *from_strings), (Counts{{"a", 1}, {"b", 2}}));
}

TEST_F(MapReduceTest, AZeroStepIsAnError) {
  EXPECT_THROW(build([] { (void)jug::mapreduce(add, square, zero_to(3), {.map_step = 0}); }),
               jug::Error);
  EXPECT_THROW(build([] { (void)jug::reduce(add, zero_to(3), {.reduce_step = 0}); }), jug::Error);
}

}  // namespace
