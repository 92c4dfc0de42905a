#include "directives.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <optional>

#include "text.hpp"
#include "tool_error.hpp"

namespace jug::tool {

namespace {

constexpr std::string_view kDirectivePrefix = "jug:";

/// If `line` is a directive, what follows "jug:" (trimmed), else nullopt.
std::optional<std::string_view> directive_body(std::string_view line) {
  line = trim(line);
  if (!line.starts_with("//")) return std::nullopt;
  line.remove_prefix(2);
  // `/// jug:` is a doc comment about jug, not to jug.
  if (line.starts_with('/')) return std::nullopt;
  line = trim(line);
  if (!line.starts_with(kDirectivePrefix)) return std::nullopt;
  return trim(line.substr(kDirectivePrefix.size()));
}

}  // namespace

Directives parse_directives(std::string_view source, std::string_view file_name) {
  Directives directives;
  std::size_t line_number = 0;
  for (std::string_view line : split_lines(source)) {
    ++line_number;
    const std::optional<std::string_view> body = directive_body(line);
    if (!body) continue;
    const std::size_t keyword_end = std::min(body->find_first_of(" \t"), body->size());
    const std::string_view keyword = body->substr(0, keyword_end);
    const std::vector<std::string> words = split_words(body->substr(keyword_end));
    std::vector<std::string>* target = nullptr;
    if (keyword == "cxxflags") {
      target = &directives.cxxflags;
    } else if (keyword == "libs") {
      target = &directives.libs;
    } else if (keyword == "pkg") {
      target = &directives.packages;
    } else {
      throw ToolError(fmt::format("{}:{}: unknown directive '// jug: {}'; the directives are "
                                  "'// jug: cxxflags FLAGS...', '// jug: libs LIBS...' and "
                                  "'// jug: pkg PACKAGES...'",
                                  file_name, line_number, keyword),
                      kExitFailure);
    }
    target->insert(target->end(), words.begin(), words.end());
  }
  return directives;
}

}  // namespace jug::tool
