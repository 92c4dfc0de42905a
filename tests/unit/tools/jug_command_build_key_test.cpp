#include <fcntl.h>
#include <gtest/gtest.h>
#include <sys/stat.h>

#include <filesystem>
#include <string>
#include <vector>

#include "jug/build_key.hpp"
#include "jug/local_includes.hpp"
#include "jug/tool_error.hpp"
#include "scratch_directory.hpp"

namespace jug::tool {
namespace {

namespace fs = std::filesystem;
using test_support::ScratchDirectory;

/// Sets the mtime of `path` to `seconds` since the epoch.
void set_mtime(const fs::path& path, long seconds) {
  const timespec times[2] = {{seconds, 0}, {seconds, 0}};
  ASSERT_EQ(::utimensat(AT_FDCWD, path.c_str(), times, 0), 0);
}

class JugCommandBuildKey : public ::testing::Test {
 protected:
  JugCommandBuildKey() {
    dir_.write("jugfile.cpp",
               "#include <jug/jug.hpp>\n#include \"local.hpp\"\nint main() { return LOCAL; }\n");
    dir_.write("local.hpp", "#pragma once\n#include \"sub/deeper.hpp\"\n#define LOCAL DEEPER\n");
    dir_.write("sub/deeper.hpp", "#pragma once\n#include \"../local.hpp\"\n#define DEEPER 1\n");
    compiler_ = dir_.write("bin/c++", "not really a compiler");
    library_ = dir_.write("lib/libjug.a", "!<arch>\n");
    set_mtime(library_, 1'000'000);
  }

  BuildInputs inputs() const {
    return {.source = dir_.path() / "jugfile.cpp",
            .compile_config = "cxx=c++\ncxxflags=-O2\nlibs=libjug.a\n",
            .extra_cxxflags = {"-ffp-contract=off"},
            .extra_libs = {"-ljpeg"},
            .compiler = compiler_,
            .libs = {library_.string(), "-lfmt"}};
  }

