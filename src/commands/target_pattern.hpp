#pragma once
/// jug's --target syntax: `/regex/` searches the full task name; a pattern
/// with a dot must equal the full name; a bare word matches a task named
/// exactly that, or whose name ends in `.word` (a function in any module).
/// A word of 8 or more hex digits that matches no name selects the tasks
/// whose hash starts with it (as `status` and failure messages print
/// them): one task, run alone (`execute --pdb` runs a failed one so).

#include <optional>
#include <regex>
#include <string>
#include <string_view>
#include <vector>

#include "engine/graph.hpp"

namespace jug {

class TargetPattern {
 public:
  /// Throws jug::Error for an invalid regular expression or an empty pattern.
  explicit TargetPattern(std::string pattern);

  bool matches(std::string_view task_name) const;
  const std::string& text() const { return text_; }

  /// The ids of the tasks whose names match, or else whose hash does.
  std::vector<NodeId> select(const Graph& graph) const;

 private:
  std::string text_;
  std::optional<std::regex> regex_;
};

}  // namespace jug
