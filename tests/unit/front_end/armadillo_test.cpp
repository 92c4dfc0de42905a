/// Tests of Armadillo's matrices as results and arguments
/// (include/jug/armadillo.hpp): round trips of every kind (empty, one row,
/// one column, Col, Row, fixed size, complex, integer, cubes, sparse with
/// and without entries, one over the big-record size); equal matrices hash
/// equally however they were made, a changed element or shape changes the
/// hash; a stored matrix read back as another element type is refused;
/// damaged sizes and sparse indices are caught, not handed on.

#include "jug/armadillo.hpp"

#include <gtest/gtest.h>

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
  ASSERT_EQ(back.n_rows, m.n_rows);
  ASSERT_EQ(back.n_cols, m.n_cols);
  EXPECT_TRUE(arma::approx_equal(back, m, "absdiff", 0)) << "elements differ";
}

TEST(Armadillo, AreStorable) {
  EXPECT_TRUE(jug::detail::storable_v<arma::mat>);
  EXPECT_TRUE(jug::detail::storable_v<arma::vec>);
  EXPECT_TRUE(jug::detail::storable_v<arma::rowvec>);
  EXPECT_TRUE(jug::detail::storable_v<arma::cube>);
  EXPECT_TRUE(jug::detail::storable_v<arma::sp_mat>);
  EXPECT_TRUE((jug::detail::storable_v<std::vector<arma::fmat>>));
}

TEST(Armadillo, MatricesOfEveryKindComeBackEqual) {
  arma::arma_rng::set_seed(7);
  expect_round_trip(arma::mat(7, 5, arma::fill::randu));
  expect_round_trip(arma::mat());
  expect_round_trip(arma::mat(0, 4));
  expect_round_trip(arma::mat(1, 9, arma::fill::randn));
  expect_round_trip(arma::mat(9, 1, arma::fill::randn));
  expect_round_trip(arma::vec(11, arma::fill::randu));
  expect_round_trip(arma::rowvec(3, arma::fill::randu));
  expect_round_trip(arma::fmat(4, 6, arma::fill::randu));
  expect_round_trip(arma::cx_mat(3, 2, arma::fill::randu));
  expect_round_trip(arma::imat(5, 3, arma::fill::randu));
  arma::mat::fixed<3, 3> fixed(arma::fill::randu);
  const arma::mat::fixed<3, 3> fixed_back = round_trip(fixed);
  EXPECT_TRUE(arma::approx_equal(fixed_back, fixed, "absdiff", 0));
}

TEST(Armadillo, CubesComeBackEqual) {
  const arma::cube c(4, 3, 5, arma::fill::randu);
  const arma::cube back = round_trip(c);
  ASSERT_EQ(back.n_slices, 5u);
  EXPECT_TRUE(arma::approx_equal(back, c, "absdiff", 0));
  EXPECT_EQ(round_trip(arma::cube()).n_elem, 0u);
}

TEST(Armadillo, SparseMatricesComeBackEqual) {
  const arma::sp_mat empty(10, 4);
  const arma::sp_mat empty_back = round_trip(empty);
  EXPECT_EQ(empty_back.n_rows, 10u);
  EXPECT_EQ(empty_back.n_cols, 4u);
  EXPECT_EQ(empty_back.n_nonzero, 0u);
  arma::sp_mat m(50, 30);
  m(3, 1) = 2.5;  // set element by element: kept in Armadillo's cache until synced
  m(49, 29) = -1;
  m(0, 0) = 7;
  const arma::sp_mat back = round_trip(m);
  EXPECT_EQ(back.n_nonzero, 3u);
  EXPECT_EQ(arma::accu(arma::abs(back - m)), 0);
  EXPECT_EQ(back(49, 29), -1);
  // However it was built, one matrix is one encoding.
  const arma::sp_mat from_dense{arma::mat(m)};
  EXPECT_EQ(jug::encode(from_dense), jug::encode(m));
}

