#include "cli/nearest_name.hpp"

#include <gtest/gtest.h>

#include <array>
#include <string_view>

namespace {

constexpr std::array<std::string_view, 5> kNames{"keep-going", "keep-failed", "retries", "jobs",
                                                 "j"};

TEST(NearestName, EditDistanceCountsInsertionsDeletionsAndSubstitutions) {
  EXPECT_EQ(jug::edit_distance("", ""), 0u);
  EXPECT_EQ(jug::edit_distance("abc", ""), 3u);
  EXPECT_EQ(jug::edit_distance("keepgoing", "keep-going"), 1u);
  EXPECT_EQ(jug::edit_distance("retires", "retries"), 2u);
  EXPECT_EQ(jug::edit_distance("kitten", "sitting"), 3u);
}

TEST(NearestName, ThePrefixOfOneNameOrTheNearestWithinTwoEdits) {
  EXPECT_EQ(jug::nearest_name("keepgoing", kNames), "keep-going");
  EXPECT_EQ(jug::nearest_name("keep-faild", kNames), "keep-failed");
  EXPECT_EQ(jug::nearest_name("retr", kNames), "retries");  // the start of one name only
  EXPECT_EQ(jug::nearest_name("jbos", kNames), "jobs");
}

TEST(NearestName, NothingWhenNothingIsClose) {
  EXPECT_EQ(jug::nearest_name("keep", kNames), std::nullopt);  // starts two names, near none
  EXPECT_EQ(jug::nearest_name("frobnicate", kNames), std::nullopt);
  EXPECT_EQ(jug::nearest_name("x", kNames), std::nullopt);  // "j" is one edit, but all of it
  EXPECT_EQ(jug::nearest_name("", kNames), std::nullopt);
}

}  // namespace
