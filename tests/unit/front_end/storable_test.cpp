/// Tests of jug::detail::storable_v (include/jug/storable.hpp): which types
/// jug can store and hash, so that a task made with any other fails to
/// compile with jug's own message (the message itself is tested through
/// the jug command in test_jug_command.py).

#include "jug/storable.hpp"

#include "jug/detail/arguments.hpp"
#include "jug/task_handle.hpp"

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

TEST(Storable, EveryPlainValueInAnArgumentMustBeHashable) {
  using jug::detail::hashable;
  EXPECT_TRUE(hashable<int>());
  EXPECT_TRUE((hashable<std::vector<jug::Task<int>>>()));
  EXPECT_TRUE((hashable<std::map<std::string, jug::Task<int>>>()));
  EXPECT_TRUE((hashable<std::tuple<jug::Task<int>, double>>()));
  EXPECT_TRUE(hashable<jug::Unhashed<Opaque>>());
  EXPECT_FALSE(hashable<Opaque>());
  // Keys are hashed as values: one jug cannot hash must not be left out.
  EXPECT_FALSE((hashable<std::map<Opaque, jug::Task<int>>>()));
  EXPECT_FALSE((hashable<std::pair<jug::Task<int>, Opaque>>()));
  EXPECT_FALSE((hashable<std::vector<std::pair<jug::Task<int>, Opaque>>>()));
}

}  // namespace