  ScratchDirectory dir_;
  fs::path compiler_;
  fs::path library_;
};

TEST_F(JugCommandBuildKey, IsAHexSha256) {
  const std::string key = build_key(inputs());
  EXPECT_EQ(key.size(), 64u);
  EXPECT_EQ(key.find_first_not_of("0123456789abcdef"), std::string::npos);
}

TEST_F(JugCommandBuildKey, SameInputsSameKey) {
  EXPECT_EQ(build_key(inputs()), build_key(inputs()));
}

TEST_F(JugCommandBuildKey, DoesNotDependOnWhereTheJugfileIs) {
  const std::string key = build_key(inputs());
  ScratchDirectory elsewhere;
  for (const char* file : {"jugfile.cpp", "local.hpp", "sub/deeper.hpp"}) {
    fs::create_directories((elsewhere.path() / file).parent_path());
    fs::copy_file(dir_.path() / file, elsewhere.path() / file);
  }
  BuildInputs moved = inputs();
  moved.source = elsewhere.path() / "jugfile.cpp";
  EXPECT_EQ(build_key(moved), key);
}

TEST_F(JugCommandBuildKey, ChangesWithTheSource) {
  const std::string key = build_key(inputs());
  dir_.write("jugfile.cpp", "#include \"local.hpp\"\nint main() { return LOCAL + 1; }\n");
  EXPECT_NE(build_key(inputs()), key);
}

TEST_F(JugCommandBuildKey, ChangesWithAnIncludedLocalHeader) {
  const std::string key = build_key(inputs());
  dir_.write("local.hpp", "#pragma once\n#include \"sub/deeper.hpp\"\n#define LOCAL 2\n");
  const std::string after_direct = build_key(inputs());
  EXPECT_NE(after_direct, key);
  dir_.write("sub/deeper.hpp", "#pragma once\n#define DEEPER 3\n");
  EXPECT_NE(build_key(inputs()), after_direct);
}

TEST_F(JugCommandBuildKey, IgnoresFilesThatAreNotIncluded) {
  const std::string key = build_key(inputs());
  dir_.write("unrelated.hpp", "#define NOTHING\n");
  EXPECT_EQ(build_key(inputs()), key);
}

TEST_F(JugCommandBuildKey, ChangesWithTheConfigurationAndFlags) {
  const std::string key = build_key(inputs());
  BuildInputs changed = inputs();
  changed.compile_config += "# edited\n";
  EXPECT_NE(build_key(changed), key);
  changed = inputs();
  changed.extra_cxxflags.push_back("-DX");
  EXPECT_NE(build_key(changed), key);
  changed = inputs();
  changed.extra_libs.clear();
  EXPECT_NE(build_key(changed), key);
}

TEST_F(JugCommandBuildKey, FlagsDoNotRunIntoEachOther) {
  BuildInputs a = inputs();
  a.extra_cxxflags = {"-DA", "-DB"};
  BuildInputs b = inputs();
  b.extra_cxxflags = {"-DA-DB"};
  EXPECT_NE(build_key(a), build_key(b));
}

TEST_F(JugCommandBuildKey, ChangesWhenTheLibraryIsRebuilt) {
  const std::string key = build_key(inputs());
  set_mtime(library_, 2'000'000);
  EXPECT_NE(build_key(inputs()), key);
}

TEST_F(JugCommandBuildKey, ChangesWithTheCompiler) {
  const std::string key = build_key(inputs());
  dir_.write("bin/c++", "an upgraded compiler");
  EXPECT_NE(build_key(inputs()), key);
}

TEST_F(JugCommandBuildKey, ChangesWithAnExtraSourceAndItsHeaders) {
  dir_.write("extra.cpp", "#include \"extra.hpp\"\nint extra() { return E; }\n");
  dir_.write("extra.hpp", "#define E 1\n");
  BuildInputs with_extra = inputs();
  with_extra.extra_cxxflags.push_back((dir_.path() / "extra.cpp").string());
  const std::string key = build_key(with_extra);
  dir_.write("extra.hpp", "#define E 2\n");
  EXPECT_NE(build_key(with_extra), key);
}

TEST_F(JugCommandBuildKey, FollowsIncludeDirectoriesFromTheFlags) {
  dir_.write("jugfile.cpp", "#include \"found_via_flag.hpp\"\nint main() {}\n");
  dir_.write("include/found_via_flag.hpp", "#define V 1\n");
  BuildInputs with_dir = inputs();
  with_dir.extra_cxxflags.push_back("-I" + (dir_.path() / "include").string());
  const std::string key = build_key(with_dir);
  dir_.write("include/found_via_flag.hpp", "#define V 2\n");
  EXPECT_NE(build_key(with_dir), key);
}

TEST_F(JugCommandBuildKey, UnreadableJugfileIsAToolError) {
  BuildInputs missing = inputs();
  missing.source = dir_.path() / "nope.cpp";
  EXPECT_THROW(build_key(missing), ToolError);
}

TEST(JugCommandLocalIncludes, ReadsQuotedIncludesOnly) {
  EXPECT_EQ(quoted_includes("#include \"a.hpp\"\n"
                            "  #  include   \"dir/b.h\" // why\n"
                            "#include <vector>\n"
                            "#define X \"c.h\"\n"
                            "#include \"\"\n"
                            "#include_next \"d.h\"\n"),
            (std::vector<std::string>{"a.hpp", "dir/b.h"}));
}

TEST(JugCommandLocalIncludes, ClosureIsDepthFirstOnceEachAndSkipsMissing) {
  ScratchDirectory dir;
  const fs::path root =
      dir.write("main.cpp", "#include \"a.h\"\n#include \"missing.h\"\n#include \"b.h\"\n");
  dir.write("a.h", "#include \"b.h\"\n#include \"main.cpp\"\n");
  dir.write("b.h", "#include \"a.h\"\n");
  std::vector<fs::path> names;
  for (const LocalFile& file : local_include_closure(root, {}))
    names.push_back(file.path.filename());
  EXPECT_EQ(names, (std::vector<fs::path>{"main.cpp", "a.h", "b.h"}));
}

}  // namespace
}  // namespace jug::tool
