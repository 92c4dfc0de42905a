#include <gtest/gtest.h>

#include <set>
#include <string>

#include "jug/subcommands.hpp"
#include "jug/usage.hpp"

namespace jug::tool {
namespace {

TEST(JugCommandSubcommands, KnowsTheSubcommandsOnce) {
  std::set<std::string_view> names;
  for (const Subcommand& s : subcommands()) {
    EXPECT_TRUE(names.insert(s.name).second) << s.name;
    EXPECT_FALSE(s.summary.empty()) << s.name;
  }
  for (const char* name :
       {"execute", "status", "check", "sleep-until", "invalidate", "cleanup", "count"}) {
    ASSERT_NE(find_subcommand(name), nullptr) << name;
    EXPECT_EQ(find_subcommand(name)->name, name);
  }
  EXPECT_EQ(find_subcommand("frobnicate"), nullptr);
  EXPECT_EQ(find_subcommand(""), nullptr);
}

TEST(JugCommandSubcommands, SuggestsTheCloseOnes) {
  EXPECT_EQ(suggest_subcommand("exec"), "execute");  // unique prefix
  EXPECT_EQ(suggest_subcommand("stats"), "status");  // one edit
  EXPECT_EQ(suggest_subcommand("cleanpu"), "cleanup");
  EXPECT_EQ(suggest_subcommand("sleep_until"), "sleep-until");
  EXPECT_EQ(suggest_subcommand("frobnicate"), std::nullopt);
  EXPECT_EQ(suggest_subcommand("x"), std::nullopt);
  EXPECT_EQ(suggest_subcommand(""), std::nullopt);
}

TEST(JugCommandSubcommands, UsageListsEverySubcommand) {
  const std::string text = usage();
  for (const Subcommand& s : subcommands()) {
    EXPECT_NE(text.find(s.name), std::string::npos) << s.name;
  }
  EXPECT_NE(generic_subcommand_help(*find_subcommand("execute")).find("jug execute FILE --help"),
            std::string::npos);
}

}  // namespace
}  // namespace jug::tool
