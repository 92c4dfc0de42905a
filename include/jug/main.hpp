#pragma once
/// jug::main: the command line of a jugfile.

#include <functional>
#include <string>
#include <vector>

namespace jug {

/// Parses the subcommand and options in argv, builds the task graph by
/// calling `build`, and carries out the subcommand. Returns the exit code.
/// `build` may be called more than once; it must only create tasks.
int main(int argc, char** argv, const std::function<void()>& build);

/// The arguments given after `--` on the command line, for the jugfile.
const std::vector<std::string>& arguments();

}  // namespace jug
