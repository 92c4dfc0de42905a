#pragma once
/// Libraries found by name: `// jug: pkg eigen3 libpng` in a jugfile gives
/// it the compiler and linker flags pkg-config knows for those packages, as
/// CMake's pkg_check_modules and meson's dependency() do.

#include <string>
#include <string_view>
#include <vector>

namespace jug::tool {

struct PackageFlags {
  std::vector<std::string> cxxflags;  // pkg-config --cflags
  std::vector<std::string> libs;      // pkg-config --libs
};

/// The flags of `packages` (none for none). Throws ToolError naming the
/// first package pkg-config does not know, and what to do (install its
/// development package, or point PKG_CONFIG_PATH at its .pc file), or
/// saying that pkg-config itself is missing. `jugfile` is for messages.
PackageFlags package_flags(const std::vector<std::string>& packages, std::string_view jugfile);

}  // namespace jug::tool
