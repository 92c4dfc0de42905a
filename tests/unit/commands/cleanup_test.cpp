/// `jug cleanup` (commands/cleanup.hpp): what it removes, and that it removes
/// nothing of a store other jugfiles use too unless told to.

#include "commands/cleanup.hpp"

#include <gtest/gtest.h>

#include <string>

#include "jug/errors.hpp"
#include "jug/task_generator.hpp"
#include "unit/front_end/graph_test_support.hpp"

namespace {

const jug::TaskGenerator twice("cleanup_twice", [](int x) { return 2 * x; });

class CleanupTest : public jug_test::GraphTest {
 protected:
  /// Runs twice(0..n-1), as a jugfile of that many tasks.
  jug::Graph run_jugfile(int n) {
    jug::Graph graph = build([n] {
      for (int i = 0; i < n; ++i) (void)twice(i);
    });
    execute(graph);
    return graph;
  }

  static jug::CleanupOptions as(const std::string& jugfile) {
    jug::CleanupOptions options;
    options.jugfile = jugfile;
    return options;
  }
};

TEST_F(CleanupTest, RemovesWhatNoTaskOwns) {
  run_jugfile(5);
  const jug::Graph smaller = run_jugfile(3);
  store_.note_user("/me/jugfile.cpp");
  const jug::CleanupReport report = jug::cleanup(smaller, store_, as("/me/jugfile.cpp"));
  EXPECT_EQ(report.results_removed, 2u);
  EXPECT_EQ(report.results_kept, 3u);
  EXPECT_TRUE(report.other_jugfiles.empty());
  EXPECT_EQ(store_.list().size(), 3u);
}

TEST_F(CleanupTest, RefusesWhenAnotherJugfileUsesTheStore) {
  run_jugfile(5);
  const jug::Graph smaller = run_jugfile(3);
  store_.note_user("/me/jugfile.cpp");
  store_.note_user("/you/analysis.cpp");
  try {
    jug::cleanup(smaller, store_, as("/me/jugfile.cpp"));
    FAIL() << "expected an error";
  } catch (const jug::Error& e) {
    const std::string message = e.what();
    EXPECT_NE(message.find("is also used by another jugfile:\n  /you/analysis.cpp\n"),
              std::string::npos)
        << message;
    EXPECT_EQ(message.find("/me/jugfile.cpp"), std::string::npos) << "not itself";
    EXPECT_NE(message.find("2 results, 0 leases, 0 failure records"), std::string::npos);
    EXPECT_NE(message.find("--dry-run"), std::string::npos);
    EXPECT_NE(message.find("--also-other-jugfiles"), std::string::npos);
  }
  EXPECT_EQ(store_.list().size(), 5u) << "nothing removed";

  jug::CleanupOptions dry_run = as("/me/jugfile.cpp");
  dry_run.dry_run = true;
  const jug::CleanupReport would = jug::cleanup(smaller, store_, dry_run);
  EXPECT_EQ(would.results_removed, 2u);
  EXPECT_EQ(would.other_jugfiles, std::vector<std::string>{"/you/analysis.cpp"});
  EXPECT_EQ(store_.list().size(), 5u);

  jug::CleanupOptions also = as("/me/jugfile.cpp");
  also.also_other_jugfiles = true;
  EXPECT_EQ(jug::cleanup(smaller, store_, also).results_removed, 2u);
  EXPECT_EQ(store_.list().size(), 3u);
}

TEST_F(CleanupTest, AnotherJugfileWithNothingToRemoveIsNoReasonToRefuse) {
  const jug::Graph graph = run_jugfile(3);
  store_.note_user("/you/analysis.cpp");
  EXPECT_EQ(jug::cleanup(graph, store_, as("/me/jugfile.cpp")).results_removed, 0u);
}

TEST_F(CleanupTest, LocksOnlyAndFailedOnlyAskNothing) {
  const jug::Graph graph = run_jugfile(2);
  store_.note_user("/you/analysis.cpp");
  const jug::TaskHash foreign = jug_test::hash_of([] { return twice(99); });
  store_.put(foreign, "theirs");
  ASSERT_TRUE(store_.acquire(foreign, jug::LeaseOwner{"h", 1, 1, "m"}));
  store_.record_failure(foreign, "boom");

  jug::CleanupOptions locks = as("/me/jugfile.cpp");
  locks.locks_only = true;
  EXPECT_EQ(jug::cleanup(graph, store_, locks).leases_removed, 1u);
  jug::CleanupOptions failed = as("/me/jugfile.cpp");
  failed.failed_only = true;
  EXPECT_EQ(jug::cleanup(graph, store_, failed).failures_removed, 1u);
  EXPECT_TRUE(store_.contains(foreign)) << "results are left alone";
}

}  // namespace
