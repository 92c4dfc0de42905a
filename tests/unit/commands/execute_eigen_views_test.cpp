/// Tests of Eigen views (include/jug/eigen.hpp): a task whose parameter is
/// an Eigen::Map<const Eigen::MatrixXd>, given a Task<Eigen::MatrixXd>,
/// reads the stored matrix where it lies in the file store, mapped, with
/// its rows and columns; checked whole before the task sees it. A
/// std::span<const double> reads a matrix's elements in storage order. A
/// result computed in the same run, or a small record, is viewed in memory.
/// The big-record size is lowered so that a few hundred KB take the path of
/// several GB.

#include <gtest/gtest.h>

#include <Eigen/Core>

#include <cmath>
#include <cstdint>
#include <fstream>
#include <numeric>
#include <span>
#include <string>
#include <vector>

#include "codec/record.hpp"
#include "commands/execute.hpp"
#include "engine/build_context.hpp"
#include "engine/graph.hpp"
#include "jug/eigen.hpp"
#include "jug/task_generator.hpp"
#include "store/file_store.hpp"
#include "unit/commands/mapped_file_at.hpp"
#include "unit/store/store_test_support.hpp"

namespace {

using jug_test::mapped_file_at;

/// What the last reader saw.
struct Seen {
  int made = 0;
  Eigen::Index rows = -1, cols = -1;
  double sum = 0, element = 0;  // element: (7, 3), its whole part
  std::string mapped_from;      // the file the elements lay in, "" for memory
};
Seen seen;

using RowMajorF = Eigen::Matrix<float, Eigen::Dynamic, Eigen::Dynamic, Eigen::RowMajor>;

/// Element (i, j) is 1000 i + j plus a fraction below a half: where a map
/// got rows and columns mixed up, (7, 3) reads otherwise. The fractions are
/// random bits, so that the record is not compressed (and can be mapped).
template <class M>
M grid(int rows, int cols) {
  M m(rows, cols);
  std::uint64_t x = 88172645463325252ull;
  for (int i = 0; i < rows; ++i) {
    for (int j = 0; j < cols; ++j) {
      x ^= x << 13;
      x ^= x >> 7;
      x ^= x << 17;
      const double fraction = static_cast<double>(x >> 11) * 0x1.0p-54;
      m(i, j) = static_cast<typename M::Scalar>(1000 * i + j + fraction);
    }
  }
  return m;
}

const jug::TaskGenerator make_matrix("make_matrix", [](int rows, int cols) {
  ++seen.made;
  return grid<Eigen::MatrixXd>(rows, cols);
});
const jug::TaskGenerator make_row_major("make_row_major", [](int rows, int cols) {
  ++seen.made;
  return grid<RowMajorF>(rows, cols);
});

template <class Map>
double look_at(const Map& m) {
  seen.rows = m.rows();
  seen.cols = m.cols();
  seen.sum = m.template cast<double>().sum();
  seen.element = std::floor(static_cast<double>(m(7, 3)));
  seen.mapped_from = mapped_file_at(m.data());
  return seen.sum;
}

const jug::TaskGenerator map_sum("map_sum",
                                 [](Eigen::Map<const Eigen::MatrixXd> m) { return look_at(m); });
const jug::TaskGenerator row_major_sum("row_major_sum",
                                       [](Eigen::Map<const RowMajorF> m) { return look_at(m); });
const jug::TaskGenerator span_sum("span_sum", [](std::span<const double> v) {
  seen.sum = std::accumulate(v.begin(), v.end(), 0.0);
  seen.mapped_from = mapped_file_at(v.data());
  return seen.sum;
});
const jug::TaskGenerator maps_sum("maps_sum",
                                  [](const std::vector<Eigen::Map<const Eigen::MatrixXd>>& ms) {
                                    double total = 0;
                                    for (const auto& m : ms) total += look_at(m);
                                    return total;
                                  });

class ExecuteEigenViews : public ::testing::Test {
 protected:
  void SetUp() override {
    jug::record::set_big_record_size(64 * 1024);
    seen = {};
  }
  void TearDown() override { jug::record::set_big_record_size(0); }

  /// Runs `build` (which returns the reader's hash) and removes the
  /// reader's result, so that the next run reads the stored matrix again.
  template <class Build>
  void run(Build build) {
    jug::TaskHash reader;
    const jug::Graph graph = jug::build_graph([&] { reader = build(); }, store_);
    jug::ExecuteObserver observer;
    jug::execute(graph, store_, {}, observer);
    store_.remove(reader);
  }

