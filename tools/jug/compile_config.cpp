#include "compile_config.hpp"

#include <fmt/format.h>

#include <system_error>

#include "text.hpp"
#include "tool_error.hpp"

namespace jug::tool {

namespace fs = std::filesystem;

CompileConfig parse_compile_config(std::string text, const fs::path& path) {
  CompileConfig config;
  config.path = path;
  std::size_t line_number = 0;
  for (std::string_view line : split_lines(text)) {
    ++line_number;
    line = trim(line);
    if (line.empty() || line.front() == '#') continue;
    const std::size_t equals = line.find('=');
    if (equals == std::string_view::npos) {
      throw ToolError(fmt::format("{}:{}: expected key=value, got '{}'; "
                                  "rebuild or reinstall jug to regenerate this file",
                                  path.string(), line_number, line),
                      kExitFailure);
    }
    const std::string_view key = trim(line.substr(0, equals));
    std::string value(trim(line.substr(equals + 1)));
    // An installed configuration names its paths relative to itself, so that
    // an install tree still works after being moved or installed elsewhere
    // (cmake --install --prefix) than configured.
    constexpr std::string_view kConfDir = "${confdir}";
    const std::string conf_dir = path.parent_path().string();
    for (std::size_t at = value.find(kConfDir); at != std::string::npos;
         at = value.find(kConfDir, at + conf_dir.size())) {
      value.replace(at, kConfDir.size(), conf_dir);
    }
    if (key == "cxx") {
      config.cxx = value;
    } else if (key == "cxxflags") {
      config.cxxflags = value;
    } else if (key == "libs") {
      config.libs = value;
    } else if (key == "python") {
      config.python = value;
    } else if (key == "pythonpath") {
      config.pythonpath = value;
    } else if (key == "python_preload") {
      config.python_preload = value;
    }
  }
  if (config.cxx.empty()) {
    throw ToolError(fmt::format("{} names no compiler (cxx=...); "
                                "rebuild or reinstall jug to regenerate this file",
                                path.string()),
                    kExitFailure);
  }
  config.text = std::move(text);
  return config;
}

std::vector<fs::path> compile_config_candidates(const fs::path& exe_dir) {
  return {exe_dir / "jug-compile.conf",
          (exe_dir / ".." / "share" / "jug" / "compile.conf").lexically_normal()};
}

CompileConfig load_compile_config(const fs::path& exe_dir) {
  const std::vector<fs::path> candidates = compile_config_candidates(exe_dir);
  for (const fs::path& candidate : candidates) {
    std::error_code error;
    if (!fs::exists(candidate, error)) continue;
    return parse_compile_config(read_file(candidate), candidate);
  }
  throw ToolError(fmt::format("cannot compile a jugfile: no compile configuration next to this jug "
                              "(looked for {} and {}); use the jug of a jug build tree or install, "
                              "or give an already built jugfile program as FILE",
                              candidates[0].string(), candidates[1].string()),
                  kExitFailure);
}

fs::path own_executable_directory() {
  std::error_code error;
  const fs::path exe = fs::read_symlink("/proc/self/exe", error);
  if (error) {
    throw ToolError(fmt::format("cannot find the jug executable (/proc/self/exe: {}), "
                                "so cannot find its compile configuration",
                                error.message()),
                    kExitFailure);
  }
  return exe.parent_path();
}

}  // namespace jug::tool
