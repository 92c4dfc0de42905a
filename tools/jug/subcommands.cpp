#include "subcommands.hpp"

#include <algorithm>
#include <array>
#include <vector>

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
    Subcommand{"count", "count the tasks per name"},
};

/// Levenshtein distance: the number of single-character insertions,
/// deletions and substitutions that turn `a` into `b`.
std::size_t edit_distance(std::string_view a, std::string_view b) {
  std::vector<std::size_t> row(b.size() + 1);
  for (std::size_t j = 0; j <= b.size(); ++j) row[j] = j;
  for (std::size_t i = 1; i <= a.size(); ++i) {
    std::size_t diagonal = row[0];
    row[0] = i;
    for (std::size_t j = 1; j <= b.size(); ++j) {
      const std::size_t above = row[j];
      row[j] = std::min({row[j] + 1, row[j - 1] + 1, diagonal + (a[i - 1] == b[j - 1] ? 0 : 1)});
      diagonal = above;
    }
  }
  return row[b.size()];
}

}  // namespace

std::span<const Subcommand> subcommands() { return kSubcommands; }

const Subcommand* find_subcommand(std::string_view name) {
  for (const Subcommand& s : kSubcommands) {
    if (s.name == name) return &s;
  }
  return nullptr;
}

std::optional<std::string_view> suggest_subcommand(std::string_view typo) {
  if (typo.empty()) return std::nullopt;
  const Subcommand* prefix_match = nullptr;
  int prefix_matches = 0;
  for (const Subcommand& s : kSubcommands) {
    if (s.name.starts_with(typo)) {
      prefix_match = &s;
      ++prefix_matches;
    }
  }
  if (prefix_matches == 1) return prefix_match->name;

  constexpr std::size_t kMaxEdits = 2;
  std::optional<std::string_view> best;
  std::size_t best_distance = kMaxEdits + 1;
  for (const Subcommand& s : kSubcommands) {
    const std::size_t d = edit_distance(typo, s.name);
    // Two edits of a two-letter word can reach anything: demand that most of
    // what was typed survives.
    if (d < best_distance && d < typo.size()) {
      best = s.name;
      best_distance = d;
    }
  }
  return best;
}

}  // namespace jug::tool
