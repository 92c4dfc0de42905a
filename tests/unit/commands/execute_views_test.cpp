/// Tests of views of big arrays (include/jug/detail/element_views.hpp): a
/// task whose parameter is a std::span<const T>, given a
/// Task<std::vector<T>>, reads the stored record where it lies in the file
/// store, mapped, with no copy; checked whole before the task sees it; and
/// still the same bytes when the record is removed while the task reads.
/// Elsewhere (a result computed in this run, a compressed record, the
/// memory store, a tasklet) the span shows the value itself. The
/// big-record size is lowered so that a few hundred KB take the path of
/// several GB.

#include <gtest/gtest.h>

#include <cstdint>
#include <cstdio>
#include <fstream>
#include <map>
#include <numeric>
#include <optional>
#include <span>
#include <sstream>
#include <string>
#include <vector>

#include "codec/record.hpp"
#include "commands/execute.hpp"
#include "engine/build_context.hpp"
#include "engine/graph.hpp"
#include "jug/task_generator.hpp"
#include "jug/tasklet.hpp"
#include "store/file_store.hpp"
#include "store/memory_store.hpp"
#include "unit/commands/mapped_file_at.hpp"
#include "unit/store/store_test_support.hpp"

namespace {

using jug_test::mapped_file_at;

constexpr std::size_t kCount = 50'000;  // 400 KB of doubles: a big record here

/// What each run of a task saw, for the tests to check.
struct Seen {
  int produced = 0;
  int consumed = 0;
  double sum = 0;
  std::string mapped_from;  // the file the span lay in, "" for memory
};
Seen seen;

/// Run inside `view_sum` before it reads its span (a record removed, say).
std::function<void()> while_viewing;

std::vector<double> values(long count, bool smooth) {
  // Smooth ones zstd shrinks; else 53 random bits, which it cannot.
  std::vector<double> v(static_cast<std::size_t>(count));
  std::uint64_t x = 88172645463325252ull;
  for (std::size_t i = 0; i < v.size(); ++i) {
    x ^= x << 13;
    x ^= x >> 7;
    x ^= x << 17;
    v[i] = smooth ? static_cast<double>(i % 100) : static_cast<double>(x >> 11);
  }
  return v;
}

double expected_sum(long count, bool smooth) {
  const std::vector<double> v = values(count, smooth);
  return std::accumulate(v.begin(), v.end(), 0.0);
}

const jug::TaskGenerator view_produce("view_produce", [](long count, bool smooth) {
  ++seen.produced;
  return values(count, smooth);
});

const jug::TaskGenerator view_sum("view_sum", [](std::span<const double> v) {
  if (while_viewing) while_viewing();
  ++seen.consumed;
  seen.mapped_from = v.empty() ? "" : mapped_file_at(v.data());
  seen.sum = std::accumulate(v.begin(), v.end(), 0.0);
  return seen.sum;
});

const jug::TaskGenerator view_floats("view_floats", [](long count) {
  std::vector<float> v(static_cast<std::size_t>(count));
  const std::vector<double> random = values(count, false);
  for (std::size_t i = 0; i < v.size(); ++i) v[i] = static_cast<float>(random[i]);
  return v;
});
const jug::TaskGenerator view_float_sum("view_float_sum", [](std::span<const float> v) {
  seen.mapped_from = mapped_file_at(v.data());
  seen.sum = std::accumulate(v.begin(), v.end(), 0.0);
  return seen.sum;
});

/// A tasklet that reads its whole base: the last ten elements.
const jug::TaskletFunction last_ten("last_ten", [](const std::vector<double>& v) {
  return std::vector<double>(v.end() - 10, v.end());
});

/// Views among other arguments, inside a structure: the order of the
/// dependencies must still match (a scale, then the named arrays).
const jug::TaskGenerator view_weighted(
    "view_weighted",
    [](double scale, const std::map<std::string, std::span<const double>>& named, int offset) {
      double total = offset;
      seen.mapped_from.clear();
      for (const auto& [name, v] : named) {
        seen.mapped_from += name + ":" + (mapped_file_at(v.data()).empty() ? "memory" : "file") + " ";
        total += scale * std::accumulate(v.begin(), v.end(), 0.0);
      }
      return total;
    });

class ExecuteViews : public ::testing::Test {
 protected:
  void SetUp() override {
    jug::record::set_big_record_size(64 * 1024);
    seen = {};
    while_viewing = nullptr;
  }
  void TearDown() override {
    jug::record::set_big_record_size(0);
    while_viewing = nullptr;
  }

