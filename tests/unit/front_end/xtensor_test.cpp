/// Tests of xtensor's containers as results and arguments
/// (include/jug/xtensor.hpp): round trips of every kind (empty, rank 0 to
/// 3, column-major, complex, one over the big-record size); equal arrays
/// hash equally however they were made, a changed element or shape changes
/// the hash; a stored array read back as another element type is refused;
/// damaged ranks, layouts and sizes are caught, not handed on.

#include "jug/xtensor.hpp"

#include <gtest/gtest.h>

#include <complex>
#include <string>

#include <xtensor/xrandom.hpp>
#include <xtensor/xview.hpp>

#include "codec/record.hpp"
#include "jug/errors.hpp"
#include "jug/storable.hpp"
#include "jug/task_generator.hpp"
#include "store/record_io.hpp"
#include "unit/front_end/graph_test_support.hpp"

namespace {

template <class A>
void expect_round_trip(const A& a) {
  const A back = jug::decode<A>(jug::encode(a));
  ASSERT_EQ(back.shape(), a.shape());
  EXPECT_EQ(back.layout(), a.layout());
  EXPECT_EQ(back, a);
}

TEST(Xtensor, AreStorable) {
  EXPECT_TRUE(jug::detail::storable_v<xt::xarray<double>>);
  EXPECT_TRUE((jug::detail::storable_v<xt::xtensor<float, 3>>));
  EXPECT_TRUE((jug::detail::storable_v<std::vector<xt::xtensor<int, 1>>>));
}

TEST(Xtensor, ArraysOfEveryKindComeBackEqual) {
  xt::random::seed(7);
  expect_round_trip(xt::xarray<double>(xt::random::rand<double>({4, 3, 2})));
  expect_round_trip(xt::xarray<double>());
  expect_round_trip(xt::xarray<double>::from_shape({0, 5}));
  expect_round_trip(xt::xarray<double>(3.5));  // rank 0
  expect_round_trip(xt::xarray<int>{{1, 2, 3}});
  expect_round_trip(xt::xtensor<double, 2>(xt::random::randn<double>({5, 1})));
  expect_round_trip(xt::xtensor<float, 3>(xt::random::rand<float>({2, 3, 4})));
  expect_round_trip(xt::xtensor<std::complex<double>, 1>{{1.0, 2.0}, {-1.0, 0.5}});
  xt::xarray<double, xt::layout_type::column_major> column_major =
      xt::random::rand<double>({3, 4});
  expect_round_trip(column_major);
  xt::xarray<double, xt::layout_type::dynamic> dynamic = xt::random::rand<double>({3, 4});
  dynamic.resize({3, 4}, xt::layout_type::column_major);
  expect_round_trip(dynamic);
}

TEST(Xtensor, ABigArrayTakesTheBigRecordPathAndComesBack) {
  jug::record::set_big_record_size(64 * 1024);
  const xt::xtensor<double, 3> a = xt::random::rand<double>({20, 30, 100});  // 480 KB
  const jug::TaskHash hash = jug::TaskHash::of("big xtensor");
  const std::string type = typeid(a).name();
  const jug::RecordBytes record =
      jug::record::make(hash, type, [&](jug::OutputArchive& ar) { ar(a); });
  EXPECT_FALSE(record.whole().has_value()) << "written as it is encoded";
  jug::RecordInMemory source(record.to_string());
  xt::xtensor<double, 3> back;
  jug::record::read(source, hash, type, [&](jug::InputArchive& ar) {
    back = jug::decode_from<xt::xtensor<double, 3>>(ar);
  });
  EXPECT_EQ(back, a);
  EXPECT_THROW(jug::record::read(source, hash, typeid(xt::xtensor<float, 3>).name(),
                                 [](jug::InputArchive&) {}),
               jug::ResultTypeMismatch);
  jug::record::set_big_record_size(0);
}

const jug::TaskGenerator xtensor_sum("xtensor_sum", [](const xt::xarray<double>& a) {
  return a.size() == 0 ? 0.0 : static_cast<double>(xt::sum(a)());
});

TEST(Xtensor, EqualArraysHashEquallyAndAChangeChangesTheHash) {
  const xt::xarray<double> a = xt::random::rand<double>({4, 4});
  const xt::xarray<double> same = (a * 2.0) / 2.0;  // made otherwise, equal
  ASSERT_EQ(a, same);
  const auto hash = [](const xt::xarray<double>& m) {
    return jug_test::hash_of([&] { return xtensor_sum(m); });
  };
  EXPECT_EQ(hash(a), hash(same));
  xt::xarray<double> changed = a;
  changed(3, 2) += 1e-12;
  EXPECT_NE(hash(a), hash(changed));
  xt::xarray<double> reshaped = a;
  reshaped.reshape({2, 8});
  EXPECT_NE(hash(a), hash(reshaped)) << "same elements, another shape";
  xt::xarray<double, xt::layout_type::dynamic> transposed_layout = a;
  EXPECT_EQ(hash(transposed_layout), hash(a)) << "converted to the parameter's type first";
}

TEST(Xtensor, DamagedRanksLayoutsAndSizesAreCaught) {
  const std::string bytes = jug::encode(xt::xtensor<double, 2>(xt::zeros<double>({2, 2})));
  // rank (8 bytes), layout (1), shape (2 x 8), elements.
  EXPECT_THROW((jug::decode<xt::xtensor<double, 3>>(bytes)), jug::CorruptRecord);
  EXPECT_THROW((jug::decode<xt::xtensor<double, 2, xt::layout_type::column_major>>(bytes)),
               jug::CorruptRecord);
  std::string bad_layout = bytes;
  bad_layout[8] = 'X';
  EXPECT_THROW((jug::decode<xt::xtensor<double, 2>>(bad_layout)), jug::CorruptRecord);
  std::string too_many = bytes;
  too_many[9] = 100;
  EXPECT_THROW((jug::decode<xt::xtensor<double, 2>>(too_many)), jug::CorruptRecord);
  std::string huge_rank = bytes;
  huge_rank[7] = 0x10;
  EXPECT_THROW(jug::decode<xt::xarray<double>>(huge_rank), jug::CorruptRecord);
}

}  // namespace
