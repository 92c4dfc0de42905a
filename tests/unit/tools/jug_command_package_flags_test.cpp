/// Tests of `// jug: pkg` (tools/jug/package_flags.hpp) with the machine's
/// own pkg-config and a package the build needs anyway (libjpeg, for the
/// chapter's image example).

#include <gtest/gtest.h>

#include <algorithm>
#include <string>
#include <vector>

#include "jug/package_flags.hpp"
#include "jug/tool_error.hpp"

namespace jug::tool {
namespace {

TEST(JugCommandPackageFlags, NoPackagesNoFlags) {
  const PackageFlags flags = package_flags({}, "f.cpp");
  EXPECT_TRUE(flags.cxxflags.empty());
  EXPECT_TRUE(flags.libs.empty());
}

TEST(JugCommandPackageFlags, AnInstalledPackageGivesItsLinkerFlags) {
  const PackageFlags flags = package_flags({"libjpeg"}, "f.cpp");
  EXPECT_NE(std::find(flags.libs.begin(), flags.libs.end(), "-ljpeg"), flags.libs.end());
}

TEST(JugCommandPackageFlags, AnUnknownPackageIsNamedWithWhatToDo) {
  try {
    package_flags({"libjpeg", "no-such-package-for-jug"}, "analysis.cpp");
    FAIL() << "no error";
  } catch (const ToolError& e) {
    const std::string message = e.what();
    EXPECT_NE(message.find("analysis.cpp"), std::string::npos) << message;
    EXPECT_NE(message.find("'no-such-package-for-jug'"), std::string::npos) << message;
    EXPECT_EQ(message.find("'libjpeg'"), std::string::npos) << "only the missing one";
    EXPECT_NE(message.find("PKG_CONFIG_PATH"), std::string::npos) << message;
  }
}

}  // namespace
}  // namespace jug::tool
