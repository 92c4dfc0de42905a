#pragma once
/// User subcommands, found as git and cargo find theirs: `jug report ARGS…`,
/// where jug has no `report`, runs the executable `jug-report` found on
/// PATH with ARGS, and tells it in its environment what jug knows:
///   JUG_COMMAND  this jug (to run `jug status --json`, say)
///   JUG_JUGFILE  the jugfile, absolute (the first argument that is no
///                option, else jugfile.cpp or jugfile.py where it exists)
///   JUG_JUGDIR   where its results are stored: --jugdir (default
///                %(jugfile)s.jugdata) filled in, a directory or a store URL
/// docs/jug-command.md, "Your own subcommands", has an example.

#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace jug::tool {

/// The executable `jug-NAME` on PATH, or nothing (also for a name that
/// could be a path: only letters, digits, `-` and `_`).
std::optional<std::string> find_user_subcommand(std::string_view name);

/// Becomes `program` (found by find_user_subcommand) run with `args` (the
/// arguments after the subcommand's name), with the environment above.
[[noreturn]] void run_user_subcommand(const std::string& program,
                                      const std::vector<std::string>& args);

}  // namespace jug::tool
