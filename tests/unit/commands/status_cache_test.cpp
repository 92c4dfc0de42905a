/// Tests of `jug status --cache` (src/commands/status_cache.hpp): the file,
/// refused when damaged or made for another store, graph or removal
/// generation; and a cached status that always says what a plain one says.

#include "commands/status_cache.hpp"

#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>
#include <string>
#include <vector>

#include "commands/execute.hpp"
#include "engine/build_context.hpp"
#include "jug/task_generator.hpp"
#include "store/file_store.hpp"
#include "store/memory_store.hpp"
#include "unit/commands/fault_store.hpp"
#include "unit/store/store_test_support.hpp"

namespace {

using jug::store_test::TempDirectory;

const jug::TaskGenerator cached_square("cached_square", [](int x) { return x * x; });
const jug::TaskGenerator cached_sum("cached_sum", [](const std::vector<int>& xs) {
  int sum = 0;
  for (int x : xs) sum += x;
  return sum;
});

int squares = 10;

void jugfile() {
  std::vector<jug::Task<int>> tasks;
  for (int i = 0; i < squares; ++i) tasks.push_back(cached_square(i));
  (void)cached_sum(tasks);
}

std::string read_bytes(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  return {std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>()};
}

void write_bytes(const std::string& path, const std::string& bytes) {
  std::ofstream(path, std::ios::binary | std::ios::trunc) << bytes;
}

class StatusCacheTest : public ::testing::Test {
 protected:
  StatusCacheTest() { squares = 10; }

  jug::Graph graph() { return jug::build_graph(jugfile, store_); }

  void execute(std::optional<std::string> target = std::nullopt) {
    jug::ExecuteOptions options;
    options.target = std::move(target);
    jug::ExecuteObserver observer;
    (void)jug::execute(graph(), store_, options, observer);
  }

  /// A cached status, checked against a plain one.
  jug::StatusReport cached(jug::Store& store, jug::StatusCacheUse& use) {
    const jug::Graph g = jug::build_graph(jugfile, store);
    use = {};
    jug::StatusReport report = jug::compute_status_cached(g, store, {}, path_, use);
    const jug::StatusReport plain = jug::compute_status(g, store);
    EXPECT_EQ(report.states, plain.states);
    EXPECT_EQ(report.totals, plain.totals);
    return report;
  }
  jug::StatusReport cached(jug::StatusCacheUse& use) { return cached(store_, use); }

  static std::size_t finished(const jug::StatusReport& report) {
    return report.totals[static_cast<int>(jug::TaskState::kFinished)];
  }

