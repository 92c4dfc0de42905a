/// `jug invalidate` (commands/invalidate.hpp): which results it removes (the
/// matched tasks and everything downstream of them, nothing else), what it
/// counts, that it clears their failures, and that it removes downstream
/// first, so that an invalidate cut short never leaves a result whose input
/// is gone (it would be reused as if still right).

#include "commands/invalidate.hpp"

#include <gtest/gtest.h>

#include <string>
#include <vector>

#include "commands/execute.hpp"
#include "engine/build_context.hpp"
#include "jug/barrier.hpp"
#include "jug/errors.hpp"
#include "jug/task_generator.hpp"
#include "unit/commands/fault_store.hpp"

namespace {

using jug_test::FaultStore;
using jug_test::StoreMethod;

const jug::TaskGenerator load("inval.load", [](int x) { return x; });
const jug::TaskGenerator clean("inval.clean", [](int x) { return x + 1; });
const jug::TaskGenerator summarize("inval.summarize", [](const std::vector<int>& xs) {
  int sum = 0;
  for (int x : xs) sum += x;
  return sum;
});
const jug::TaskGenerator other("inval.other", [](int x) { return -x; });

/// load(i) → clean → summarize(all cleans); and other(i), unrelated.
void pipeline() {
  std::vector<jug::Task<int>> cleaned;
  for (int i = 0; i < 3; ++i) cleaned.push_back(clean(load(i)));
  (void)summarize(cleaned);
  for (int i = 0; i < 2; ++i) (void)other(i);
}

class InvalidateTest : public ::testing::Test {
 protected:
  jug::Graph run(const std::function<void()>& jugfile) {
    jug::Graph graph = jug::build_graph(jugfile, store_);
    jug::ExecuteObserver quiet;
    EXPECT_TRUE(jug::execute(graph, store_, jug::ExecuteOptions{}, quiet).complete());
    return graph;
  }

  /// The names of the tasks whose results are stored, in graph order.
  std::vector<std::string> stored(const jug::Graph& graph) {
    std::vector<std::string> names;
    for (jug::NodeId id = 0; id < graph.size(); ++id) {
      if (store_.inner().contains(graph.hash(id))) names.push_back(graph.name(id));
    }
    return names;
  }

