#include <gtest/gtest.h>

#include <string>
#include <vector>

#include "jug/compiler_flags.hpp"
#include "jug/text.hpp"
#include "scratch_directory.hpp"

namespace jug::tool {
namespace {

namespace fs = std::filesystem;
using Words = std::vector<std::string>;

TEST(JugCommandCompilerFlags, SplitsOnAnyWhitespace) {
  EXPECT_EQ(split_words("  -O2\t-g \n -Ia  "), (Words{"-O2", "-g", "-Ia"}));
  EXPECT_TRUE(split_words("   ").empty());
  EXPECT_TRUE(split_words("").empty());
}

TEST(JugCommandCompilerFlags, ResolvesPathsAgainstTheJugfileDirectory) {
  const Words flags{"-Iinclude", "-I",         "other",    "-isystem", "sys",
                    "-iquoteq",  "-L",         "lib",      "-Llib2",   "extra.cpp",
                    "../up/x.a", "/abs/y.cpp", "-include", "pre.h",    "-I/abs/inc"};
  EXPECT_EQ(resolve_relative_paths(flags, "/p/jobs"),
            (Words{"-I/p/jobs/include", "-I", "/p/jobs/other", "-isystem", "/p/jobs/sys",
                   "-iquote/p/jobs/q", "-L", "/p/jobs/lib", "-L/p/jobs/lib2", "/p/jobs/extra.cpp",
                   "/p/up/x.a", "/abs/y.cpp", "-include", "/p/jobs/pre.h", "-I/abs/inc"}));
}

TEST(JugCommandCompilerFlags, LeavesOtherOptionsAndTheirValuesAlone) {
  const Words flags{"-D",       "NAME=1",      "-DX",       "-x",  "c++",
                    "-ljpeg",   "-l",          "m",         "-O2", "-Wl,-rpath,lib",
                    "-Xlinker", "--as-needed", "-std=c++20"};
  EXPECT_EQ(resolve_relative_paths(flags, "/p"), flags);
}

TEST(JugCommandCompilerFlags, FindsIncludeDirectories) {
  const Words flags{"-Ia", "-I", "b", "-iquote", "c", "-isystemd", "-Lnot", "-L", "not", "-DI"};
  EXPECT_EQ(include_directories(flags), (std::vector<fs::path>{"a", "b", "c", "d"}));
}

TEST(JugCommandCompilerFlags, NamedFilesAreTheExistingRegularFiles) {
  const test_support::ScratchDirectory dir;
  const fs::path source = dir.write("extra.cpp", "int f();\n");
  const fs::path library = dir.write("libx.a", "!<arch>\n");
  const Words flags{"-lm",
                    source.string(),
                    dir.path().string(),
                    (dir.path() / "gone.cpp").string(),
                    "-I" + dir.path().string(),
                    library.string(),
                    source.string()};
  EXPECT_EQ(named_files(flags), (std::vector<fs::path>{source, library}));
}

}  // namespace
}  // namespace jug::tool
