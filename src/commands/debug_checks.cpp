#include "commands/debug_checks.hpp"

#include <fmt/format.h>

#include <algorithm>

#include "engine/results.hpp"
#include "engine/type_name.hpp"
#include "jug/archives.hpp"

namespace jug {
namespace {

/// Where `a` and `b` first differ, for messages.
std::string first_difference(const std::string& a, const std::string& b) {
  const auto mismatch = std::mismatch(a.begin(), a.end(), b.begin(), b.end());
  return fmt::format("first at byte {} of {} and {}", mismatch.first - a.begin(), a.size(),
                     b.size());
}

constexpr const char* kDoNotModify =
    "a task must not modify what it is given (its hash, and every other task reading the "
    "same value, rely on it): work on a copy";

}  // namespace

InputsBefore::InputsBefore(const Graph& graph, NodeId id, std::span<const AnyValue> inputs,
                           const std::vector<bool>& viewed)
    : graph_(graph),
      id_(id),
      arguments_(graph.node(id).body->argument_fingerprints()),
      viewed_(viewed) {
  for (std::size_t i = 0; i < inputs.size(); ++i) {
    dependencies_.push_back(encoded_input(i, inputs[i]));
  }
}

std::optional<std::string> InputsBefore::encoded_input(std::size_t i,
                                                       const AnyValue& value) const {
  if (i < viewed_.size() && viewed_[i]) return std::nullopt;
  const NodeId dependency = graph_.node(id_).dependencies()[i];
  return graph_.node(dependency).body->value_fingerprint(value);
}

std::optional<std::string> InputsBefore::changes(std::span<const AnyValue> inputs) const {
  const std::vector<std::string> arguments = graph_.node(id_).body->argument_fingerprints();
  for (std::size_t i = 0; i < arguments.size() && i < arguments_.size(); ++i) {
    if (arguments[i] != arguments_[i]) {
      return fmt::format("it changed its argument {} (of {}) while it ran: {} {}",
                         i + 1, arguments.size(), kDoNotModify, kBrokenRuleMark);
    }
  }
  for (std::size_t i = 0; i < inputs.size() && i < dependencies_.size(); ++i) {
    if (!dependencies_[i]) continue;
    if (encoded_input(i, inputs[i]) != dependencies_[i]) {
      return fmt::format(
          "it changed the result of task {}, which it reads, while it ran: {} {}",
          describe_task(graph_, graph_.node(id_).dependencies()[i]), kDoNotModify,
          kBrokenRuleMark);
    }
  }
  return std::nullopt;
}

std::optional<std::string> check_result_round_trip(const Graph& graph, NodeId id,
                                                   const AnyValue& value) {
  const TaskBody& body = *graph.node(id).body;
  if (!body.round_trip_checked()) return std::nullopt;
  const std::string type = demangled_type_name(std::string(body.result_type()).c_str());
  const std::string first = encode_payload(body, value);
  const std::string second = encode_payload(body, value);
  if (first != second) {
    return fmt::format(
        "its result, a {}, encodes to other bytes each time ({}): its serialize writes "
        "something that is not its value (an address, a time, an unordered container's "
        "order), so it cannot be checked for damage or compared {}",
        type, first_difference(first, second), kBrokenRuleMark);
  }
  AnyValue back;
  try {
    InputArchive in(first);
    back = body.decode(in);
  } catch (const std::exception& e) {
    return fmt::format(
        "its result, a {}, cannot be read back from its own encoding ({}): its save and load "
        "(or serialize) disagree {}",
        type, e.what(), kBrokenRuleMark);
  }
  // A value unequal to itself (a NaN inside) tells nothing by ==.
  if (body.results_equal(value, value).value_or(false) && !*body.results_equal(value, back)) {
    return fmt::format(
        "its result, a {}, read back from its encoding is not == to what it returned: its "
        "serialize (or save and load) leaves out or garbles a field, and the next run, "
        "reading it from the store, would see another value {}",
        type, kBrokenRuleMark);
  }
  const std::string again = encode_payload(body, back);
  if (again != first) {
    return fmt::format(
        "its result, a {}, read back from its encoding and encoded again gives other bytes "
        "({}): its serialize (or save and load) loses or garbles something {}",
        type, first_difference(first, again), kBrokenRuleMark);
  }
  return std::nullopt;
}

}  // namespace jug
