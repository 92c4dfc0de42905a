#pragma once
/// `jug execute --debug`: slower checks of each task run, Python jug's and
/// more, each naming the task and what it did wrong:
///  - it changed something it was given (an argument of its own, or the
///    result of a task it reads: through a const_cast, a pointer inside
///    it, a mutable member), which its hash, and every other task reading
///    that result, rely on not changing;
///  - its result does not come back as it went: two encodings of it
///    differ (the encoding is not a function of the value), it reads back
///    unequal (==, where the type has one: a serialize that forgets a
///    field), or, read back, it encodes to other bytes.
/// A task created while another runs is refused with or without --debug
/// (the engine's graph is built only by the build function).

#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "engine/graph.hpp"

namespace jug {

/// How each message of a broken rule ends: `execute --pdb` knows by it that
/// the task threw nothing a debugger could stop at.
inline constexpr std::string_view kBrokenRuleMark = "(execute --debug)";

/// What a task is given, taken just before it runs.
class InputsBefore {
 public:
  /// `inputs`: the results of its dependencies, as it is given them
  /// (`viewed[i]`: dependency i is read as a view of its elements, which
  /// cannot be written, and is not compared).
  InputsBefore(const Graph& graph, NodeId id, std::span<const AnyValue> inputs,
               const std::vector<bool>& viewed);

  /// After the task ran: what it changed, said for the user after the
  /// task's name ("it changed its argument 2 (of 3)..."); nothing if it
  /// changed nothing.
  std::optional<std::string> changes(std::span<const AnyValue> inputs) const;

 private:
  std::optional<std::string> encoded_input(std::size_t i, const AnyValue& value) const;

  const Graph& graph_;
  NodeId id_;
  std::vector<std::string> arguments_;
  std::vector<bool> viewed_;
  std::vector<std::optional<std::string>> dependencies_;
};

/// `value`, the result `id` just returned, encoded twice, read back and
/// compared: what is wrong, said for the user after the task's name ("its
/// result, a Point, ..."); nothing if all is well.
std::optional<std::string> check_result_round_trip(const Graph& graph, NodeId id,
                                                   const AnyValue& value);

}  // namespace jug
