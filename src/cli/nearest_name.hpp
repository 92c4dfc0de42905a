#pragma once
/// "Did you mean ...?": the name a user probably meant by a mistyped one.
/// Shared by the jug command (subcommands: `jug exec`) and the jugfile
/// program's command line (options: `--keepgoing`), so that both guess
/// alike. Header-only: the jug command links no jug library.

#include <algorithm>
#include <cstddef>
#include <optional>
#include <span>
#include <string_view>
#include <vector>

namespace jug {

/// Levenshtein distance: the number of single-character insertions,
/// deletions and substitutions that turn `a` into `b`.
inline std::size_t edit_distance(std::string_view a, std::string_view b) {
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

/// The name of `names` the user probably meant by `typo`, if one is close
/// enough: `typo` is the start of exactly one name ("exec"), or a name is at
/// most two edits away ("stats", "cleanpu", "keepgoing"); of several, the
/// nearest, the first listed on a tie.
inline std::optional<std::string_view> nearest_name(std::string_view typo,
                                                    std::span<const std::string_view> names) {
  if (typo.empty()) return std::nullopt;
  std::optional<std::string_view> prefix_match;
  int prefix_matches = 0;
  for (std::string_view name : names) {
    if (name.starts_with(typo)) {
      prefix_match = name;
      ++prefix_matches;
    }
  }
  if (prefix_matches == 1) return prefix_match;

  constexpr std::size_t kMaxEdits = 2;
  std::optional<std::string_view> best;
  std::size_t best_distance = kMaxEdits + 1;
  for (std::string_view name : names) {
    const std::size_t d = edit_distance(typo, name);
    // Two edits of a two-letter word can reach anything: demand that most of
    // what was typed survives.
    if (d < best_distance && d < typo.size()) {
      best = name;
      best_distance = d;
    }
  }
  return best;
}

}  // namespace jug
