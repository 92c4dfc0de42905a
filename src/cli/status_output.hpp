#pragma once
/// How `jug status` shows a StatusReport: table, one line, or JSON.

#include <array>
#include <ostream>
#include <string>
#include <string_view>

#include <nlohmann/json_fwd.hpp>

#include "commands/status.hpp"

namespace jug::cli {

/// A state as JSON and drawings name it: "waiting", "failed".
std::string state_key(TaskState state);
/// Counts per state as `status --json` writes them ({"waiting": N, ...}).
nlohmann::ordered_json state_counts_json(const std::array<std::size_t, kTaskStateCount>& counts);

void print_status_table(std::ostream& out, const Graph& graph, const StatusReport& report);
void print_status_short(std::ostream& out, const Graph& graph, const StatusReport& report);
/// `store`: what and where the store is (Store::describe).
void print_status_json(std::ostream& out, const Graph& graph, const StatusReport& report,
                       std::string_view store);
/// Where the graph stops at a barrier; nothing when it is whole.
void print_barrier(std::ostream& out, const Graph& graph);
/// "Failed tasks:" with each message; nothing when none failed.
void print_failures(std::ostream& out, const Graph& graph, const StatusReport& report);
/// The results `status --verify` found corrupt; nothing when there are none.
void print_corrupt(std::ostream& out, const Graph& graph, const StatusReport& report);
/// The Running tasks and the workers holding them (host, batch job, pid).
void print_running(std::ostream& out, const Graph& graph, const StatusReport& report);
/// The tasks whose workers are gone, and why; nothing when there are none.
void print_abandoned(std::ostream& out, const Graph& graph, const StatusReport& report);

}  // namespace jug::cli
