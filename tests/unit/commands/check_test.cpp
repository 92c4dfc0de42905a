/// Tests of `jug check`'s answer (src/commands/check.hpp): finished only when
/// every task is and the jugfile builds past every barrier.

#include "commands/check.hpp"

#include <gtest/gtest.h>

#include <optional>
#include <string>

#include "commands/execute.hpp"
#include "engine/build_context.hpp"
#include "jug/barrier.hpp"
#include "jug/task_generator.hpp"
#include "store/memory_store.hpp"
#include "unit/commands/fault_store.hpp"

namespace {

using jug_test::FaultStore;
using jug_test::StoreMethod;

const jug::TaskGenerator first("check_first", [](int x) { return x + 1; });
const jug::TaskGenerator second("check_second", [](int x) { return 2 * x; });

/// first(1); a barrier; second(value of first).
void jugfile() {
  const jug::Task<int> a = first(1);
  jug::barrier();
  (void)second(jug::value(a));
}

class CheckTest : public ::testing::Test {
 protected:
  std::function<jug::Graph()> build() {
    return [this] { return jug::build_graph(jugfile, store_); };
  }
  void execute(const std::optional<std::string>& target = std::nullopt) {
    jug::ExecuteOptions options;
    options.target = target;
    (void)jug::execute_through_barriers(build(), store_, options, observer_);
  }

  FaultStore store_;
  jug::ExecuteObserver observer_;
};

TEST_F(CheckTest, NothingRunIsNotFinished) { EXPECT_FALSE(jug::computation_finished(build(), store_)); }

TEST_F(CheckTest, EverythingRunPastTheBarrierIsFinished) {
  execute();
  EXPECT_TRUE(jug::computation_finished(build(), store_));
}

TEST_F(CheckTest, TheTasksBeforeABarrierFinishedAreNotEnough) {
  execute("check_first");
  EXPECT_FALSE(jug::computation_finished(build(), store_));
}

// Another worker finishes the last task before the barrier between check's
// building of the graph (stopped there) and its look at the store: every
// task check knows is finished, but the task after the barrier is not.
TEST_F(CheckTest, ALastTaskBeforeTheBarrierFinishedMeanwhileIsNotTheEnd) {
  jug::MemoryStore elsewhere;
  {
    const jug::Graph graph = jug::build_graph(jugfile, elsewhere);
    jug::ExecuteOptions options;
    (void)jug::execute(graph, elsewhere, options, observer_);
  }
  const std::vector<jug::TaskHash> done_elsewhere = elsewhere.list();
  ASSERT_EQ(done_elsewhere.size(), 1u);
  // The first look is the barrier's, while building; the next, status's.
  store_.before_call(StoreMethod::kContainsAll, [&](jug::MemoryStore&) {
    store_.before_call(StoreMethod::kContainsAll, [&](jug::MemoryStore& inner) {
      inner.put(done_elsewhere[0], *elsewhere.get(done_elsewhere[0]));
    });
  });
  EXPECT_FALSE(jug::computation_finished(build(), store_));
  EXPECT_EQ(store_.inner().list().size(), 1u) << "the race did not happen as planned";
}

}  // namespace
