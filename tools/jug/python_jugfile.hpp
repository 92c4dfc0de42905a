#pragma once
/// A Python jugfile (`jug execute analysis.py`): run by the Python
/// interpreter jug was built with, importing this jug's `jug` package, whose
/// engine parses the same command line as a C++ jugfile's program
/// (python/jug/_run.py, docs/python.md).

#include <string>
#include <string_view>
#include <vector>

namespace jug::tool {

/// True for a file jug runs with Python: its name ends in `.py`.
bool is_python_jugfile(std::string_view file);

/// Becomes the Python interpreter running `argv` (as program_arguments
/// gives it) for the Python jugfile in it. Throws ToolError where this jug
/// has no Python front end.
[[noreturn]] void run_python_jugfile(const std::vector<std::string>& argv);

/// Becomes the Python interpreter running `module`'s main() (a module of
/// this jug's package) with `args` in its sys.argv after the first.
[[noreturn]] void run_python_module(const std::string& module,
                                    const std::vector<std::string>& args);

}  // namespace jug::tool
