/// Tests of Eigen's matrices as results and arguments (include/jug/eigen.hpp):
/// round trips of every kind (empty, one row, one column, fixed size,
/// row-major, complex, arrays, sparse with and without entries, one over the
/// big-record size); equal matrices encode and hash equally however they
/// were made, a changed element or shape changes the hash; a stored matrix
/// read back as another scalar type is refused; damaged sizes and sparse
/// indices are caught, not handed on.

#include "jug/eigen.hpp"

#include <gtest/gtest.h>

#include <complex>
#include <string>

#include "codec/record.hpp"
#include "jug/errors.hpp"
#include "jug/storable.hpp"
#include "jug/task_generator.hpp"
#include "store/record_io.hpp"
#include "unit/front_end/graph_test_support.hpp"

namespace {

template <class M>
M round_trip(const M& m) {
  return jug::decode<M>(jug::encode(m));
}

template <class M>
void expect_round_trip(const M& m) {
  const M back = round_trip(m);
  ASSERT_EQ(back.rows(), m.rows());
  ASSERT_EQ(back.cols(), m.cols());
  EXPECT_TRUE((back.array() == m.array()).all());
}

template <class S>
void expect_sparse_round_trip(const S& m) {
  const S back = round_trip(m);
  ASSERT_EQ(back.rows(), m.rows());
  ASSERT_EQ(back.cols(), m.cols());
  EXPECT_EQ(back.nonZeros(), m.nonZeros());
  EXPECT_EQ((back - m).norm(), 0);
}

TEST(Eigen, AreStorable) {
  EXPECT_TRUE(jug::detail::storable_v<Eigen::MatrixXd>);
  EXPECT_TRUE((jug::detail::storable_v<std::vector<Eigen::Matrix3f>>));
  EXPECT_TRUE(jug::detail::storable_v<Eigen::SparseMatrix<double>>);
  // An expression is a recipe for a matrix, not one (jug says so).
  using Expression = decltype(Eigen::MatrixXd::Identity(2, 2) * 2.0);
  EXPECT_TRUE(jug::detail::eigen_expression_v<Expression>);
  EXPECT_FALSE(jug::detail::storable_v<Expression>);
  EXPECT_FALSE(jug::detail::eigen_expression_v<Eigen::MatrixXd>);
  EXPECT_FALSE(jug::detail::eigen_expression_v<Eigen::Matrix3f>);
  EXPECT_FALSE(jug::detail::eigen_expression_v<std::vector<double>>);
}

TEST(Eigen, DenseMatricesAndArraysOfEveryKindComeBackEqual) {
  expect_round_trip(Eigen::MatrixXd::Random(7, 5).eval());
  expect_round_trip(Eigen::MatrixXd(0, 0));
  expect_round_trip(Eigen::MatrixXd(0, 4));
  expect_round_trip(Eigen::RowVectorXd::LinSpaced(9, 0, 1).eval());
  expect_round_trip(Eigen::VectorXf::Random(11).eval());
  expect_round_trip(Eigen::Matrix3f::Random().eval());
  expect_round_trip(Eigen::Matrix<double, Eigen::Dynamic, Eigen::Dynamic, Eigen::RowMajor>::Random(4, 6).eval());
  expect_round_trip(Eigen::MatrixXcd::Random(3, 2).eval());
  expect_round_trip(Eigen::ArrayXXi::Random(5, 3).eval());
  expect_round_trip(Eigen::Matrix<long double, 2, 2>::Identity().eval());  // element by element
}

TEST(Eigen, SparseMatricesComeBackEqual) {
  Eigen::SparseMatrix<double> empty(10, 4);
  expect_sparse_round_trip(empty);
  Eigen::SparseMatrix<double> m(50, 30);
  m.insert(3, 1) = 2.5;
  m.insert(49, 29) = -1;
  m.insert(0, 0) = 7;  // built by insert: not compressed
  ASSERT_FALSE(m.isCompressed());
  expect_sparse_round_trip(m);
  Eigen::SparseMatrix<float, Eigen::RowMajor> r(6, 8);
  r.insert(5, 7) = 1.5f;
  expect_sparse_round_trip(r);
  // However it was built, one matrix is one encoding.
  Eigen::SparseMatrix<double> compressed = m;
  compressed.makeCompressed();
  EXPECT_EQ(jug::encode(compressed), jug::encode(m));
}

TEST(Eigen, ABigMatrixTakesTheBigRecordPathAndComesBack) {
  jug::record::set_big_record_size(64 * 1024);
  const Eigen::MatrixXd m = Eigen::MatrixXd::Random(300, 200);  // 480 KB
  const jug::TaskHash hash = jug::TaskHash::of("big matrix");
  const std::string type = typeid(Eigen::MatrixXd).name();
  const jug::RecordBytes record =
      jug::record::make(hash, type, [&](jug::OutputArchive& ar) { ar(m); });
  EXPECT_FALSE(record.whole().has_value()) << "written as it is encoded";
  jug::RecordInMemory source(record.to_string());
  Eigen::MatrixXd back;
  jug::record::read(source, hash, type,
                    [&](jug::InputArchive& ar) { back = jug::decode_from<Eigen::MatrixXd>(ar); });
  EXPECT_EQ(back, m);
  // Read back as another scalar type: refused, not misread.
  EXPECT_THROW(jug::record::read(source, hash, typeid(Eigen::MatrixXf).name(),
                                 [](jug::InputArchive&) {}),
               jug::ResultTypeMismatch);
  jug::record::set_big_record_size(0);
}

const jug::TaskGenerator matrix_trace("eigen_trace",
                                      [](const Eigen::MatrixXd& m) { return m.trace(); });

TEST(Eigen, EqualMatricesHashEquallyAndAChangeChangesTheHash) {
  const Eigen::MatrixXd a = Eigen::MatrixXd::Random(4, 4);
  const Eigen::MatrixXd same = (a * 2.0) / 2.0;  // made otherwise, equal
  ASSERT_EQ(a, same);
  const auto hash = [](const Eigen::MatrixXd& m) {
    return jug_test::hash_of([&] { return matrix_trace(m); });
  };
  EXPECT_EQ(hash(a), hash(same));
  Eigen::MatrixXd changed = a;
  changed(3, 2) += 1e-12;
  EXPECT_NE(hash(a), hash(changed));
  const Eigen::MatrixXd reshaped = a.reshaped(2, 8);
  EXPECT_NE(hash(a), hash(reshaped)) << "same elements, another shape";
}

TEST(Eigen, DamagedSizesAndIndicesAreCaught) {
  // A fixed-size matrix stored with other dimensions.
  EXPECT_THROW(jug::decode<Eigen::Matrix3d>(jug::encode(Eigen::MatrixXd::Zero(2, 3).eval())),
               jug::CorruptRecord);
  // More elements claimed than bytes left.
  std::string bytes = jug::encode(Eigen::MatrixXd::Zero(2, 2).eval());
  bytes[0] = 100;
  EXPECT_THROW(jug::decode<Eigen::MatrixXd>(bytes), jug::CorruptRecord);
  // A sparse index out of range.
  Eigen::SparseMatrix<double> m(5, 5);
  m.insert(4, 4) = 1;
  m.makeCompressed();
  std::string sparse = jug::encode(m);
  // rows, cols, nnz (3 x 8 bytes), outer starts (6 x 4), then the inner index.
  const std::size_t inner_at = 24 + 6 * 4;
  sparse[inner_at] = 9;
  EXPECT_THROW(jug::decode<Eigen::SparseMatrix<double>>(sparse), jug::CorruptRecord);
}

}  // namespace
