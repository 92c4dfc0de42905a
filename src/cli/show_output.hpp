#pragma once
/// How `jug show` prints what task_details() found, and `jug why` what
/// explain_tasks() found: lines for people, or JSON (--json) for scripts.

#include <nlohmann/json_fwd.hpp>

#include <ostream>
#include <span>
#include <string>
#include <string_view>

#include "commands/task_details.hpp"
#include "commands/why.hpp"

namespace jug::cli {

/// `matched`: how many tasks matched (more than `tasks` when some were
/// left out by --max-tasks).
void print_show_text(std::ostream& out, const Graph& graph, std::span<const TaskDetails> tasks,
                     std::size_t matched);
void print_show_json(std::ostream& out, const Graph& graph, std::span<const TaskDetails> tasks,
                     std::size_t matched);

/// `jug why`: a line per task up to date, a line per reason for the others.
void print_why_text(std::ostream& out, const Graph& graph, std::span<const TaskReasons> tasks,
                    std::size_t matched);
void print_why_json(std::ostream& out, const Graph& graph, std::span<const TaskReasons> tasks,
                    std::size_t matched);

/// The value in cereal's `{"value": ...}` (TaskBody::value_json), on one
/// line.
std::string unwrapped_value(std::string_view json);
/// `document` indented, bytes that are not UTF-8 (in a task name, a
/// string result) replaced rather than thrown at.
std::string json_text(const nlohmann::ordered_json& document);
/// The same as JSON for --json output: parsed, or (where the writer wrote
/// what JSON has no form for, such as NaN) the text as a string.
nlohmann::ordered_json value_for_json(std::string_view json);

/// "1.5 KiB", "230 MiB": a size in bytes for people.
std::string bytes_text(std::uint64_t bytes);
/// "0.25 s", "1 min 5 s", "2 h 03 min": a duration for people.
std::string duration_text(double seconds);

}  // namespace jug::cli
