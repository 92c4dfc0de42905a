#pragma once
/// `--verbose LEVEL`, as Python jug takes it (`--verbose info`), beside the
/// plain `-v`/`--verbose` flag. Shared by the jug command (which must not
/// take `jug status --verbose info` for a jugfile named `info`) and the
/// jugfile program's command line. Header-only: the jug command links no
/// jug library.

#include <algorithm>
#include <array>
#include <cctype>
#include <optional>
#include <string>
#include <string_view>

namespace jug {

/// Python's logging levels, which jug's --verbose names: debug and info say
/// more than the default; the others no more than it.
inline constexpr std::array<std::string_view, 5> kVerboseLevels{"debug", "info", "warning",
                                                                "error", "critical"};

/// For a level's name in any case ("INFO"): whether it asks for more output
/// than the default. Nothing for a word that is no level.
inline std::optional<bool> verbose_level_says_more(std::string_view word) {
  std::string lower(word);
  std::transform(lower.begin(), lower.end(), lower.begin(),
                 [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
  const auto* found = std::find(kVerboseLevels.begin(), kVerboseLevels.end(), lower);
  if (found == kVerboseLevels.end()) return std::nullopt;
  return found - kVerboseLevels.begin() <= 1;
}

}  // namespace jug
