#include "subcommands.hpp"

#include <algorithm>
#include <array>

#include "cli/nearest_name.hpp"

namespace jug::tool {

namespace {

/// Add a subcommand here (and to the program's CLI): nothing else in the jug
/// command lists them.
constexpr std::array kSubcommands{
    Subcommand{"execute", "run the tasks; start several to share the work"},
    Subcommand{"status", "show how many tasks are waiting, ready, running, finished, failed"},
    Subcommand{"check", "exit 0 if every task is finished, 1 otherwise"},
    Subcommand{"sleep-until", "wait until every task is finished"},
    Subcommand{"invalidate", "remove the results of --target tasks and of all that depend on them"},
    Subcommand{"cleanup", "remove stored results and locks that no task of the jugfile produces"},
    Subcommand{"pack", "gather the small results into few files (safe while workers run)"},
    Subcommand{"count", "count the tasks per name"},
    Subcommand{"graph", "draw the task graph with each task's state (dot, svg, png, json)"},
    Subcommand{"show", "all about the tasks matching PATTERN: state, arguments, result, its run"},
    Subcommand{"why", "why the tasks matching PATTERN will run: which input changed, what waits"},
    Subcommand{"export", "write the results of the tasks matching PATTERN as JSON or CSV"},
    Subcommand{"submit", "queue workers on the cluster's batch system (SLURM, Grid Engine, PBS, LSF)"},
};

}  // namespace

std::span<const Subcommand> subcommands() { return kSubcommands; }

const Subcommand* find_subcommand(std::string_view name) {
  for (const Subcommand& s : kSubcommands) {
    if (s.name == name) return &s;
  }
  return nullptr;
}

std::optional<std::string_view> suggest_subcommand(std::string_view typo) {
  std::array<std::string_view, kSubcommands.size()> names;
  std::transform(kSubcommands.begin(), kSubcommands.end(), names.begin(),
                 [](const Subcommand& s) { return s.name; });
  return nearest_name(typo, names);
}

}  // namespace jug::tool
