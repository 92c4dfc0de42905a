#include "commands/target_pattern.hpp"

#include <gtest/gtest.h>

#include "jug/errors.hpp"

namespace {

TEST(TargetPattern, BareWordMatchesTheNameOrAnyModuleDotName) {
  const jug::TargetPattern p("twice");
  EXPECT_TRUE(p.matches("twice"));
  EXPECT_TRUE(p.matches("features.twice"));
  EXPECT_FALSE(p.matches("twice2"));
  EXPECT_FALSE(p.matches("ntwice"));
  EXPECT_FALSE(p.matches("a.ntwice"));
}

TEST(TargetPattern, DottedPatternMustEqualTheFullName) {
  const jug::TargetPattern p("features.texture");
  EXPECT_TRUE(p.matches("features.texture"));
  EXPECT_FALSE(p.matches("texture"));
  EXPECT_FALSE(p.matches("x.features.texture"));
}

TEST(TargetPattern, SlashesMakeARegularExpressionSearch) {
  const jug::TargetPattern p("/^comp.*e$/");
  EXPECT_TRUE(p.matches("compute"));
  EXPECT_FALSE(p.matches("recompute"));
  EXPECT_TRUE(jug::TargetPattern("/hist/").matches("features.chist"));
}

TEST(TargetPattern, BadPatternsAreErrors) {
  EXPECT_THROW(jug::TargetPattern(""), jug::Error);
  EXPECT_THROW(jug::TargetPattern("/[unclosed/"), jug::Error);
}

}  // namespace
