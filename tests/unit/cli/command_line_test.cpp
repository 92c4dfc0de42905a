#include "cli/command_line.hpp"

#include <gtest/gtest.h>

#include <ctime>
#include <string>
#include <vector>

namespace {

jug::cli::ParseResult parse(std::vector<std::string> args) {
  std::vector<char*> argv;
  for (std::string& a : args) argv.push_back(a.data());
  return jug::cli::parse_command_line(static_cast<int>(argv.size()), argv.data());
}

TEST(CommandLine, JugfileNamesTheDefaultStore) {
  EXPECT_EQ(jug::cli::expand_jugdir("%(jugfile)s.jugdata", "jugfile.cpp"), "jugfile.jugdata");
  EXPECT_EQ(jug::cli::expand_jugdir("%(jugfile)s.jugdata", "dir/analysis.cc"), "dir/analysis.jugdata");
  EXPECT_EQ(jug::cli::expand_jugdir("%(jugfile)s.jugdata", "./jugfile"), "./jugfile.jugdata");
  EXPECT_EQ(jug::cli::expand_jugdir("/data/store", "jugfile.cpp"), "/data/store");
}

TEST(CommandLine, DateIsToday) {
  const std::time_t now = std::time(nullptr);
  std::tm local{};
  localtime_r(&now, &local);
  char today[16];
  std::strftime(today, sizeof today, "%Y-%m-%d", &local);
  EXPECT_EQ(jug::cli::expand_jugdir("runs/%(date)s/%(jugfile)s", "a.cpp"),
            std::string("runs/") + today + "/a");
}

TEST(CommandLine, OptionsAndArgumentsForTheJugfile) {
  auto result = parse({"prog", "execute", "jugfile.cpp", "-j", "3", "--keep-going", "--target",
                       "twice", "--jugdir", "x", "--", "a", "--b"});
  ASSERT_TRUE(std::holds_alternative<jug::cli::CommandLine>(result));
  const auto& cl = std::get<jug::cli::CommandLine>(result);
  EXPECT_EQ(cl.subcommand, "execute");
  EXPECT_EQ(cl.jugfile, "jugfile.cpp");
  EXPECT_EQ(cl.execute.jobs, 3u);
  EXPECT_TRUE(cl.execute.keep_going);
  EXPECT_EQ(cl.execute.target, "twice");
  EXPECT_EQ(cl.jugdir, "x");
  EXPECT_EQ(cl.jugfile_arguments, (std::vector<std::string>{"a", "--b"}));
}

TEST(CommandLine, ProgramIsTheJugfileWhenNoneIsGiven) {
  auto result = parse({"./analysis", "status", "--short"});
  ASSERT_TRUE(std::holds_alternative<jug::cli::CommandLine>(result));
  EXPECT_EQ(std::get<jug::cli::CommandLine>(result).jugfile, "./analysis");
}

TEST(CommandLine, UsageErrorsExitTwoAndHelpZero) {
  testing::internal::CaptureStderr();
  EXPECT_EQ(std::get<int>(parse({"prog", "frobnicate"})), 2);
  EXPECT_EQ(std::get<int>(parse({"prog"})), 2);
  EXPECT_EQ(std::get<int>(parse({"prog", "execute", "--jobs", "0"})), 2);
  EXPECT_EQ(std::get<int>(parse({"prog", "invalidate"})), 2);  // --target is required
  EXPECT_EQ(std::get<int>(parse({"prog", "status", "--nope"})), 2);
  const std::string errors = testing::internal::GetCapturedStderr();
  EXPECT_NE(errors.find("unknown subcommand 'frobnicate'"), std::string::npos);
  testing::internal::CaptureStdout();
  EXPECT_EQ(std::get<int>(parse({"prog", "status", "--help"})), 0);
  EXPECT_NE(testing::internal::GetCapturedStdout().find("--json"), std::string::npos);
}

}  // namespace
