#pragma once
/// The build key: the name of a compiled jugfile in the cache. Two builds
/// with the same key must make the same program, so everything that can
/// change the program goes in:
/// - the jugfile and every local header it includes (contents);
/// - the compile configuration (compiler, flags, library) and the extra
///   flags from directives and the environment;
/// - the compiler binary (path, size, mtime): an upgraded compiler rebuilds;
/// - every file named in the libs and extra flags: sources and headers by
///   contents (with their local includes), anything else (the jug library)
///   by size and mtime, so that rebuilding the library rebuilds jugfiles
///   without hashing megabytes on every run.
/// What is left out: system headers (they change with the compiler or the
/// library, which are in), and the jugfile's location (the same source
/// builds the same program anywhere; paths from directives are in, resolved).

#include <filesystem>
#include <string>
#include <vector>

namespace jug::tool {

struct BuildInputs {
  /// The jugfile, as a path valid from the working directory.
  std::filesystem::path source;
  /// The compile configuration, verbatim.
  std::string compile_config;
  /// From directives (paths already resolved) then the environment.
  std::vector<std::string> extra_cxxflags;
  std::vector<std::string> extra_libs;
  /// The compiler as it will be run (found in PATH if not a path).
  std::filesystem::path compiler;
  /// The configured libs, split into words.
  std::vector<std::string> libs;
};

/// The key for `inputs`: 64 lowercase hex digits of a SHA-256. Reads the
/// files; throws ToolError if the jugfile cannot be read.
std::string build_key(const BuildInputs& inputs);

/// `command` as it will be run: itself if it contains a '/', else the first
/// executable `command` in $PATH, else itself (the compile will fail and say
/// so; the key just cannot see the compiler then).
std::filesystem::path find_in_path(const std::string& command);

}  // namespace jug::tool
