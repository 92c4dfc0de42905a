#include <gtest/gtest.h>

#include <string>
#include <vector>

#include "jug/directives.hpp"
#include "jug/tool_error.hpp"

namespace jug::tool {
namespace {

using Words = std::vector<std::string>;

TEST(JugCommandDirectives, NoneInAPlainFile) {
  const Directives d = parse_directives("#include <jug/jug.hpp>\nint main() {}\n", "f.cpp");
  EXPECT_TRUE(d.cxxflags.empty());
  EXPECT_TRUE(d.libs.empty());
}

TEST(JugCommandDirectives, ReadsCxxflagsAndLibs) {
  const Directives d = parse_directives(
      "// jug: cxxflags -ffp-contract=off -Iinclude\n"
      "// jug: libs -ljpeg\n"
      "#include <jug/jug.hpp>\n"
      "  //jug:libs   -llinear   extra.a  \r\n"
      "// jug: cxxflags features.cpp\n",
      "f.cpp");
  EXPECT_EQ(d.cxxflags, (Words{"-ffp-contract=off", "-Iinclude", "features.cpp"}));
  EXPECT_EQ(d.libs, (Words{"-ljpeg", "-llinear", "extra.a"}));
}

TEST(JugCommandDirectives, ReadsPackages) {
  const Directives d = parse_directives("// jug: pkg eigen3\n// jug: pkg libpng  zlib\n", "f.cpp");
  EXPECT_EQ(d.packages, (Words{"eigen3", "libpng", "zlib"}));
  EXPECT_TRUE(d.cxxflags.empty());
}

TEST(JugCommandDirectives, EmptyDirectiveAddsNothing) {
  const Directives d = parse_directives("// jug: libs\n// jug: cxxflags   \n", "f.cpp");
  EXPECT_TRUE(d.cxxflags.empty());
  EXPECT_TRUE(d.libs.empty());
}

TEST(JugCommandDirectives, OnlyWholeLineCommentsCount) {
  const Directives d = parse_directives(
      "int x;  // jug: libs -lnot\n"
      "/// jug: libs -lnot_a_doc_comment\n"
      "/* jug: libs -lnot */\n"
      "// see jug: libs are added\n",
      "f.cpp");
  EXPECT_TRUE(d.libs.empty());
  EXPECT_TRUE(d.cxxflags.empty());
}

TEST(JugCommandDirectives, UnknownKeywordIsAnErrorNamingTheLine) {
  try {
    parse_directives("int a;\n// jug: lib -ljpeg\n", "mine.cpp");
    FAIL() << "expected a ToolError";
  } catch (const ToolError& e) {
    EXPECT_NE(std::string(e.what()).find("mine.cpp:2"), std::string::npos) << e.what();
    EXPECT_NE(std::string(e.what()).find("'// jug: lib'"), std::string::npos) << e.what();
    EXPECT_EQ(e.exit_code(), kExitFailure);
  }
}

}  // namespace
}  // namespace jug::tool