  /// Runs `build` twice: the second run reads the stored matrix.
  template <class Build>
  void run_twice(Build build) {
    run(build);
    EXPECT_EQ(seen.mapped_from, "") << "computed in this run: the value in memory is viewed";
    run(build);
  }

  jug::store_test::TempDirectory dir_;
  jug::FileStore store_{dir_.path() + "/store"};
};

double grid_sum(int rows, int cols) {
  return grid<Eigen::MatrixXd>(rows, cols).sum();
}

/// Sums of one matrix in another order (a map and the matrix may be added
/// up differently) agree to rounding.
void expect_sum(double sum, double expected) {
  EXPECT_NEAR(sum, expected, 1e-9 * expected);
}

TEST_F(ExecuteEigenViews, AStoredMatrixIsMappedWithItsRowsAndColumns) {
  jug::TaskHash made;
  run_twice([&] {
    const auto m = make_matrix(300, 200);  // 480 KB
    made = m.hash();
    return map_sum(m).hash();
  });
  EXPECT_EQ(seen.made, 1) << "not computed again";
  EXPECT_EQ(seen.mapped_from, store_.location(made));
  EXPECT_EQ(seen.rows, 300);
  EXPECT_EQ(seen.cols, 200);
  EXPECT_EQ(seen.element, 7003);
  expect_sum(seen.sum, grid_sum(300, 200));
}

TEST_F(ExecuteEigenViews, ARowMajorMatrixOfFloatsToo) {
  jug::TaskHash made;
  run_twice([&] {
    const auto m = make_row_major(200, 400);  // 320 KB
    made = m.hash();
    return row_major_sum(m).hash();
  });
  EXPECT_EQ(seen.mapped_from, store_.location(made));
  EXPECT_EQ(seen.rows, 200);
  EXPECT_EQ(seen.cols, 400);
  EXPECT_EQ(seen.element, 7003);
  expect_sum(seen.sum, grid<RowMajorF>(200, 400).cast<double>().sum());
}

TEST_F(ExecuteEigenViews, ASpanReadsAMatrixsElementsInStorageOrder) {
  jug::TaskHash made;
  run_twice([&] {
    const auto m = make_matrix(300, 200);
    made = m.hash();
    return span_sum(m).hash();
  });
  EXPECT_EQ(seen.mapped_from, store_.location(made));
  expect_sum(seen.sum, grid_sum(300, 200));
}

TEST_F(ExecuteEigenViews, MapsInsideAVectorEachGetTheirOwnMatrix) {
  run_twice([&] {
    return maps_sum(std::vector{make_matrix(300, 200), make_matrix(100, 400)}).hash();
  });
  EXPECT_EQ(seen.rows, 100) << "the last one looked at";
  EXPECT_EQ(seen.cols, 400);
  expect_sum(seen.sum, grid_sum(100, 400));
  EXPECT_FALSE(seen.mapped_from.empty());
}

TEST_F(ExecuteEigenViews, ADamagedMatrixIsCaughtBeforeTheTaskSeesIt) {
  jug::TaskHash made;
  const auto build = [&] {
    const auto m = make_matrix(300, 200);
    made = m.hash();
    return map_sum(m).hash();
  };
  run_twice(build);
  ASSERT_EQ(seen.made, 1);
  // A byte of the elements, then of the column count.
  for (const std::uint64_t where : {80ul + 16 + 8 * 1234, 80ul + 8}) {
    SCOPED_TRACE(where);
    {
      std::fstream f(store_.location(made), std::ios::in | std::ios::out | std::ios::binary);
      f.seekg(static_cast<std::streamoff>(where));
      const char byte = static_cast<char>(f.get() ^ 0x10);
      f.seekp(static_cast<std::streamoff>(where));
      f.put(byte);
    }
    const int made_before = seen.made;
    run(build);
    EXPECT_EQ(seen.made, made_before + 1) << "computed again";
    expect_sum(seen.sum, grid_sum(300, 200));
    EXPECT_EQ(seen.cols, 200);
  }
}

TEST_F(ExecuteEigenViews, ASmallMatrixIsReadAsUsual) {
  run_twice([&] { return map_sum(make_matrix(10, 10)).hash(); });
  EXPECT_EQ(seen.rows, 10);
  EXPECT_EQ(seen.element, 7003);
  EXPECT_EQ(seen.mapped_from, "");
}

}  // namespace