TEST(Armadillo, ABigMatrixTakesTheBigRecordPathAndComesBack) {
  jug::record::set_big_record_size(64 * 1024);
  const arma::mat m(300, 200, arma::fill::randu);  // 480 KB
  const jug::TaskHash hash = jug::TaskHash::of("big armadillo matrix");
  const std::string type = typeid(arma::mat).name();
  const jug::RecordBytes record =
      jug::record::make(hash, type, [&](jug::OutputArchive& ar) { ar(m); });
  EXPECT_FALSE(record.whole().has_value()) << "written as it is encoded";
  jug::RecordInMemory source(record.to_string());
  arma::mat back;
  jug::record::read(source, hash, type,
                    [&](jug::InputArchive& ar) { back = jug::decode_from<arma::mat>(ar); });
  EXPECT_TRUE(arma::approx_equal(back, m, "absdiff", 0));
  EXPECT_THROW(jug::record::read(source, hash, typeid(arma::fmat).name(),
                                 [](jug::InputArchive&) {}),
               jug::ResultTypeMismatch);
  jug::record::set_big_record_size(0);
}

const jug::TaskGenerator armadillo_trace("armadillo_trace",
                                         [](const arma::mat& m) { return arma::trace(m); });

TEST(Armadillo, EqualMatricesHashEquallyAndAChangeChangesTheHash) {
  const arma::mat a(4, 4, arma::fill::randu);
  const arma::mat same = (a * 2.0) / 2.0;  // made otherwise, equal
  ASSERT_TRUE(arma::approx_equal(a, same, "absdiff", 0));
  const auto hash = [](const arma::mat& m) {
    return jug_test::hash_of([&] { return armadillo_trace(m); });
  };
  EXPECT_EQ(hash(a), hash(same));
  arma::mat changed = a;
  changed(3, 2) += 1e-12;
  EXPECT_NE(hash(a), hash(changed));
  EXPECT_NE(hash(a), hash(arma::reshape(a, 2, 8))) << "same elements, another shape";
  // Over a MiB: hashed by its digest, with the same guarantees.
  const arma::mat big(400, 400, arma::fill::randu);
  arma::mat big_changed = big;
  big_changed(399, 399) += 1;
  EXPECT_EQ(hash(big), hash(arma::mat(big)));
  EXPECT_NE(hash(big), hash(big_changed));
  EXPECT_NE(hash(big), hash(arma::reshape(big, 800, 200))) << "same elements, another shape";
}

TEST(Armadillo, DamagedSizesAndIndicesAreCaught) {
  // A column vector stored with two columns, a fixed size with another.
  EXPECT_THROW(jug::decode<arma::vec>(jug::encode(arma::mat(2, 2, arma::fill::zeros))),
               jug::CorruptRecord);
  EXPECT_THROW(jug::decode<arma::rowvec>(jug::encode(arma::mat(2, 1, arma::fill::zeros))),
               jug::CorruptRecord);
  const std::string two_by_three = jug::encode(arma::mat(2, 3, arma::fill::zeros));
  EXPECT_THROW((jug::decode<arma::mat::fixed<3, 3>>(two_by_three)),
               jug::CorruptRecord);
  // More elements claimed than bytes left.
  std::string bytes = jug::encode(arma::mat(2, 2, arma::fill::zeros));
  bytes[0] = 100;
  EXPECT_THROW(jug::decode<arma::mat>(bytes), jug::CorruptRecord);
  // A sparse row index out of range.
  arma::sp_mat m(5, 5);
  m(4, 4) = 1;
  std::string sparse = jug::encode(m);
  // rows, cols, nnz (3 x 8 bytes), column starts (6 x 8), then the row index.
  const std::size_t row_at = 24 + 6 * 8;
  ASSERT_EQ(sparse[row_at], 4);
  sparse[row_at] = 9;
  EXPECT_THROW(jug::decode<arma::sp_mat>(sparse), jug::CorruptRecord);
}

}  // namespace
