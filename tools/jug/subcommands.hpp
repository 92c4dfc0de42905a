#pragma once
/// The subcommands the jug command knows: the one list to extend when the
/// jugfile program learns a new one.

#include <optional>
#include <span>
#include <string_view>

namespace jug::tool {

struct Subcommand {
  std::string_view name;
  /// One line for the usage listing.
  std::string_view summary;
};

/// Every subcommand, in the order the usage lists them.
std::span<const Subcommand> subcommands();

/// The subcommand called `name`, or nullptr.
const Subcommand* find_subcommand(std::string_view name);

/// The subcommand the user probably meant by `typo`, if one is close enough:
/// `typo` is the start of exactly one name ("exec"), or a name is at most two
/// edits away ("stats", "cleanpu").
std::optional<std::string_view> suggest_subcommand(std::string_view typo);

}  // namespace jug::tool
