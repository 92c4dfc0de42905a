#pragma once
/// The local files a source pulls in with `#include "..."`: what, besides
/// the jugfile itself, can change the program when edited.
///
/// This is a scan, not a preprocessor: it reads every `#include "name"`
/// line whatever #if surrounds it, and resolves `name` the way the compiler
/// looks for quoted includes (the including file's directory first, then
/// the given include directories). A name found nowhere is skipped: it is a
/// system header reached through the compiler's own path, or a mistake the
/// compiler will report. Scanning too much costs a little hashing; scanning
/// too little would reuse a stale program, so the scan errs on the side of
/// too much.

#include <filesystem>
#include <span>
#include <string>
#include <string_view>
#include <vector>

namespace jug::tool {

/// The names in the `#include "name"` lines of `source`, in order.
std::vector<std::string> quoted_includes(std::string_view source);

struct LocalFile {
  std::filesystem::path path;
  std::string content;
};

/// `root` and every local file it includes, directly or not: depth first,
/// in include order, each file once (include cycles are fine). Throws
/// ToolError if `root` cannot be read; an included file that cannot be read
/// is skipped like a missing one.
std::vector<LocalFile> local_include_closure(const std::filesystem::path& root,
                                             std::span<const std::filesystem::path> include_dirs);

}  // namespace jug::tool
