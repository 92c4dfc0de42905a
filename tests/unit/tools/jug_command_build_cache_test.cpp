#include <gtest/gtest.h>

#include <atomic>
#include <chrono>
#include <fstream>
#include <map>
#include <string>
#include <thread>
#include <vector>

#include "jug/build_cache.hpp"
#include "scratch_directory.hpp"

namespace jug::tool {
namespace {

namespace fs = std::filesystem;
using test_support::ScratchDirectory;

/// An environment made of a map, for cache_directory.
struct FakeEnvironment {
  std::map<std::string, std::string> variables;
  const char* operator()(const char* name) const {
    const auto found = variables.find(name);
    return found == variables.end() ? nullptr : found->second.c_str();
  }
};

TEST(JugCommandCacheDirectory, FollowsJugThenXdgThenHome) {
  FakeEnvironment env{{{"JUG_CACHE_DIR", "/jc"}, {"XDG_CACHE_HOME", "/xdg"}, {"HOME", "/home/u"}}};
  EXPECT_EQ(cache_directory(env), "/jc");
  env.variables.erase("JUG_CACHE_DIR");
  EXPECT_EQ(cache_directory(env), "/xdg/jug");
  env.variables["XDG_CACHE_HOME"] = "relative";  // the XDG spec says: ignore it
  EXPECT_EQ(cache_directory(env), "/home/u/.cache/jug");
  env.variables["XDG_CACHE_HOME"] = "";
  env.variables["JUG_CACHE_DIR"] = "";
  EXPECT_EQ(cache_directory(env), "/home/u/.cache/jug");
}

bool write_program(const fs::path& output, const std::string& content) {
  std::ofstream(output) << content;
  return true;
}

TEST(JugCommandBuildCache, BuildsOnceThenFinds) {
  ScratchDirectory dir;
  BuildCache cache(dir.path());
  EXPECT_FALSE(cache.find("k1"));
  int compiles = 0;
  const auto compile = [&](const fs::path& output) {
    ++compiles;
    return write_program(output, "program");
  };
  const std::optional<fs::path> built = cache.build("k1", compile);
  ASSERT_TRUE(built);
  EXPECT_EQ(*built, cache.program_path("k1"));
  EXPECT_EQ(*built, dir.path() / "builds" / "k1" / "program");
  EXPECT_EQ(cache.find("k1"), built);
  EXPECT_EQ(cache.build("k1", compile), built);
  EXPECT_EQ(compiles, 1);
  // Only the program is left in its directory: no temporaries.
  EXPECT_EQ(std::distance(fs::directory_iterator(dir.path() / "builds" / "k1"), {}), 1);
}

TEST(JugCommandBuildCache, FailedCompileLeavesNothingInPlace) {
  ScratchDirectory dir;
  BuildCache cache(dir.path());
  const auto failing = [](const fs::path& output) {
    std::ofstream(output) << "half a program";
    return false;
  };
  EXPECT_FALSE(cache.build("k2", failing));
  EXPECT_FALSE(cache.find("k2"));
  EXPECT_FALSE(fs::exists(dir.path() / "builds" / "k2"));
  // And a later good compile still works.
  EXPECT_TRUE(cache.build("k2", [](const fs::path& out) { return write_program(out, "ok"); }));
}

TEST(JugCommandBuildCache, CompileThatThrowsLeavesNothingInPlace) {
  ScratchDirectory dir;
  BuildCache cache(dir.path());
  EXPECT_THROW(cache.build("k3",
                           [](const fs::path& output) -> bool {
                             std::ofstream(output) << "partial";
                             throw std::runtime_error("interrupted");
                           }),
               std::runtime_error);
  EXPECT_FALSE(cache.find("k3"));
}

TEST(JugCommandBuildCache, StaleTemporariesAreRemoved) {
  ScratchDirectory dir;
  dir.write("builds/k4/program.tmp.otherhost.123", "left by a killed compile");
  BuildCache cache(dir.path());
  ASSERT_TRUE(cache.build("k4", [](const fs::path& out) { return write_program(out, "ok"); }));
  EXPECT_FALSE(fs::exists(dir.path() / "builds" / "k4" / "program.tmp.otherhost.123"));
}

TEST(JugCommandBuildCache, ConcurrentBuildsCompileOnce) {
  // flock locks belong to open file descriptions, so threads that each open
  // the lock file exclude each other just as processes do.
  ScratchDirectory dir;
  std::atomic<int> compiles = 0;
  std::vector<std::thread> threads;
  std::vector<std::optional<fs::path>> results(4);
  for (std::size_t i = 0; i < results.size(); ++i) {
    threads.emplace_back([&, i] {
      BuildCache cache(dir.path());
      results[i] = cache.build("k5", [&](const fs::path& output) {
        ++compiles;
        std::this_thread::sleep_for(std::chrono::milliseconds(100));
        return write_program(output, "program");
      });
    });
  }
  for (std::thread& t : threads) t.join();
  EXPECT_EQ(compiles.load(), 1);
  for (const auto& result : results) {
    ASSERT_TRUE(result);
    EXPECT_TRUE(fs::is_regular_file(*result));
  }
}

}  // namespace
}  // namespace jug::tool
