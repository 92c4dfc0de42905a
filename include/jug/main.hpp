#pragma once
/// jug::main: the command line of a jugfile.

#include <functional>
#include <source_location>
#include <string>
#include <vector>

namespace jug {

/// Parses the subcommand and options in argv, builds the task graph by
/// calling `build`, and carries out the subcommand. Returns the exit code.
/// `build` may be called more than once; it must only create tasks.
/// `caller` (leave it as it is) names the jugfile's source: a program run
/// directly keeps its results beside it (`analysis.jugdata` beside
/// `analysis.cpp`), where `jug execute analysis.cpp` keeps them too, and not
/// in the build tree.
int main(int argc, char** argv, const std::function<void()>& build,
         const std::source_location& caller = std::source_location::current());

/// The arguments given after `--` on the command line, for the jugfile.
const std::vector<std::string>& arguments();

}  // namespace jug
