/// Tests of jug::detail::storable_v (include/jug/storable.hpp): which types
/// jug can store and hash, so that a task made with any other fails to
/// compile with jug's own message (the message itself is tested through
/// the jug command in test_jug_command.py).

#include "jug/storable.hpp"

#include <gtest/gtest.h>

#include <map>
#include <optional>
#include <set>
#include <string>
#include <tuple>
#include <unordered_map>
#include <utility>
#include <variant>
#include <vector>

namespace {

struct WithSerialize {
  int x = 0;
  template <class Archive>
  void serialize(Archive& ar) {
    ar(x);
  }
};

struct Opaque {
  int x = 0;
};

using jug::detail::storable_v;

TEST(Storable, TheCodecsTypesAndTypesWithSerializeAre) {
  EXPECT_TRUE(storable_v<int>);
  EXPECT_TRUE(storable_v<const double&>);
  EXPECT_TRUE(storable_v<std::string>);
  EXPECT_TRUE((storable_v<std::vector<std::map<std::string, double>>>));
  EXPECT_TRUE((storable_v<std::unordered_map<int, std::set<long>>>));
  EXPECT_TRUE((storable_v<std::tuple<int, std::optional<WithSerialize>, std::variant<int, float>>>));
  EXPECT_TRUE(storable_v<WithSerialize>);
  EXPECT_TRUE(storable_v<std::vector<WithSerialize>>);
}

TEST(Storable, ATypeWithoutSerializeIsNotAnywhereInside) {
  EXPECT_FALSE(storable_v<Opaque>);
  EXPECT_FALSE(storable_v<std::vector<Opaque>>);
  EXPECT_FALSE((storable_v<std::map<std::string, Opaque>>));
  EXPECT_FALSE((storable_v<std::map<Opaque, int>>));
  EXPECT_FALSE((storable_v<std::pair<int, Opaque>>));
  EXPECT_FALSE((storable_v<std::tuple<int, std::vector<Opaque>>>));
  EXPECT_FALSE(storable_v<std::optional<Opaque>>);
  EXPECT_FALSE((storable_v<std::variant<int, Opaque>>));
}

}  // namespace
