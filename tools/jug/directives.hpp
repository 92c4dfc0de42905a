#pragma once
/// Directives: what a jugfile says about its own build, in comments that
/// leave it an ordinary C++ file.
///
///     // jug: cxxflags -ffp-contract=off -Ithird_party features.cpp
///     // jug: libs -ljpeg -llinear
///     // jug: pkg eigen3 libpng
///
/// A directive is a line of its own starting with `//`, then `jug:`, then a
/// keyword. Several lines of one keyword add up, in order. Relative paths
/// in them are relative to the jugfile (see compiler_flags.hpp), because
/// that is where their author looked when writing them.

#include <string>
#include <string_view>
#include <vector>

namespace jug::tool {

struct Directives {
  /// Added after the configured cxxflags, before the jugfile on the command
  /// line: extra sources belong here.
  std::vector<std::string> cxxflags;
  /// Added after the configured libs, at the end of the command line.
  std::vector<std::string> libs;
  /// Installed libraries by their pkg-config names: their compiler and
  /// linker flags are added (package_flags.hpp), so that nobody writes
  /// `-I/usr/include/eigen3` by hand.
  std::vector<std::string> packages;
};

/// The directives in `source`. `file_name` is only for messages. Throws
/// ToolError on `// jug: <unknown keyword>`: a misspelt directive ignored
/// would surface later as a baffling link error.
Directives parse_directives(std::string_view source, std::string_view file_name);

}  // namespace jug::tool
