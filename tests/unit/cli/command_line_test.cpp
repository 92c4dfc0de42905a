#include "cli/command_line.hpp"

#include "cli/program_jugfile.hpp"

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
  EXPECT_EQ(jug::cli::expand_jugdir("%(jugfile)s.jugdata", "dir/analysis.py"), "dir/analysis.jugdata");
  EXPECT_EQ(jug::cli::expand_jugdir("%(jugfile)s.jugdata", "./jugfile"), "./jugfile.jugdata");
  EXPECT_EQ(jug::cli::expand_jugdir("/data/store", "jugfile.cpp"), "/data/store");
}

TEST(CommandLine, AProgramRunDirectlyIsTheJugfileOfItsSource) {
  const std::string source = std::string(JUG_TEST_SOURCE_DIR) + "/unit/cli/command_line_test.cpp";
  auto cl = std::get<jug::cli::CommandLine>(parse({"build/analysis", "status"}));
  EXPECT_EQ(cl.jugfile, "build/analysis") << "no source known: the program";
  std::vector<std::string> args{"build/analysis", "status"};
  std::vector<char*> argv;
  for (std::string& a : args) argv.push_back(a.data());
  cl = std::get<jug::cli::CommandLine>(jug::cli::parse_command_line(2, argv.data(), source));
  EXPECT_EQ(cl.jugfile, source);
  EXPECT_EQ(jug::cli::expand_jugdir(cl.jugdir, cl.jugfile),
            std::string(JUG_TEST_SOURCE_DIR) + "/unit/cli/command_line_test.jugdata");
  // A source that is not there (the program was copied away): the program.
  cl = std::get<jug::cli::CommandLine>(
      jug::cli::parse_command_line(2, argv.data(), "/nonexistent/analysis.cpp"));
  EXPECT_EQ(cl.jugfile, "build/analysis");
  // A jugfile named on the command line wins.
  args = {"build/analysis", "status", "other.cpp"};
  argv.clear();
  for (std::string& a : args) argv.push_back(a.data());
  cl = std::get<jug::cli::CommandLine>(jug::cli::parse_command_line(3, argv.data(), source));
  EXPECT_EQ(cl.jugfile, "other.cpp");
}

TEST(CommandLine, TheRunningProgramNamedAsTheJugfileIsItsSource) {
  EXPECT_TRUE(jug::cli::is_this_program("/proc/self/exe"));
  EXPECT_FALSE(jug::cli::is_this_program(std::string(JUG_TEST_SOURCE_DIR) + "/CMakeLists.txt"));
  EXPECT_FALSE(jug::cli::is_this_program("no/such/program"));
  const std::string source = std::string(JUG_TEST_SOURCE_DIR) + "/unit/cli/command_line_test.cpp";
  std::vector<std::string> args{"jug", "status", "/proc/self/exe"};
  std::vector<char*> argv;
  for (std::string& a : args) argv.push_back(a.data());
  const auto cl =
      std::get<jug::cli::CommandLine>(jug::cli::parse_command_line(3, argv.data(), source));
  EXPECT_EQ(cl.jugfile, source);
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

/// What parsing `args` says on stderr; it must be a usage error.
std::string usage_error_of(std::vector<std::string> args) {
  testing::internal::CaptureStderr();
  const jug::cli::ParseResult result = parse(std::move(args));
  const std::string errors = testing::internal::GetCapturedStderr();
  EXPECT_TRUE(std::holds_alternative<int>(result) && std::get<int>(result) == 2) << errors;
  return errors;
}

TEST(CommandLine, NumbersAreReadInBothForms) {
  auto result = parse({"prog", "execute", "--retries", "2", "--nr-wait-cycles=7", "--jobs=4",
                       "--lease-time", "1.5", "--wait-cycle-time=0.25", "--max-crashes", "9"});
  ASSERT_TRUE(std::holds_alternative<jug::cli::CommandLine>(result));
  const jug::ExecuteOptions& ex = std::get<jug::cli::CommandLine>(result).execute;
  EXPECT_EQ(ex.retries, 2u);
  EXPECT_EQ(ex.nr_wait_cycles, 7u);
  EXPECT_EQ(ex.jobs, 4u);
  EXPECT_EQ(ex.lease_time.count(), 1.5);
  EXPECT_EQ(ex.wait_cycle_time.count(), 0.25);
  EXPECT_EQ(ex.max_crashes, 9u);
  // The defaults stay when an option is not given.
  const auto defaults = std::get<jug::cli::CommandLine>(parse({"prog", "execute"})).execute;
  EXPECT_EQ(defaults.jobs, 1u);
  EXPECT_EQ(defaults.lease_time, jug::ExecuteOptions{}.lease_time);
}

TEST(CommandLine, SecondsMustBePositive) {
  for (const char* option : {"--lease-time", "--wait-cycle-time"}) {
    for (const char* value : {"0", "-1", "inf", "nan"}) {
      EXPECT_NE(usage_error_of({"prog", "execute", option, value})
                    .find(std::string(option) + " must be a positive number of seconds, got " +
                          value),
                std::string::npos)
          << option << " " << value;
    }
    EXPECT_NE(usage_error_of({"prog", "execute", std::string(option) + "=soon"})
                  .find("a positive number of seconds; 'soon' is not a number"),
              std::string::npos);
  }
  EXPECT_NE(usage_error_of({"prog", "status", "--lease-time=0"})
                .find("--lease-time must be a positive number of seconds, got 0"),
            std::string::npos);
}

TEST(CommandLine, WholeNumbersSayWhatIsWrong) {
  EXPECT_NE(usage_error_of({"prog", "execute", "-j", "x"})
                .find("-j/--jobs must be a whole number from 1 to 4096; 'x' is not a number"),
            std::string::npos);
  EXPECT_NE(usage_error_of({"prog", "execute", "-j", "0"})
                .find("-j/--jobs must be a whole number from 1 to 4096, got 0"),
            std::string::npos);
  EXPECT_NE(usage_error_of({"prog", "execute", "--jobs=9999"}).find("from 1 to 4096, got 9999"),
            std::string::npos);
  for (const char* option : {"--retries", "--nr-wait-cycles"}) {
    for (const char* value : {"-1", "1.5", "99999999999999999999"}) {
      EXPECT_NE(usage_error_of({"prog", "execute", option, value})
                    .find(std::string(option) + " must be a whole number 0 or more, got " + value),
                std::string::npos)
          << option << " " << value;
    }
  }
  EXPECT_NE(usage_error_of({"prog", "execute", "--max-crashes=0"})
                .find("--max-crashes must be a whole number from 1 to 1000000, got 0"),
            std::string::npos);
}

TEST(CommandLine, UnknownOptionsGetTheNearestOne) {
  EXPECT_NE(usage_error_of({"prog", "execute", "--keepgoing"})
                .find("prog: execute has no option --keepgoing; did you mean --keep-going?"),
            std::string::npos);
  EXPECT_NE(usage_error_of({"prog", "execute", "--keepgoing=1"})
                .find("has no option --keepgoing; did you mean --keep-going?"),
            std::string::npos);
  EXPECT_NE(usage_error_of({"prog", "execute", "-keep-going"}).find("did you mean --keep-going?"),
            std::string::npos);
  EXPECT_NE(usage_error_of({"prog", "cleanup", "--dryrun"}).find("did you mean --dry-run?"),
            std::string::npos);
  // Before the error a typo causes.
  const std::string targt = usage_error_of({"prog", "invalidate", "--targt", "x"});
  EXPECT_NE(targt.find("invalidate has no option --targt; did you mean --target?"),
            std::string::npos);
  EXPECT_LT(targt.find("did you mean"), targt.find("--target is required"));
  // Nothing near: no guess; a single letter is near no other.
  const std::string far = usage_error_of({"prog", "execute", "--frobnicate", "-x"});
  EXPECT_NE(far.find("execute has no option --frobnicate\n"), std::string::npos);
  EXPECT_NE(far.find("execute has no option -x\n"), std::string::npos);
  // Subcommands too.
  EXPECT_NE(usage_error_of({"prog", "exectue"}).find("Did you mean 'execute'?"),
            std::string::npos);
}

TEST(CommandLine, CleanupKnowsThisJugfileAndMayRemoveOthersResults) {
  auto result = parse({"prog", "cleanup", "sub/../analysis.cpp", "--also-other-jugfiles"});
  ASSERT_TRUE(std::holds_alternative<jug::cli::CommandLine>(result));
  const jug::CleanupOptions& options = std::get<jug::cli::CommandLine>(result).cleanup;
  EXPECT_TRUE(options.also_other_jugfiles);
  EXPECT_EQ(options.jugfile, jug::cli::absolute_jugfile("analysis.cpp"));
  EXPECT_TRUE(options.jugfile.starts_with('/'));
  EXPECT_TRUE(options.jugfile.ends_with("/analysis.cpp"));
  EXPECT_EQ(jug::cli::absolute_jugfile("/a/./b/../jugfile.cpp"), "/a/jugfile.cpp");
}

}  // namespace

