#include "python_jugfile.hpp"

#include <cstdlib>
#include <span>

#include <fmt/format.h>

#include "compile_config.hpp"
#include "process.hpp"
#include "tool_error.hpp"

namespace jug::tool {

bool is_python_jugfile(std::string_view file) { return file.ends_with(".py"); }

namespace {

/// Runs `module`.main() of this jug's package with `args` after sys.argv[0].
[[noreturn]] void run_module(const std::string& module, std::span<const std::string> args,
                             std::string_view what) {
  const CompileConfig config = load_compile_config(own_executable_directory());
  if (config.python.empty() || config.pythonpath.empty()) {
    throw ToolError(fmt::format("this jug was built without its Python front end, so it cannot "
                                "{}: build it with -DJUG_BUILD_PYTHON=ON (the default; it "
                                "needs pybind11-dev and python3-dev)",
                                what),
                    kExitFailure);
  }
  // This jug's package first: a Python jug installed for the same Python
  // must not be the one imported.
  std::string path = config.pythonpath;
  if (const char* existing = std::getenv("PYTHONPATH"); existing != nullptr && *existing) {
    path += ":" + std::string(existing);
  }
  ::setenv("PYTHONPATH", path.c_str(), 1);
  if (!config.python_preload.empty()) {
    std::string preload = config.python_preload;
    if (const char* existing = std::getenv("LD_PRELOAD"); existing != nullptr && *existing) {
      preload += ":" + std::string(existing);
    }
    ::setenv("LD_PRELOAD", preload.c_str(), 1);
    // Python keeps much of what it allocates until the process ends: a
    // leak report would be about Python, not about jug.
    const char* asan = std::getenv("ASAN_OPTIONS");
    const std::string options =
        std::string(asan != nullptr ? asan : "") + (asan != nullptr && *asan ? ":" : "") +
        "detect_leaks=0";
    ::setenv("ASAN_OPTIONS", options.c_str(), 1);
  }
  std::vector<std::string> python_argv{
      config.python, "-c", fmt::format("import {0}; {0}.main()", module)};
  python_argv.insert(python_argv.end(), args.begin(), args.end());
  replace_process(config.python, python_argv);
}

}  // namespace

void run_python_jugfile(const std::vector<std::string>& argv) {
  run_module("jug._run", std::span(argv).subspan(1),
             "run " + (argv.size() > 2 ? argv[2] : std::string("a Python jugfile")));
}

void run_python_module(const std::string& module, const std::vector<std::string>& args) {
  run_module(module, std::span(args).subspan(1), "run `jug " + args.at(0) + "`");
}

}  // namespace jug::tool
