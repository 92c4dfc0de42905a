#include <gtest/gtest.h>

#include <regex>
#include <set>
#include <sstream>
#include <string>
#include <vector>

#include "cli/command_line.hpp"
#include "jug/arguments.hpp"

namespace jug::tool {
namespace {

using Args = std::vector<std::string>;

ScannedArguments scan(const Args& args) { return scan_arguments(args); }

TEST(JugCommandArguments, NoArgumentsMeansNoFile) {
  const ScannedArguments s = scan({});
  EXPECT_FALSE(s.file);
  EXPECT_TRUE(s.others.empty());
  EXPECT_FALSE(s.help);
}

TEST(JugCommandArguments, FirstPositionalIsTheFile) {
  const ScannedArguments s = scan({"mine.cpp", "other"});
  EXPECT_EQ(s.file, "mine.cpp");
  EXPECT_EQ(s.others, Args{"other"});
}

TEST(JugCommandArguments, ShowAndWhyTakePatternsWhereTheFileWouldGo) {
  EXPECT_TRUE(takes_patterns("show"));
  EXPECT_TRUE(takes_patterns("why"));
  EXPECT_FALSE(takes_patterns("status"));
  // A pattern alone: the default jugfile.
  ScannedArguments s = scan_arguments(Args{"fit", "/load.*/"}, /*patterns=*/true);
  EXPECT_FALSE(s.file);
  EXPECT_EQ(s.others, (Args{"fit", "/load.*/"}));
  // A jugfile wherever it is among them.
  s = scan_arguments(Args{"fit", "analysis.cpp", "--json"}, true);
  EXPECT_EQ(s.file, "analysis.cpp");
  EXPECT_EQ(s.others, (Args{"fit", "--json"}));
  s = scan_arguments(Args{"pipeline.py", "fit"}, true);
  EXPECT_EQ(s.file, "pipeline.py");
  // Without patterns, the first positional is the file, whatever its name.
  s = scan_arguments(Args{"fit"}, false);
  EXPECT_EQ(s.file, "fit");
}

TEST(JugCommandArguments, SkipsTheValuesOfOptionsThatTakeOne) {
  const ScannedArguments s =
      scan({"--jugdir", "data", "--target", "f", "-j", "4", "--jobs", "2", "--wait-cycle-time", "1",
            "--nr-wait-cycles", "3", "--retries", "5", "--lease-time", "60", "mine.cpp"});
  EXPECT_EQ(s.file, "mine.cpp");
  EXPECT_EQ(s.others, (Args{"--jugdir", "data", "--target", "f", "-j", "4", "--jobs", "2",
                            "--wait-cycle-time", "1", "--nr-wait-cycles", "3", "--retries", "5",
                            "--lease-time", "60"}));
}

TEST(JugCommandArguments, KnowsEveryOptionOfTheProgramThatTakesAValue) {
  // The jug command keeps its own list (it must not parse the program's
  // options): every option the program's --help-all shows with a value
  // ("--lease-time SECONDS") must be in it, or `jug execute --opt V
  // jugfile.cpp` takes V for the jugfile.
  std::vector<std::string> argv_text{"prog", "--help-all"};
  std::vector<char*> argv;
  for (std::string& arg : argv_text) argv.push_back(arg.data());
  testing::internal::CaptureStdout();
  (void)cli::parse_command_line(static_cast<int>(argv.size()), argv.data());
  const std::string help = testing::internal::GetCapturedStdout();
  const std::regex with_value(R"(^ +(-\w,)?(--[\w-]+) [A-Z]+ )");
  std::set<std::string> options;
  std::istringstream lines(help);
  for (std::string line; std::getline(lines, line);) {
    std::smatch match;
    if (!std::regex_search(line, match, with_value)) continue;
    options.insert(match[2]);
    if (match[1].matched) options.insert(match[1].str().substr(0, 2));
  }
  EXPECT_GE(options.size(), 10u) << help;
  for (const std::string& option : options) {
    EXPECT_TRUE(takes_separate_value(option)) << option << " takes a value in the program";
  }
}

TEST(JugCommandArguments, AttachedValueDoesNotConsumeTheNextArgument) {
  const ScannedArguments s = scan({"--jugdir=data", "mine.cpp", "-j4"});
  EXPECT_EQ(s.file, "mine.cpp");
  EXPECT_EQ(s.others, (Args{"--jugdir=data", "-j4"}));
}

TEST(JugCommandArguments, FlagsTakeNoValue) {
  const ScannedArguments s = scan({"--keep-going", "mine.cpp", "--short"});
  EXPECT_EQ(s.file, "mine.cpp");
  EXPECT_EQ(s.others, (Args{"--keep-going", "--short"}));
}

TEST(JugCommandArguments, NothingAfterTheSeparatorIsTheFile) {
  const ScannedArguments s = scan({"--jugdir", "data", "--", "input.cpp", "--help"});
  EXPECT_FALSE(s.file);
  EXPECT_FALSE(s.help);
  EXPECT_EQ(s.others, (Args{"--jugdir", "data", "--", "input.cpp", "--help"}));
}

TEST(JugCommandArguments, FileBeforeSeparatorAndArgumentsAfterIt) {
  const ScannedArguments s = scan({"mine.cpp", "--", "a", "b"});
  EXPECT_EQ(s.file, "mine.cpp");
  EXPECT_EQ(s.others, (Args{"--", "a", "b"}));
}

TEST(JugCommandArguments, OptionValueLookingLikeAnOptionIsStillAValue) {
  const ScannedArguments s = scan({"--target", "-weird-", "mine.cpp"});
  EXPECT_EQ(s.file, "mine.cpp");
  EXPECT_EQ(s.others, (Args{"--target", "-weird-"}));
}

TEST(JugCommandArguments, TrailingOptionWithoutValueIsPassedOn) {
  const ScannedArguments s = scan({"--jugdir"});
  EXPECT_FALSE(s.file);
  EXPECT_EQ(s.others, Args{"--jugdir"});
}

TEST(JugCommandArguments, HelpIsNoticedAndPassedOn) {
  for (const char* help : {"--help", "-h"}) {
    const ScannedArguments s = scan({help});
    EXPECT_TRUE(s.help) << help;
    EXPECT_FALSE(s.file);
    EXPECT_EQ(s.others, Args{help});
  }
  EXPECT_TRUE(scan({"mine.cpp", "--help"}).help);
}

TEST(JugCommandArguments, AVerboseLevelIsNoJugfile) {
  // Python jug's `--verbose info`: the level goes with the option.
  for (const char* level : {"info", "DEBUG", "warning", "error", "Critical"}) {
    const ScannedArguments s = scan({"--verbose", level, "mine.cpp"});
    EXPECT_EQ(s.file, "mine.cpp") << level;
    EXPECT_EQ(s.others, (Args{"--verbose", level})) << level;
  }
  // Any other word after a plain --verbose is the jugfile.
  const ScannedArguments s = scan({"--verbose", "infos.cpp"});
  EXPECT_EQ(s.file, "infos.cpp");
  EXPECT_EQ(s.others, Args{"--verbose"});
}

TEST(JugCommandArguments, VersionIsNoticedBeforeTheSeparatorOnly) {
  EXPECT_TRUE(scan({"--version"}).version);
  EXPECT_TRUE(scan({"mine.cpp", "--version"}).version);
  EXPECT_FALSE(scan({"mine.cpp", "--", "--version"}).version);
  EXPECT_FALSE(scan({"mine.cpp"}).version);
}

TEST(JugCommandArguments, HelpAsAnOptionValueIsNotHelp) {
  EXPECT_FALSE(scan({"--target", "--help"}).help);
}

TEST(JugCommandArguments, LoneDashIsAPositional) { EXPECT_EQ(scan({"-"}).file, "-"); }

TEST(JugCommandArguments, TakesSeparateValue) {
  EXPECT_TRUE(takes_separate_value("--jugdir"));
  EXPECT_TRUE(takes_separate_value("-j"));
  EXPECT_FALSE(takes_separate_value("--jugdir=x"));
  EXPECT_FALSE(takes_separate_value("-j4"));
  EXPECT_FALSE(takes_separate_value("--keep-going"));
  EXPECT_FALSE(takes_separate_value("jugfile.cpp"));
}

TEST(JugCommandArguments, ProgramArgumentsPutTheFileAfterTheSubcommand) {
  const Args others{"--jugdir", "d", "--", "x"};
  EXPECT_EQ(program_arguments("/cache/program", "execute", "jugfile.cpp", others),
            (Args{"/cache/program", "execute", "jugfile.cpp", "--jugdir", "d", "--", "x"}));
}

}  // namespace
}  // namespace jug::tool
