#include <gtest/gtest.h>

#include <string>

#include "jug/compile_config.hpp"
#include "jug/tool_error.hpp"
#include "scratch_directory.hpp"

namespace jug::tool {
namespace {

namespace fs = std::filesystem;
using test_support::ScratchDirectory;

TEST(JugCommandCompileConfig, ParsesKeysAndKeepsTheText) {
  const std::string text =
      "# written by CMake\n"
      "cxx=/usr/bin/c++\n"
      "\n"
      "cxxflags = -std=c++20 -O2 -I/x/include \r\n"
      "libs=/x/libjug.a -lfmt -pthread\n"
      "future=ignored\n";
  const CompileConfig config = parse_compile_config(text, "/x/jug-compile.conf");
  EXPECT_EQ(config.cxx, "/usr/bin/c++");
  EXPECT_EQ(config.cxxflags, "-std=c++20 -O2 -I/x/include");
  EXPECT_EQ(config.libs, "/x/libjug.a -lfmt -pthread");
  EXPECT_EQ(config.text, text);
  EXPECT_EQ(config.path, "/x/jug-compile.conf");
}

TEST(JugCommandCompileConfig, ValueMayContainEquals) {
  EXPECT_EQ(parse_compile_config("cxx=c++\ncxxflags=-DA=1\n", "c").cxxflags, "-DA=1");
}

TEST(JugCommandCompileConfig, RejectsBadLinesAndAMissingCompiler) {
  EXPECT_THROW(parse_compile_config("cxx=c++\nnonsense\n", "c"), ToolError);
  EXPECT_THROW(parse_compile_config("cxxflags=-O2\n", "c"), ToolError);
}

TEST(JugCommandCompileConfig, BuildTreeFileComesBeforeTheInstalledOne) {
  EXPECT_EQ(
      compile_config_candidates("/opt/jug/bin"),
      (std::vector<fs::path>{"/opt/jug/bin/jug-compile.conf", "/opt/jug/share/jug/compile.conf"}));

  ScratchDirectory dir;
  dir.write("share/jug/compile.conf", "cxx=installed\n");
  fs::create_directories(dir.path() / "bin");
  EXPECT_EQ(load_compile_config(dir.path() / "bin").cxx, "installed");
  dir.write("bin/jug-compile.conf", "cxx=build-tree\n");
  EXPECT_EQ(load_compile_config(dir.path() / "bin").cxx, "build-tree");
}

TEST(JugCommandCompileConfig, NoConfigurationIsAClearError) {
  ScratchDirectory dir;
  try {
    load_compile_config(dir.path());
    FAIL() << "expected a ToolError";
  } catch (const ToolError& e) {
    EXPECT_NE(std::string(e.what()).find("jug-compile.conf"), std::string::npos) << e.what();
    EXPECT_EQ(e.exit_code(), kExitFailure);
  }
}

}  // namespace
}  // namespace jug::tool
