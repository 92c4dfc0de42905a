// Which result types `execute --debug` compares with == after a round trip
// (jug/detail/deep_equality.hpp): only those whose == compiles all the way
// down, where the standard containers' own == would claim more.

#include "jug/detail/deep_equality.hpp"

#include <gtest/gtest.h>

#include <array>
#include <map>
#include <optional>
#include <string>
#include <tuple>
#include <utility>
#include <variant>
#include <vector>

namespace {

struct WithEquality {
  int x = 0;
  bool operator==(const WithEquality&) const = default;
};
struct WithoutEquality {
  int x = 0;
};

using jug::detail::deep_equality_comparable_v;

TEST(DeepEquality, TypesWithEqualityAllTheWayDown) {
  static_assert(deep_equality_comparable_v<int>);
  static_assert(deep_equality_comparable_v<std::string>);
  static_assert(deep_equality_comparable_v<WithEquality>);
  static_assert(deep_equality_comparable_v<std::vector<std::vector<double>>>);
  static_assert(deep_equality_comparable_v<std::map<std::string, std::vector<WithEquality>>>);
  static_assert(deep_equality_comparable_v<std::pair<int, std::optional<WithEquality>>>);
  static_assert(deep_equality_comparable_v<std::tuple<int, std::string, std::array<int, 3>>>);
  static_assert(deep_equality_comparable_v<std::variant<int, std::string>>);
  SUCCEED();
}

TEST(DeepEquality, ContainersOfTypesWithout) {
  static_assert(!deep_equality_comparable_v<WithoutEquality>);
  // std::equality_comparable says yes to these; using their == would not compile.
  static_assert(std::equality_comparable<std::vector<WithoutEquality>>);
  static_assert(!deep_equality_comparable_v<std::vector<WithoutEquality>>);
  static_assert(!deep_equality_comparable_v<std::map<int, std::vector<WithoutEquality>>>);
  static_assert(!deep_equality_comparable_v<std::pair<int, WithoutEquality>>);
  static_assert(!deep_equality_comparable_v<std::tuple<int, std::vector<WithoutEquality>>>);
  static_assert(!deep_equality_comparable_v<std::optional<WithoutEquality>>);
  SUCCEED();
}

}  // namespace
