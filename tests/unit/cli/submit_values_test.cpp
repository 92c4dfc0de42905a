#include "cli/submit_values.hpp"

#include <gtest/gtest.h>

namespace jug::cli {
namespace {

using std::chrono::seconds;

TEST(SubmitValues, DurationsAsClusterUsersWriteThem) {
  EXPECT_EQ(parse_duration("2:00:00"), seconds(7200));
  EXPECT_EQ(parse_duration("36:00:00"), seconds(36 * 3600));
  EXPECT_EQ(parse_duration("1-12:00:00"), seconds(36 * 3600));
  EXPECT_EQ(parse_duration("10:30"), seconds(630)) << "MM:SS, as SLURM reads it";
  EXPECT_EQ(parse_duration("90m"), seconds(5400));
  EXPECT_EQ(parse_duration("2h"), seconds(7200));
  EXPECT_EQ(parse_duration("1d"), seconds(86400));
  EXPECT_EQ(parse_duration("45s"), seconds(45));
  for (const char* bad : {"", "90", "2:60:00", "1:2:3:4", "x", "2h30", "0:00:00", "-1:00:00"}) {
    EXPECT_EQ(parse_duration(bad), std::nullopt) << bad;
  }
}

TEST(SubmitValues, MemoryInMiB) {
  EXPECT_EQ(parse_memory_mib("4G"), 4096u);
  EXPECT_EQ(parse_memory_mib("4GB"), 4096u);
  EXPECT_EQ(parse_memory_mib("500M"), 500u);
  EXPECT_EQ(parse_memory_mib("500"), 500u) << "a bare number is MiB, as SLURM's --mem";
  EXPECT_EQ(parse_memory_mib("1t"), 1024u * 1024u);
  EXPECT_EQ(parse_memory_mib("1500K"), 2u) << "rounded up";
  for (const char* bad : {"", "0G", "G", "4X", "4.5G", "-4G"}) {
    EXPECT_EQ(parse_memory_mib(bad), std::nullopt) << bad;
  }
}

}  // namespace
}  // namespace jug::cli
