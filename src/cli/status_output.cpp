#include "cli/status_output.hpp"

#include <cctype>

#include <fmt/format.h>
#include <fmt/ostream.h>

#include <nlohmann/json.hpp>

#include "engine/results.hpp"

namespace jug::cli {
namespace {

constexpr TaskState kColumns[] = {TaskState::kWaiting, TaskState::kReady, TaskState::kRunning,
                                  TaskState::kFinished, TaskState::kFailed};

std::size_t count(const std::array<std::size_t, kTaskStateCount>& counts, TaskState s) {
  return counts[static_cast<int>(s)];
}

}  // namespace

std::string state_key(TaskState state) {
  std::string key = to_string(state);
  key[0] = static_cast<char>(std::tolower(key[0]));
  return key;
}

nlohmann::ordered_json state_counts_json(const std::array<std::size_t, kTaskStateCount>& counts) {
  nlohmann::ordered_json j;
  for (TaskState s : kColumns) j[state_key(s)] = count(counts, s);
  return j;
}

void print_status_table(std::ostream& out, const Graph& graph, const StatusReport& report) {
  std::size_t width = std::string_view("Task name").size();
  for (const std::string& name : graph.names()) width = std::max(width, name.size());
  std::string header = fmt::format("{:<{}}", "Task name", width);
  for (TaskState s : kColumns) header += fmt::format(" {:>9}", to_string(s));
  const std::string rule(header.size(), '-');
  fmt::print(out, "{}\n{}\n", header, rule);
  for (std::size_t i = 0; i < graph.names().size(); ++i) {
    std::string line = fmt::format("{:<{}}", graph.names()[i], width);
    for (TaskState s : kColumns) line += fmt::format(" {:>9}", count(report.per_name[i], s));
    fmt::print(out, "{}\n", line);
  }
  std::string total = fmt::format("{:<{}}", "Total", width);
  for (TaskState s : kColumns) total += fmt::format(" {:>9}", count(report.totals, s));
  fmt::print(out, "{}\n{}\n", rule, total);
}

void print_status_short(std::ostream& out, const Graph& graph, const StatusReport& report) {
  fmt::print(out, "{} of {} tasks finished ({} ready, {} waiting, {} running, {} failed){}\n",
             count(report.totals, TaskState::kFinished), report.states.size(),
             count(report.totals, TaskState::kReady), count(report.totals, TaskState::kWaiting),
             count(report.totals, TaskState::kRunning), count(report.totals, TaskState::kFailed),
             graph.stopped_at() ? "; more after " + *graph.stopped_at() : "");
}

void print_barrier(std::ostream& out, const Graph& graph) {
  if (!graph.stopped_at()) return;
  fmt::print(out,
             "\nThe jugfile stops at {} until the tasks before it are done: these are the "
             "tasks known so far.\n",
             *graph.stopped_at());
}

void print_status_json(std::ostream& out, const Graph& graph, const StatusReport& report,
                       std::string_view store) {
  nlohmann::ordered_json j;
  j["tasks"] = report.states.size();
  j["store"] = store;
  // Where building stopped at a barrier (the tasks are those known so far).
  j["stopped_at"] = graph.stopped_at() ? nlohmann::ordered_json(*graph.stopped_at()) : nullptr;
  j["totals"] = state_counts_json(report.totals);
  j["by_name"] = nlohmann::ordered_json::array();
  for (std::size_t i = 0; i < graph.names().size(); ++i) {
    nlohmann::ordered_json row;
    row["name"] = graph.names()[i];
    row.update(state_counts_json(report.per_name[i]));
    j["by_name"].push_back(std::move(row));
  }
  j["running"] = nlohmann::ordered_json::array();
  for (const auto& [id, owner] : report.running) {
    j["running"].push_back({{"name", graph.name(id)},
                            {"hash", graph.hash(id).hex()},
                            {"host", owner.host},
                            {"pid", owner.pid},
                            {"job", owner.batch_job.empty() ? nlohmann::ordered_json(nullptr)
                                                            : nlohmann::ordered_json(owner.batch_job)}});
  }
  j["abandoned"] = nlohmann::ordered_json::array();
  for (const auto& [id, why] : report.abandoned) {
    j["abandoned"].push_back({{"name", graph.name(id)}, {"hash", graph.hash(id).hex()}, {"why", why}});
  }
  j["corrupt"] = nlohmann::ordered_json::array();
  for (const auto& [id, why] : report.corrupt) {
    j["corrupt"].push_back({{"name", graph.name(id)}, {"hash", graph.hash(id).hex()}, {"why", why}});
  }
  j["store_damage"] = report.store_damage;
  j["failed"] = nlohmann::ordered_json::array();
  for (const auto& [id, message] : report.failures) {
    j["failed"].push_back(
        {{"name", graph.name(id)}, {"hash", graph.hash(id).hex()}, {"message", message}});
  }
  // Replaced, not thrown: a task name need not be valid UTF-8.
  out << j.dump(2, ' ', false, nlohmann::ordered_json::error_handler_t::replace) << '\n';
}

void print_running(std::ostream& out, const Graph& graph, const StatusReport& report) {
  if (report.running.empty()) return;
  // Enough to see which workers hold what; --json lists every one.
  constexpr std::size_t kShown = 20;
  fmt::print(out, "\nRunning:\n");
  for (std::size_t i = 0; i < report.running.size() && i < kShown; ++i) {
    const auto& [id, owner] = report.running[i];
    fmt::print(out, "  {}: on {}{} (pid {})\n", describe_task(graph, id), owner.host,
               owner.batch_job.empty() ? "" : ", " + owner.batch_job, owner.pid);
  }
  if (report.running.size() > kShown) {
    fmt::print(out, "  ... and {} more (jug status --json lists each)\n",
               report.running.size() - kShown);
  }
}

void print_abandoned(std::ostream& out, const Graph& graph, const StatusReport& report) {
  if (report.abandoned.empty()) return;
  fmt::print(out, "\nTasks left by workers that are gone (the next jug execute takes them over):\n");
  for (const auto& [id, why] : report.abandoned) {
    fmt::print(out, "  {}: {}\n", describe_task(graph, id), why);
  }
}

void print_corrupt(std::ostream& out, const Graph& graph, const StatusReport& report) {
  if (!report.store_damage.empty()) {
    fmt::print(out, "\nDamage in the store:\n");
    for (const std::string& damage : report.store_damage) fmt::print(out, "  {}\n", damage);
  }
  if (report.corrupt.empty()) return;
  // Damaged, or of a type that changed: one task name's results are mostly
  // so for one cause, told once (--json lists every one).
  struct Group {
    std::string_view first_why;
    std::size_t count = 0;
  };
  std::vector<Group> by_name(graph.names().size());
  std::vector<std::uint32_t> order;
  for (const auto& [id, why] : report.corrupt) {
    Group& group = by_name[graph.node(id).name_id];
    if (group.count++ == 0) {
      group.first_why = why;
      order.push_back(graph.node(id).name_id);
    }
  }
  fmt::print(out, "\nUnreadable results (counted as not finished):\n");
  for (std::uint32_t name_id : order) {
    const Group& group = by_name[name_id];
    fmt::print(out, "  {}: {}\n", graph.names()[name_id], group.first_why);
    if (group.count > 1) {
      fmt::print(out, "  ... and {} more {} result{} (jug status --verify --json lists each)\n",
                 group.count - 1, graph.names()[name_id], group.count == 2 ? "" : "s");
    }
  }
}

void print_failures(std::ostream& out, const Graph& graph, const StatusReport& report) {
  if (report.failures.empty()) return;
  fmt::print(out, "\nFailed tasks:\n");
  for (const auto& [id, message] : report.failures) {
    fmt::print(out, "  {}: {}\n", describe_task(graph, id), message);
  }
}

}  // namespace jug::cli
