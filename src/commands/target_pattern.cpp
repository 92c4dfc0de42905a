#include "commands/target_pattern.hpp"

#include <fmt/format.h>

#include <algorithm>

#include "jug/errors.hpp"

namespace jug {
namespace {

/// Lower-case hex digits, at least 8 of them: a hash as jug prints it.
bool is_hash_prefix(std::string_view text) {
  return text.size() >= 8 && std::all_of(text.begin(), text.end(), [](char c) {
           return (c >= '0' && c <= '9') || (c >= 'a' && c <= 'f');
         });
}

}  // namespace

TargetPattern::TargetPattern(std::string pattern) : text_(std::move(pattern)) {
  if (text_.empty()) throw Error("jug: the target pattern is empty");
  if (text_.size() >= 2 && text_.front() == '/' && text_.back() == '/') {
    try {
      regex_.emplace(text_.substr(1, text_.size() - 2), std::regex::ECMAScript);
    } catch (const std::regex_error& e) {
      throw Error(fmt::format("jug: invalid regular expression in target {}: {}", text_,
                              e.what()));
    }
  }
}

bool TargetPattern::matches(std::string_view name) const {
  if (regex_) return std::regex_search(name.begin(), name.end(), *regex_);
  if (text_.find('.') != std::string::npos) return name == text_;
  if (name == text_) return true;
  return name.size() > text_.size() && name.ends_with(text_) &&
         name[name.size() - text_.size() - 1] == '.';
}

std::vector<NodeId> TargetPattern::select(const Graph& graph) const {
  // Names repeat across many tasks: match each distinct name once.
  std::vector<char> name_matches(graph.names().size());
  for (std::size_t i = 0; i < graph.names().size(); ++i) {
    name_matches[i] = matches(graph.names()[i]);
  }
  std::vector<NodeId> out;
  for (NodeId id = 0; id < graph.size(); ++id) {
    if (name_matches[graph.node(id).name_id]) out.push_back(id);
  }
  if (out.empty() && is_hash_prefix(text_)) {
    for (NodeId id = 0; id < graph.size(); ++id) {
      if (graph.hash(id).hex().starts_with(text_)) out.push_back(id);
    }
  }
  return out;
}

}  // namespace jug
