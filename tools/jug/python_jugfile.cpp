#include "python_jugfile.hpp"

#include <cstdlib>

#include <fmt/format.h>

#include "compile_config.hpp"
#include "process.hpp"
#include "tool_error.hpp"

namespace jug::tool {

bool is_python_jugfile(std::string_view file) { return file.ends_with(".py"); }

void run_python_jugfile(const std::vector<std::string>& argv) {
  const CompileConfig config = load_compile_config(own_executable_directory());
  if (config.python.empty() || config.pythonpath.empty()) {
    throw ToolError(fmt::format("this jug was built without its Python front end, so it cannot "
                                "run {}: build it with -DJUG_BUILD_PYTHON=ON (the default; it "
                                "needs pybind11-dev and python3-dev)",
                                argv.size() > 2 ? argv[2] : std::string("a Python jugfile")),
                    kExitFailure);
  }
  // This jug's package first: a Python jug installed for the same Python
  // must not be the one imported.
  std::string path = config.pythonpath;
  if (const char* existing = std::getenv("PYTHONPATH"); existing != nullptr && *existing) {
    path += ":" + std::string(existing);
  }
  ::setenv("PYTHONPATH", path.c_str(), 1);
  std::vector<std::string> python_argv{config.python, "-c", "import jug._run; jug._run.main()"};
  python_argv.insert(python_argv.end(), argv.begin() + 1, argv.end());
  replace_process(config.python, python_argv);
}

}  // namespace jug::tool