namespace {

bool verbose_of(std::vector<std::string> args) {
  return std::get<jug::cli::CommandLine>(parse(std::move(args))).verbose;
}

TEST(CommandLine, VerboseAsAFlagOrWithPythonJugsLevels) {
  EXPECT_FALSE(verbose_of({"prog", "status"}));
  EXPECT_TRUE(verbose_of({"prog", "status", "-v"}));
  EXPECT_TRUE(verbose_of({"prog", "status", "--verbose"}));
  EXPECT_TRUE(verbose_of({"prog", "status", "--verbose", "info"}));
  EXPECT_TRUE(verbose_of({"prog", "status", "--verbose=DEBUG"}));
  EXPECT_FALSE(verbose_of({"prog", "status", "--verbose", "warning"}));
  EXPECT_FALSE(verbose_of({"prog", "status", "--verbose=critical"}));
  // A level does not take the jugfile's place; a word that is none is the jugfile.
  auto cl = std::get<jug::cli::CommandLine>(parse({"prog", "status", "--verbose", "info", "a.cpp"}));
  EXPECT_EQ(cl.jugfile, "a.cpp");
  cl = std::get<jug::cli::CommandLine>(parse({"prog", "status", "--verbose", "b.cpp"}));
  EXPECT_EQ(cl.jugfile, "b.cpp");
  EXPECT_TRUE(cl.verbose);
  // After `--`, the jugfile's own.
  cl = std::get<jug::cli::CommandLine>(parse({"prog", "status", "--", "--verbose=loud"}));
  EXPECT_EQ(cl.jugfile_arguments, std::vector<std::string>{"--verbose=loud"});
  testing::internal::CaptureStderr();
  EXPECT_EQ(std::get<int>(parse({"prog", "status", "--verbose=loud"})), 2);
  EXPECT_NE(testing::internal::GetCapturedStderr().find("'loud' is not one"), std::string::npos);
}

TEST(CommandLine, WillCiteIsAcceptedAndVersionPrintsIt) {
  EXPECT_NO_THROW(std::get<jug::cli::CommandLine>(parse({"prog", "execute", "--will-cite"})));
  testing::internal::CaptureStdout();
  EXPECT_EQ(std::get<int>(parse({"prog", "invalidate", "--version"})), 0)
      << "before its required --target is missed";
  EXPECT_EQ(testing::internal::GetCapturedStdout().rfind("jug ", 0), 0u);
}

}  // namespace