  FaultStore store_;
};

TEST_F(InvalidateTest, RemovesTheMatchedTasksAndEverythingDownstreamOnly) {
  const jug::Graph graph = run(pipeline);
  const jug::InvalidateReport report = jug::invalidate(graph, store_, "inval.clean");
  EXPECT_EQ(report.matched, 3u);
  EXPECT_EQ(report.affected, 4u);  // 3 cleans + summarize
  EXPECT_EQ(report.removed, 4u);
  EXPECT_EQ(stored(graph), (std::vector<std::string>{"inval.load", "inval.load", "inval.load",
                                                    "inval.other", "inval.other"}));
  std::size_t per_name_total = 0;
  for (std::size_t i = 0; i < graph.names().size(); ++i) {
    const std::string& name = graph.names()[i];
    const std::size_t expected = name == "inval.clean" ? 3 : name == "inval.summarize" ? 1 : 0;
    EXPECT_EQ(report.removed_per_name[i], expected) << name;
    per_name_total += report.removed_per_name[i];
  }
  EXPECT_EQ(per_name_total, report.removed);
}

TEST_F(InvalidateTest, ReachesDownstreamThroughEveryLevel) {
  const jug::Graph graph = run(pipeline);
  const jug::InvalidateReport report = jug::invalidate(graph, store_, "/^inval.lo/");
  EXPECT_EQ(report.matched, 3u);
  EXPECT_EQ(report.affected, 7u);  // load, clean, summarize
  EXPECT_EQ(stored(graph), (std::vector<std::string>{"inval.other", "inval.other"}));
}

TEST_F(InvalidateTest, CountsAffectedTasksWithoutResultsButRemovesNoneOfThem) {
  const jug::Graph graph = run(pipeline);
  // Summarize's result is gone already: it is affected, but not removed.
  jug::NodeId summarize_id = 0;
  for (jug::NodeId id = 0; id < graph.size(); ++id) {
    if (graph.name(id) == "inval.summarize") summarize_id = id;
  }
  store_.inner().remove(graph.hash(summarize_id));
  const jug::InvalidateReport report = jug::invalidate(graph, store_, "inval.clean");
  EXPECT_EQ(report.affected, 4u);
  EXPECT_EQ(report.removed, 3u);
}

TEST_F(InvalidateTest, ClearsTheFailuresOfWhatItInvalidates) {
  const jug::Graph graph = run(pipeline);
  for (jug::NodeId id = 0; id < graph.size(); ++id) {
    store_.inner().record_failure(graph.hash(id), "failed before");
  }
  (void)jug::invalidate(graph, store_, "inval.clean");
  for (jug::NodeId id = 0; id < graph.size(); ++id) {
    const bool affected = graph.name(id) == "inval.clean" || graph.name(id) == "inval.summarize";
    EXPECT_EQ(store_.inner().failure(graph.hash(id)).has_value(), !affected) << graph.name(id);
  }
}

TEST_F(InvalidateTest, RemovesDownstreamFirst) {
  const jug::Graph graph = run(pipeline);
  // The store fails when it comes to the first load: what was removed by
  // then must be everything downstream of it, and it must still be there.
  jug::NodeId first_load = 0;
  while (graph.name(first_load) != "inval.load") ++first_load;
  store_.fail_on(StoreMethod::kRemove, 1, graph.hash(first_load));
  EXPECT_THROW(jug::invalidate(graph, store_, "inval.load"), jug::StoreError);
  EXPECT_TRUE(store_.inner().contains(graph.hash(first_load)));
  for (jug::NodeId id = 0; id < graph.size(); ++id) {
    if (graph.name(id) == "inval.clean" || graph.name(id) == "inval.summarize") {
      EXPECT_FALSE(store_.inner().contains(graph.hash(id))) << graph.name(id) << " survived";
    }
  }
}

TEST_F(InvalidateTest, ADottedPatternIsTheWholeName) {
  const jug::Graph graph = run(pipeline);
  EXPECT_EQ(jug::invalidate(graph, store_, "inval.summarize").removed, 1u);
  EXPECT_THROW(jug::invalidate(graph, store_, "val.summarize"), jug::Error);
  // A bare word matches the part after the last dot.
  EXPECT_EQ(jug::invalidate(graph, store_, "other").removed, 2u);
}

TEST_F(InvalidateTest, APatternThatMatchesNothingIsAnError) {
  const jug::Graph graph = run(pipeline);
  try {
    jug::invalidate(graph, store_, "nosuchtask");
    FAIL() << "expected an error";
  } catch (const jug::Error& e) {
    EXPECT_NE(std::string(e.what()).find("no task matches the target nosuchtask"),
              std::string::npos)
        << e.what();
  }
  EXPECT_EQ(stored(graph).size(), graph.size()) << "nothing removed";
}

const jug::TaskGenerator before_barrier("inval.before", [](int x) { return x; });
const jug::TaskGenerator after_barrier("inval.after", [](int x) { return 2 * x; });

/// Stops at its barrier until inval.before is done.
void with_barrier() {
  const jug::Task<int> first = before_barrier(1);
  jug::barrier();
  (void)after_barrier(jug::value(first));
}

TEST_F(InvalidateTest, OnAGraphStoppedAtABarrierSaysTheTasksAfterItAreNotKnownYet) {
  const jug::Graph stopped = jug::build_graph(with_barrier, store_);
  ASSERT_TRUE(stopped.stopped_at());
  try {
    jug::invalidate(stopped, store_, "inval.after");
    FAIL() << "expected an error";
  } catch (const jug::Error& e) {
    const std::string message = e.what();
    EXPECT_NE(message.find("among the tasks known so far"), std::string::npos) << message;
    EXPECT_NE(message.find("until the tasks before it are done"), std::string::npos) << message;
  }
  // The tasks before it are known, and can be invalidated.
  jug::ExecuteObserver quiet;
  ASSERT_TRUE(jug::execute(stopped, store_, jug::ExecuteOptions{}, quiet).complete());
  EXPECT_EQ(jug::invalidate(stopped, store_, "inval.before").removed, 1u);
}

}  // namespace