  TempDirectory dir_;
  const std::string path_ = dir_.path() + "/status.cache";
  jug::MemoryStore store_;
};

TEST_F(StatusCacheTest, WhatIsWrittenIsReadForTheSameKeyOnly) {
  const jug::Graph g = graph();
  const jug::StatusCacheKey key = jug::status_cache_key(g, store_, "token-1");
  std::vector<bool> finished(g.size());
  finished[0] = finished[3] = finished[10] = true;
  jug::write_status_cache(path_, key, finished);
  EXPECT_EQ(jug::read_status_cache(path_, key), finished);

  jug::StatusCacheKey other = key;
  other.token = "token-2";
  EXPECT_EQ(jug::read_status_cache(path_, other), std::nullopt) << "results removed since";
  other = key;
  other.store = "file store at /elsewhere";
  EXPECT_EQ(jug::read_status_cache(path_, other), std::nullopt) << "another store";
  squares = 11;
  EXPECT_EQ(jug::read_status_cache(path_, jug::status_cache_key(graph(), store_, "token-1")),
            std::nullopt)
      << "another graph";
  EXPECT_EQ(jug::read_status_cache(dir_.path() + "/missing", key), std::nullopt);
}

TEST_F(StatusCacheTest, ADamagedFileIsNotRead) {
  const jug::Graph g = graph();
  const jug::StatusCacheKey key = jug::status_cache_key(g, store_, "token");
  jug::write_status_cache(path_, key, std::vector<bool>(g.size(), true));
  const std::string good = read_bytes(path_);
  for (std::size_t at = 0; at < good.size(); ++at) {
    std::string bad = good;
    bad[at] = static_cast<char>(bad[at] ^ 0x10);
    write_bytes(path_, bad);
    EXPECT_EQ(jug::read_status_cache(path_, key), std::nullopt) << "byte " << at << " flipped";
  }
  for (std::size_t size : {std::size_t{0}, std::size_t{5}, good.size() - 1}) {
    write_bytes(path_, good.substr(0, size));
    EXPECT_EQ(jug::read_status_cache(path_, key), std::nullopt) << "cut to " << size;
  }
  write_bytes(path_, good + "x");
  EXPECT_EQ(jug::read_status_cache(path_, key), std::nullopt) << "one byte too many";
}

TEST_F(StatusCacheTest, FinishedTasksAreTakenFromTheCacheWhileNothingWasRemoved) {
  jug::StatusCacheUse use;
  cached(use);
  EXPECT_EQ(use.not_used, "there is no status cache at " + path_ + " yet");
  EXPECT_TRUE(std::filesystem::exists(path_)) << "made, with nothing finished";

  execute("cached_square");
  EXPECT_EQ(finished(cached(use)), 10u);
  EXPECT_EQ(use.taken, 0u);
  EXPECT_EQ(use.not_used, "");
  EXPECT_EQ(finished(cached(use)), 10u);
  EXPECT_EQ(use.taken, 10u);

  execute();
  EXPECT_EQ(finished(cached(use)), 11u);
  EXPECT_EQ(use.taken, 10u);
  EXPECT_EQ(use.not_written, "");
}

TEST_F(StatusCacheTest, AfterARemovalEveryTaskIsLookedUpAgain) {
  execute();
  jug::StatusCacheUse use;
  cached(use);
  ASSERT_TRUE(store_.remove(graph().hash(4)));
  store_.removals_done();
  EXPECT_EQ(finished(cached(use)), 10u);
  EXPECT_EQ(use.taken, 0u);
  EXPECT_NE(use.not_used.find("results were removed since"), std::string::npos) << use.not_used;
  EXPECT_EQ(finished(cached(use)), 10u);
  EXPECT_EQ(use.taken, 10u);
}

TEST_F(StatusCacheTest, WhileAResultIsBeingRemovedEveryTaskIsLookedUp) {
  jug::FileStore store(dir_.path() + "/store");
  jug::ExecuteObserver observer;
  (void)jug::execute(jug::build_graph(jugfile, store), store, {}, observer);
  jug::StatusCacheUse use;
  cached(store, use);
  EXPECT_EQ(finished(cached(store, use)), 11u);
  EXPECT_EQ(use.taken, 11u);
  // Removed, and the remover not done yet (or killed): the token is as it was.
  ASSERT_TRUE(store.remove(jug::build_graph(jugfile, store).hash(4)));
  EXPECT_EQ(finished(cached(store, use)), 10u);
  EXPECT_EQ(use.taken, 0u);
  EXPECT_NE(use.not_used.find("results are being removed, by pid"), std::string::npos)
      << use.not_used;
  store.removals_done();
  EXPECT_EQ(finished(cached(store, use)), 10u);
  EXPECT_NE(use.not_used.find("results were removed since"), std::string::npos) << use.not_used;
}

TEST_F(StatusCacheTest, AStoreThatCannotTellIsAlwaysLookedUpAndNothingIsWritten) {
  jug_test::FaultStore store;  // says nothing of its removals
  jug::ExecuteObserver observer;
  (void)jug::execute(jug::build_graph(jugfile, store), store, {}, observer);
  jug::StatusCacheUse use;
  EXPECT_EQ(finished(cached(store, use)), 11u);
  EXPECT_EQ(use.taken, 0u);
  EXPECT_NE(use.not_used.find("cannot tell whether results were removed"), std::string::npos)
      << use.not_used;
  EXPECT_FALSE(std::filesystem::exists(path_));
}

TEST_F(StatusCacheTest, ACacheThatCannotBeWrittenIsSaidAndTheStatusStands) {
  execute();
  jug::StatusCacheUse use;
  const jug::Graph g = graph();
  const jug::StatusReport report = jug::compute_status_cached(
      g, store_, {}, dir_.path() + "/no such directory/status.cache", use);
  EXPECT_EQ(finished(report), 11u);
  EXPECT_NE(use.not_written.find("no such directory/status.cache"), std::string::npos)
      << use.not_written;
  EXPECT_NE(use.not_written.find("No such file or directory"), std::string::npos)
      << use.not_written;
}

}  // namespace
