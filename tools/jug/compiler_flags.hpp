#pragma once
/// What the jug command needs to know about compiler flags: which of them
/// name files or directories.
///
/// Flags from a jugfile's directives are written relative to the jugfile
/// (`// jug: cxxflags -Iinclude features.cpp`), but the compiler runs in the
/// user's working directory, which may be elsewhere; so those paths are made
/// absolute. The same knowledge finds the include directories and the files
/// (extra sources, libraries) whose contents belong in the build key.

#include <filesystem>
#include <span>
#include <string>
#include <vector>

namespace jug::tool {

/// `flags` with every relative path made relative to `base` instead:
/// the values of -I, -L, -iquote, -isystem, -idirafter (attached or
/// separate), of -include and -imacros (separate), and bare file names
/// (`extra.cpp`, `libfoo.a`). Values of options like -D, -U, -x, -l,
/// -Xlinker stay as they are, and so does everything else (-Wl,... too:
/// its contents are the linker's business).
std::vector<std::string> resolve_relative_paths(std::span<const std::string> flags,
                                                const std::filesystem::path& base);

/// The directories of -I, -iquote, -isystem and -idirafter in `flags`, in
/// order: where `#include "..."` may also find a file.
std::vector<std::filesystem::path> include_directories(std::span<const std::string> flags);

/// The words of `flags` that name an existing regular file (extra sources,
/// libraries, forced includes), in order, each once.
std::vector<std::filesystem::path> named_files(std::span<const std::string> flags);

}  // namespace jug::tool
