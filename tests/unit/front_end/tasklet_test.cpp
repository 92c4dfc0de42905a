/// Tests of tasklets (include/jug/tasklet.hpp) and jug::identity: the views
/// a jugfile takes of a task's result, run through `execute` on a memory
/// store as a user's jugfile would be: what values reach the tasks, what is
/// stored (nothing for a tasklet), and what the hashes depend on.

#include "jug/tasklet.hpp"

#include <gtest/gtest.h>

#include <array>
#include <functional>
#include <map>
#include <optional>
#include <string>
#include <tuple>
#include <utility>
#include <vector>

#include "commands/execute.hpp"
#include "engine/build_context.hpp"
#include "engine/graph.hpp"
#include "jug/identity.hpp"
#include "jug/task_generator.hpp"
#include "store/memory_store.hpp"
#include "unit/front_end/graph_test_support.hpp"

namespace {

/// A node's dependencies, to compare with a vector.
std::vector<jug::NodeId> dependencies_of(const jug::Graph& graph, jug::NodeId id) {
  const std::span<const jug::NodeId> ids = graph.node(id).dependencies();
  return {ids.begin(), ids.end()};
}


const jug::TaskGenerator one_two_three("tl_one_two_three", [] { return std::vector<int>{1, 2, 3}; });
const jug::TaskGenerator add("tl_add", [](int a, int b) { return a + b; });
const jug::TaskGenerator sum("tl_sum", [](const std::vector<int>& v) {
  int total = 0;
  for (int x : v) total += x;
  return total;
});
const jug::TaskGenerator counts("tl_counts", [](const std::string& text) {
  std::map<std::string, int> out;
  for (char c : text) ++out[std::string(1, c)];
  return out;
});
const jug::TaskGenerator mean_and_spread("tl_mean_and_spread", [](const std::vector<int>& v) {
  const int lo = v.front(), hi = v.back();
  return std::make_tuple((lo + hi) / 2.0, hi - lo, std::string("ok"));
});
const jug::TaskGenerator name_and_age("tl_name_and_age",
                                      [] { return std::make_pair(std::string("ada"), 36); });
const jug::TaskGenerator three_squares("tl_three_squares",
                                       [] { return std::array<int, 3>{1, 4, 9}; });
const jug::TaskGenerator greeting("tl_greeting", [] { return std::string("hello"); });
const jug::TaskGenerator shout("tl_shout", [](std::string s) { return s + "!"; });
const jug::TaskGenerator flags("tl_flags", [] { return std::vector<bool>{true, false}; });
const jug::TaskGenerator negate("tl_negate", [](bool b) { return !b; });

const jug::TaskletFunction plus_one("plus_one", [](int x) { return x + 1; });
const jug::TaskletFunction size_of("size_of", [](const auto& v) { return v.size(); });
const jug::TaskletFunction times_two("times_two", [](int x) { return 2 * x; });

class TaskletTest : public jug_test::GraphTest {};

std::string u64_bytes(std::uint64_t v) {
  std::string out(8, '\0');
  for (int i = 0; i < 8; ++i) out[i] = static_cast<char>((v >> (8 * i)) & 0xff);
  return out;
}

TEST_F(TaskletTest, ChainOfTaskletsAndATaskBetweenThem) {
  // jug's own test: t[0] + t[2], then +1 twice.
  std::optional<jug::Task<int>> total, plus_two;
  const jug::Graph graph = build([&] {
    auto t = one_two_three();
    total = add(t[0], t[2]);
    plus_two = jug::tasklet(jug::tasklet(*total, plus_one), plus_one);
  });
  EXPECT_EQ(graph.size(), 2u) << "tasklets are not tasks: only one_two_three and add run";
  const jug::ExecuteReport report = execute(graph);
  EXPECT_EQ(report.executed, 2u);
  EXPECT_TRUE(report.failures.empty());
  EXPECT_EQ(value(graph, *total), 4);
  EXPECT_EQ(value(graph, *plus_two), 6);
  EXPECT_EQ(store_.list().size(), 2u) << "a tasklet's view is never stored";
}

TEST_F(TaskletTest, TaskletsDependOnTheTaskTheyRead) {
  std::optional<jug::Task<int>> total;
  const jug::Graph graph = build([&] {
    auto t = one_two_three();
    total = add(jug::tasklet(t[1], plus_one), t[2]);
  });
  ASSERT_EQ(graph.size(), 2u);
  const jug::NodeId add_node = total->node_id();
  EXPECT_EQ(dependencies_of(graph, add_node), (std::vector<jug::NodeId>{0, 0}));
  execute(graph);
  EXPECT_EQ(value(graph, *total), 6);
}

TEST_F(TaskletTest, HashIsTheTasksHashPlusWhatItSelects) {
  const jug::TaskHash base = jug_test::hash_of([] { return one_two_three(); });
  const jug::TaskHash first = jug_test::hash_of([] { return one_two_three()[0]; });
  const std::string index_key = u64_bytes(0);
  const std::string bytes = "jug-tasklet-1" +
                            std::string(reinterpret_cast<const char*>(base.bytes.data()), 32) +
                            u64_bytes(5) + "index" + u64_bytes(8) + index_key;
  EXPECT_EQ(first, jug::TaskHash::of(bytes)) << "docs/hashing.md gives these bytes";
  EXPECT_NE(first, base);
  EXPECT_EQ(first, jug_test::hash_of([] { return one_two_three()[0]; })) << "the same on every build";
  EXPECT_EQ(first, jug_test::hash_of([] { return one_two_three()[std::size_t{0}]; }))
      << "the index's integer type does not matter";
  EXPECT_NE(first, jug_test::hash_of([] { return one_two_three()[2]; }));
  EXPECT_NE(jug_test::hash_of([] { return jug::tasklet(one_two_three()[0], plus_one); }),
            jug_test::hash_of([] { return jug::tasklet(one_two_three()[0], times_two); }))
      << "the function's name is part of the hash";
  const jug::TaskletFunction plus_one_v2("plus_one", [](int x) { return x + 1; },
                                         {.version = 2});
  EXPECT_NE(jug_test::hash_of([] { return jug::tasklet(one_two_three()[0], plus_one); }),
            jug_test::hash_of([&] { return jug::tasklet(one_two_three()[0], plus_one_v2); }))
      << "and so is its version";
  EXPECT_NE(jug_test::hash_of([] { return add(1, 2); }),
            jug_test::hash_of([] { return add(one_two_three()[0], 2); }));
}

TEST_F(TaskletTest, ATaskletsHashFollowsItsTasksArguments) {
  EXPECT_NE(jug_test::hash_of([] { return counts("abc")["a"]; }), jug_test::hash_of([] { return counts("abd")["a"]; }));
  EXPECT_NE(jug_test::hash_of([] { return counts("abc")["a"]; }), jug_test::hash_of([] { return counts("abc")["b"]; }));
}

TEST_F(TaskletTest, MapValueByKey) {
  std::optional<jug::Task<int>> a, b;
  const jug::Graph graph = build([&] {
    auto c = counts("abracadabra");
    a = c["a"];
    b = add(c["b"], c[std::string("r")]);
  });
  execute(graph);
  EXPECT_EQ(value(graph, *a), 5);
  EXPECT_EQ(value(graph, *b), 4);
}

TEST_F(TaskletTest, AMissingKeyOrIndexFailsTheTaskThatUsesItWithAMessage) {
  std::optional<jug::Task<int>> no_key, no_index, fine, read_out_of_range;
  const jug::Graph graph = build([&] {
    read_out_of_range = one_two_three()[7];
    no_key = add(counts("abc")["z"], 1);
    no_index = add(one_two_three()[5], 1);
    fine = add(one_two_three()[2], 1);
  });
  const jug::ExecuteReport report = execute(graph, keep_going());
  ASSERT_EQ(report.failures.size(), 2u);
  std::map<jug::NodeId, std::string> messages;
  for (const auto& f : report.failures) messages[f.id] = f.message;
  EXPECT_NE(messages[no_key->node_id()].find("no key \"z\""), std::string::npos)
      << messages[no_key->node_id()];
  EXPECT_NE(messages[no_index->node_id()].find("index 5 is out of range of a result of 3"),
            std::string::npos)
      << messages[no_index->node_id()];
  EXPECT_EQ(value(graph, *fine), 4);
  EXPECT_THROW((void)value(graph, *read_out_of_range), jug::Error);
}

TEST_F(TaskletTest, NegativeIndexIsRefusedWhenTheGraphIsBuilt) {
  EXPECT_THROW(build([] { (void)one_two_three()[-1]; }), jug::Error);
}

TEST_F(TaskletTest, PartsOfTuplesAndPairs) {
  std::optional<jug::Task<double>> mean;
  std::optional<jug::Task<int>> spread, age;
  std::optional<jug::Task<std::string>> status, name;
  const jug::Graph graph = build([&] {
    auto [m, s, st] = jug::iteratetask<3>(mean_and_spread(std::vector<int>{2, 9}));
    mean = m;
    spread = s;
    status = shout(st);
    auto person = name_and_age();
    name = jug::get<0>(person);
    age = add(jug::get<1>(person), 1);
  });
  EXPECT_EQ(graph.size(), 4u);
  execute(graph);
  EXPECT_DOUBLE_EQ(value(graph, *mean), 5.5);
  EXPECT_EQ(value(graph, *spread), 7);
  EXPECT_EQ(value(graph, *status), "ok!");
  EXPECT_EQ(value(graph, *name), "ada");
  EXPECT_EQ(value(graph, *age), 37);
}

TEST_F(TaskletTest, IterateTaskOverArraysAndVectors) {
  std::optional<jug::Task<int>> total;
  std::optional<jug::Task<int>> third;
  const jug::Graph graph = build([&] {
    auto [one, four, nine] = jug::iteratetask<3>(three_squares());
    total = add(add(one, four), nine);
    auto parts = jug::iteratetask<3>(one_two_three());
    third = parts[2];
  });
  execute(graph);
  EXPECT_EQ(value(graph, *total), 14);
  EXPECT_EQ(value(graph, *third), 3);
}

TEST_F(TaskletTest, SlicesAreVectorsAndClampLikePython) {
  std::optional<jug::Task<std::vector<int>>> middle, tail, none;
  std::optional<jug::Task<std::string>> hel;
  std::optional<jug::Task<int>> summed;
  const jug::Graph graph = build([&] {
    auto t = one_two_three();
    middle = jug::slice(t, 1, 3);
    tail = jug::slice(t, 1, 100);
    none = jug::slice(t, 5, 9);
    summed = sum(jug::slice(t, 0, 2));
    hel = shout(jug::slice(greeting(), 0, 3));
  });
  execute(graph);
  EXPECT_EQ(value(graph, *middle), (std::vector<int>{2, 3}));
  EXPECT_EQ(value(graph, *tail), (std::vector<int>{2, 3}));
  EXPECT_EQ(value(graph, *none), std::vector<int>{});
  EXPECT_EQ(value(graph, *summed), 3);
  EXPECT_EQ(value(graph, *hel), "hel!");
}

TEST_F(TaskletTest, VectorsOfTaskletsAreArgumentsLikeVectorsOfTasks) {
  std::optional<jug::Task<int>> total;
  std::optional<jug::Task<std::size_t>> n;
  const jug::Graph graph = build([&] {
    auto t = one_two_three();
    total = sum(std::vector{t[0], t[1], jug::tasklet(t[2], plus_one)});
    n = jug::tasklet(t, size_of);
  });
  execute(graph);
  EXPECT_EQ(value(graph, *total), 7);
  EXPECT_EQ(value(graph, *n), 3u);
}

TEST_F(TaskletTest, ElementsOfAVectorOfBool) {
  std::optional<jug::Task<bool>> second;
  const jug::Graph graph = build([&] { second = negate(flags()[1]); });
  execute(graph);
  EXPECT_TRUE(value(graph, *second));
}

TEST_F(TaskletTest, MadeOutsideTheBuildFunctionIsAnError) {
  std::optional<jug::Task<std::vector<int>>> t;
  const jug::Graph graph = build([&] { t = one_two_three(); });
  jug::CurrentGraph current(graph, store_);
  EXPECT_THROW((void)(*t)[0], jug::Error);
}

TEST_F(TaskletTest, IdentityStoresAValueAndCopiesATask) {
  std::optional<jug::Task<int>> five, copy;
  std::optional<jug::Task<std::string>> text;
  const jug::Graph graph = build([&] {
    five = jug::identity(5);
    copy = jug::identity(add(*five, 1));
    text = jug::identity(std::string("x"));
  });
  EXPECT_EQ(graph.size(), 4u);
  execute(graph);
  EXPECT_EQ(value(graph, *five), 5);
  EXPECT_EQ(value(graph, *copy), 6);
  EXPECT_EQ(value(graph, *text), "x");
  EXPECT_EQ(graph.name(five->node_id()), "jug.identity");
}

TEST_F(TaskletTest, IdentityHashesTheValueAndItsType) {
  int five = 5;
  const int& five_ref = five;
  EXPECT_EQ(jug_test::hash_of([] { return jug::identity(5); }), jug_test::hash_of([&] { return jug::identity(five_ref); }));
  EXPECT_NE(jug_test::hash_of([] { return jug::identity(5); }), jug_test::hash_of([] { return jug::identity(6); }));
  EXPECT_NE(jug_test::hash_of([] { return jug::identity(1); }), jug_test::hash_of([] { return jug::identity(1.0f); }))
      << "equal bytes, different types";
  // An int and an int& in one graph are one task, not two generators under one name.
  const jug::Graph graph = build([&] {
    (void)jug::identity(5);
    (void)jug::identity(five);
  });
  EXPECT_EQ(graph.size(), 1u);
}

}  // namespace