  template <class Build>
  jug::ExecuteReport run(jug::Store& store, Build build) {
    const jug::Graph graph = jug::build_graph(build, store);
    jug::ExecuteObserver observer;
    return jug::execute(graph, store, {}, observer);
  }

  jug::store_test::TempDirectory dir_;
  jug::FileStore store_{dir_.path() + "/store"};
};

/// Builds `view_sum(view_produce(count, smooth))`, noting both hashes.
struct SumOfArray {
  long count = static_cast<long>(kCount);
  bool smooth = false;
  jug::TaskHash produce_hash, sum_hash;
  void operator()() {
    const auto produced = view_produce(count, smooth);
    produce_hash = produced.hash();
    sum_hash = view_sum(produced).hash();
  }
};

TEST_F(ExecuteViews, AStoredArrayIsReadWhereItLiesInTheRecordFile) {
  SumOfArray build;
  run(store_, std::ref(build));
  ASSERT_EQ(seen.consumed, 1);
  EXPECT_EQ(seen.mapped_from, "") << "computed in this run: the value in memory is viewed";
  EXPECT_EQ(seen.sum, expected_sum(build.count, false));

  // Read back by another run: from the record's file, mapped, no copy.
  store_.remove(build.sum_hash);
  run(store_, std::ref(build));
  ASSERT_EQ(seen.consumed, 2);
  EXPECT_EQ(seen.produced, 1) << "not computed again";
  EXPECT_EQ(seen.mapped_from, store_.location(build.produce_hash));
  EXPECT_EQ(seen.sum, expected_sum(build.count, false));
}

TEST_F(ExecuteViews, TheViewOutlivesTheRemovalOfItsRecord) {
  SumOfArray build;
  run(store_, std::ref(build));
  store_.remove(build.sum_hash);
  // While the task holds its view, the record is invalidated, then
  // replaced by other bytes: the task still reads what it was given.
  while_viewing = [&] {
    store_.remove(build.produce_hash);
    ASSERT_FALSE(store_.contains(build.produce_hash));
    std::vector<double> other(kCount, 1.0);
    store_.put(build.produce_hash,
               jug::record::make(build.produce_hash, typeid(std::vector<double>).name(),
                                 [&](jug::OutputArchive& ar) { ar(other); }));
  };
  run(store_, std::ref(build));
  EXPECT_EQ(seen.sum, expected_sum(build.count, false));
  // Its result file (the new record, small, went to a segment).
  const std::string hex = build.produce_hash.hex();
  const std::string file = store_.root() + "/results/" + hex.substr(0, 2) + "/" + hex.substr(2);
  EXPECT_EQ(seen.mapped_from.rfind(file, 0), 0u)
      << seen.mapped_from << ": the removed file, still mapped";
}

TEST_F(ExecuteViews, ADamagedRecordIsCaughtBeforeTheTaskSeesItAndComputedAgain) {
  SumOfArray build;
  run(store_, std::ref(build));
  store_.remove(build.sum_hash);
  for (const std::uint64_t where : {20ul, 80ul + 8 + 4 * kCount, 80ul + 8 + 8 * kCount - 1}) {
    SCOPED_TRACE(where);
    {
      std::fstream f(store_.location(build.produce_hash),
                     std::ios::in | std::ios::out | std::ios::binary);
      f.seekg(static_cast<std::streamoff>(where));
      const char byte = static_cast<char>(f.get() ^ 0x10);
      f.seekp(static_cast<std::streamoff>(where));
      f.put(byte);
    }
    const int produced = seen.produced;
    const jug::ExecuteReport report = run(store_, std::ref(build));
    EXPECT_EQ(seen.produced, produced + 1) << "computed again";
    EXPECT_EQ(seen.sum, expected_sum(build.count, false)) << "never the damaged bytes";
    EXPECT_TRUE(report.failures.empty());
    store_.remove(build.sum_hash);
  }
}

TEST_F(ExecuteViews, ACompressedRecordIsViewedAsItsValueReadBack) {
  SumOfArray build;
  build.smooth = true;
  run(store_, std::ref(build));
  store_.remove(build.sum_hash);
  run(store_, std::ref(build));
  EXPECT_EQ(seen.produced, 1);
  EXPECT_EQ(seen.sum, expected_sum(build.count, true));
  EXPECT_EQ(seen.mapped_from, "") << "decompressed into memory";
}

TEST_F(ExecuteViews, AStoreWithoutFilesGivesTheValueReadBack) {
  jug::MemoryStore memory;
  SumOfArray build;
  run(memory, std::ref(build));
  memory.remove(build.sum_hash);
  run(memory, std::ref(build));
  EXPECT_EQ(seen.produced, 1);
  EXPECT_EQ(seen.consumed, 2);
  EXPECT_EQ(seen.sum, expected_sum(build.count, false));
}

TEST_F(ExecuteViews, ASmallRecordIsReadAsUsual) {
  SumOfArray build;
  build.count = 100;
  run(store_, std::ref(build));
  store_.remove(build.sum_hash);
  run(store_, std::ref(build));
  EXPECT_EQ(seen.sum, expected_sum(100, false));
  EXPECT_EQ(seen.mapped_from, "");
}

TEST_F(ExecuteViews, OtherElementTypesAreViewedToo) {
  jug::TaskHash sum_hash;
  const auto build = [&] { sum_hash = view_float_sum(view_floats(static_cast<long>(kCount))).hash(); };
  run(store_, build);
  store_.remove(sum_hash);
  run(store_, build);
  EXPECT_NE(seen.mapped_from, "");
  double expected = 0;
  for (double x : values(static_cast<long>(kCount), false)) expected += static_cast<float>(x);
  EXPECT_EQ(seen.sum, expected);
}

TEST_F(ExecuteViews, ViewsInsideAStructureAmongOtherArgumentsGetTheirOwnArrays) {
  jug::TaskHash weighted_hash;
  const auto build = [&] {
    const auto a = view_produce(static_cast<long>(kCount), false);
    const auto b = view_produce(static_cast<long>(kCount) / 2, false);
    std::map<std::string, jug::Task<std::vector<double>>> named{
        {"a", a}, {"b", b}, {"a tail", jug::tasklet(a, last_ten)}};
    weighted_hash = view_weighted(2.0, named, 7).hash();
  };
  const auto expected = [] {
    // In the order the task adds them: the map's, by name.
    const std::vector<double> a = values(static_cast<long>(kCount), false);
    double total = 7;
    total += 2.0 * expected_sum(static_cast<long>(kCount), false);
    total += 2.0 * std::accumulate(a.end() - 10, a.end(), 0.0);
    total += 2.0 * expected_sum(static_cast<long>(kCount) / 2, false);
    return total;
  }();
  const auto stored_value = [&] {
    const jug::Graph graph = jug::build_graph(build, store_);
    jug::CurrentGraph current(graph, store_);
    return jug::value(jug::Task<double>(*graph.find(weighted_hash)));
  };
  run(store_, build);
  EXPECT_EQ(stored_value(), expected);
  EXPECT_EQ(seen.mapped_from, "a:memory a tail:memory b:memory ");
  store_.remove(weighted_hash);
  run(store_, build);
  EXPECT_EQ(stored_value(), expected);
  EXPECT_EQ(seen.mapped_from, "a:file a tail:memory b:file ")
      << "a tasklet's value is computed from its task's whole result";
}

}  // namespace
