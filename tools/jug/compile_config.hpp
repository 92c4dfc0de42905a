#pragma once
/// How to compile a jugfile against the library this jug belongs to.
///
/// CMake writes the configuration (see the top-level CMakeLists.txt): one
/// file in the build tree, beside the `jug` executable, so that a jug just
/// built uses the library just built; one installed under share/jug. jug
/// finds it from its own location, so several builds or installs of jug
/// side by side each compile against their own library.
///
/// Format: lines `key=value`; keys `cxx` (the compiler), `cxxflags` and
/// `libs` (whitespace-separated), `python` and `pythonpath` (for Python
/// jugfiles); blank lines and lines starting with `#`
/// are ignored, and so are unknown keys, so an older jug can read a newer
/// file. `${confdir}` in a value stands for the directory of the file.

#include <filesystem>
#include <string>
#include <string_view>
#include <vector>

namespace jug::tool {

struct CompileConfig {
  /// Where it was read from, for messages.
  std::filesystem::path path;
  /// The whole file: part of the build key, so any change rebuilds.
  std::string text;
  std::string cxx;
  std::string cxxflags;
  std::string libs;
  /// The Python interpreter that runs Python jugfiles, and the directory
  /// holding this jug's `jug` package for it; empty where jug was built
  /// without its Python front end.
  std::string python;
  std::string pythonpath;
  /// Libraries the interpreter must load first (LD_PRELOAD, `:`-separated):
  /// the sanitizers' runtimes, in a sanitized build.
  std::string python_preload;
};

/// Parses `text`, read from `path`. Throws ToolError if a line is not
/// `key=value` or `cxx` is missing.
CompileConfig parse_compile_config(std::string text, const std::filesystem::path& path);

/// Where to look, best first, for the jug executable in `exe_dir`:
/// `exe_dir/jug-compile.conf` (build tree), then
/// `exe_dir/../share/jug/compile.conf` (installed).
std::vector<std::filesystem::path> compile_config_candidates(const std::filesystem::path& exe_dir);

/// Reads the first candidate that exists. Throws ToolError if none does.
CompileConfig load_compile_config(const std::filesystem::path& exe_dir);

/// The directory of the running executable (from /proc/self/exe, so it does
/// not depend on how jug was invoked).
std::filesystem::path own_executable_directory();

}  // namespace jug::tool
