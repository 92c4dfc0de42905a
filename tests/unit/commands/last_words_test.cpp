// A worker dying of a signal while it runs a task names the task on stderr
// and leaves the words where the worker taking over finds them.

#include "commands/last_words.hpp"

#include <gtest/gtest.h>

#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <sstream>

#include "unit/store/store_test_support.hpp"

namespace {

std::string read_file(const std::string& path) {
  std::ifstream in(path);
  std::stringstream out;
  out << in.rdbuf();
  return out.str();
}

// abort(), not a segfault: the sanitizers' own SIGSEGV handler would report
// it first; they leave SIGABRT alone.
TEST(LastWordsDeathTest, ADyingWorkerNamesItsTaskAndLeavesItsWords) {
  jug::store_test::TempDirectory scratch;
  const std::string path = scratch.path() + "/words";
  EXPECT_EXIT(
      {
        jug::say_last_words_on_fatal_signals();
        const jug::LastWordsOfTask words("fit (3f2a9c01ab12)", path);
        std::abort();
      },
      testing::KilledBySignal(SIGABRT),
      "jug: worker [0-9]+ died of SIGABRT \\(abort\\) while running task fit \\(3f2a9c01ab12\\)");
  EXPECT_EQ(read_file(path), "it died of SIGABRT (abort)\n");
}

TEST(LastWordsDeathTest, AWorkerDyingBetweenTasksLeavesNoWords) {
  jug::store_test::TempDirectory scratch;
  const std::string path = scratch.path() + "/words";
  EXPECT_EXIT(
      {
        jug::say_last_words_on_fatal_signals();
        { const jug::LastWordsOfTask words("fit (3f2a9c01ab12)", path); }
        std::abort();
      },
      testing::KilledBySignal(SIGABRT), "^$");
  EXPECT_FALSE(std::filesystem::exists(path));
}

}  // namespace
