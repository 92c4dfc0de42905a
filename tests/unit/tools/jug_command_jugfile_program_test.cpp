#include <gtest/gtest.h>

#include <cstdlib>
#include <filesystem>
#include <string>

#include "jug/jugfile_program.hpp"
#include "jug/tool_error.hpp"
#include "scratch_directory.hpp"

namespace jug::tool {
namespace {

namespace fs = std::filesystem;
using test_support::ScratchDirectory;

const char* no_environment(const char*) { return nullptr; }

TEST(JugCommandJugfileProgram, KnowsCppSources) {
  for (const char* name : {"jugfile.cpp", "a/b.cc", "x.cxx", "y.C"})
    EXPECT_TRUE(is_cpp_source(name)) << name;
  for (const char* name : {"jugfile", "jugfile.py", "x.c", "x.hpp", "cpp"})
    EXPECT_FALSE(is_cpp_source(name)) << name;
}

TEST(JugCommandJugfileProgram, ABuiltProgramIsRunAsItIs) {
  ScratchDirectory dir;
  const fs::path program = dir.write("jugfile", "#!/bin/sh\n");
  fs::permissions(program, fs::perms::owner_all);
  EXPECT_EQ(jugfile_program(program.string(), no_environment), program.string());
}

TEST(JugCommandJugfileProgram, RefusesDirectoriesAndNonExecutables) {
  ScratchDirectory dir;
  const fs::path text = dir.write("jugfile.py", "print('hi')\n");
  fs::permissions(text, fs::perms::owner_read | fs::perms::owner_write);
  for (const fs::path& path : {dir.path(), text}) {
    try {
      jugfile_program(path.string(), no_environment);
      ADD_FAILURE() << "expected a ToolError for " << path;
    } catch (const ToolError& e) {
      EXPECT_EQ(e.exit_code(), kExitUsage) << e.what();
      EXPECT_NE(std::string(e.what()).find(path.string()), std::string::npos) << e.what();
    }
  }
}

}  // namespace
}  // namespace jug::tool
