#include "cli/show_output.hpp"

#include <fmt/format.h>
#include <fmt/ostream.h>

#include <nlohmann/json.hpp>

#include "cli/status_output.hpp"

namespace jug::cli {
namespace {

/// How many neighbours a text block names before "and N more".
constexpr std::size_t kNeighboursNamed = 5;
/// How much of a value a text block shows.
constexpr std::size_t kValueShown = 1000;

std::string short_hash(const Graph& graph, NodeId id) { return graph.hash(id).hex().substr(0, 8); }

std::string neighbours_text(const Graph& graph, const std::vector<NodeId>& ids) {
  if (ids.empty()) return "none";
  std::string text;
  for (std::size_t i = 0; i < ids.size() && i < kNeighboursNamed; ++i) {
    if (i > 0) text += ", ";
    text += fmt::format("{} {}", graph.name(ids[i]), short_hash(graph, ids[i]));
  }
  if (ids.size() > kNeighboursNamed) {
    text += fmt::format(", and {} more", ids.size() - kNeighboursNamed);
  }
  return text;
}

std::string run_text(const RunMetadata& run) {
  const double seconds = static_cast<double>(run.finished_ns - run.started_ns) / 1e9;
  std::string where = fmt::format("{}, pid {}", run.host, run.pid);
  if (!run.batch_job.empty()) where += ", " + run.batch_job;
  return fmt::format("{} for {} on {}; peak memory {}; jug {}", utc_time_text(run.started_ns),
                     duration_text(seconds), where, bytes_text(run.peak_rss_bytes),
                     run.jug_version);
}

nlohmann::ordered_json task_json(const Graph& graph, NodeId id) {
  return {{"name", graph.name(id)}, {"hash", graph.hash(id).hex()}};
}

nlohmann::ordered_json tasks_json(const Graph& graph, const std::vector<NodeId>& ids) {
  nlohmann::ordered_json out = nlohmann::ordered_json::array();
  for (const NodeId id : ids) out.push_back(task_json(graph, id));
  return out;
}

nlohmann::ordered_json run_json(const RunMetadata& run) {
  return {{"started", utc_time_text(run.started_ns)},
          {"started_ns", run.started_ns},
          {"finished_ns", run.finished_ns},
          {"seconds", static_cast<double>(run.finished_ns - run.started_ns) / 1e9},
          {"host", run.host},
          {"pid", run.pid},
          {"batch_job", run.batch_job},
          {"peak_rss_bytes", run.peak_rss_bytes},
          {"jug_version", run.jug_version},
          {"code_version", run.code_version}};
}

void print_more(std::ostream& out, std::size_t shown, std::size_t matched) {
  if (matched <= shown) return;
  fmt::print(out, "... and {} more task{} matching (--max-tasks {} tells of all).\n",
             matched - shown, matched - shown == 1 ? "" : "s", matched);
}

}  // namespace

std::string unwrapped_value(std::string_view json) {
  // JSON writers put line breaks and indents only between tokens (a line
  // break inside a string is written \n): without them, one line.
  std::string line;
  bool in_string = false, escaped = false;
  for (const char c : json) {
    if (!in_string && (c == '\n' || c == '\r' || c == ' ' || c == '\t')) continue;
    line += c;
    if (escaped) {
      escaped = false;
    } else if (c == '\\') {
      escaped = in_string;
    } else if (c == '"') {
      in_string = !in_string;
    }
  }
  constexpr std::string_view kStart = "{\"value\":";
  if (!line.starts_with(kStart) || !line.ends_with("}")) return line;
  return line.substr(kStart.size(), line.size() - kStart.size() - 1);
}

std::string json_text(const nlohmann::ordered_json& document) {
  return document.dump(2, ' ', false, nlohmann::ordered_json::error_handler_t::replace);
}

nlohmann::ordered_json value_for_json(std::string_view json) {
  const std::string inner = unwrapped_value(json);
  nlohmann::ordered_json parsed = nlohmann::ordered_json::parse(inner, nullptr, false);
  if (parsed.is_discarded()) return inner;
  return parsed;
}

std::string bytes_text(std::uint64_t bytes) {
  if (bytes < 1024) return fmt::format("{} bytes", bytes);
  const char* units[] = {"KiB", "MiB", "GiB", "TiB"};
  double value = static_cast<double>(bytes) / 1024;
  std::size_t unit = 0;
  while (value >= 1024 && unit + 1 < std::size(units)) {
    value /= 1024;
    ++unit;
  }
  return fmt::format("{:.{}f} {}", value, value < 10 ? 1 : 0, units[unit]);
}

std::string duration_text(double seconds) {
  if (seconds < 60) return fmt::format("{:.{}f} s", seconds, seconds < 10 ? 2 : 1);
  const auto whole = static_cast<long long>(seconds + 0.5);
  if (whole < 3600) return fmt::format("{} min {:02} s", whole / 60, whole % 60);
  return fmt::format("{} h {:02} min", whole / 3600, whole / 60 % 60);
}

void print_show_text(std::ostream& out, const Graph& graph, std::span<const TaskDetails> tasks,
                     std::size_t matched) {
  for (const TaskDetails& d : tasks) {
    fmt::print(out, "{} {}\n", graph.name(d.id), graph.hash(d.id).hex());
    fmt::print(out, "  state        {}\n", to_string(d.state));
    if (d.running_on) {
      fmt::print(out, "  running on   {}, pid {}{}\n", d.running_on->host, d.running_on->pid,
                 d.running_on->batch_job.empty() ? "" : ", " + d.running_on->batch_job);
    }
    if (d.failure) fmt::print(out, "  failure      {}\n", *d.failure);
    if (d.arguments.empty()) fmt::print(out, "  arguments    none\n");
    for (std::size_t i = 0; i < d.arguments.size(); ++i) {
      fmt::print(out, "  {:<13}{}. {}\n", i == 0 ? "arguments" : "", i + 1, d.arguments[i].text);
    }
    if (d.code_version != 0) fmt::print(out, "  code version {}\n", d.code_version);
    fmt::print(out, "  needs        {}\n", neighbours_text(graph, d.dependencies));
    fmt::print(out, "  needed by    {}\n", neighbours_text(graph, d.dependents));
    if (d.stored_bytes) {
      fmt::print(out, "  result       {} ({})\n", d.location, bytes_text(*d.stored_bytes));
    } else {
      fmt::print(out, "  result       not stored (it will be kept in {})\n", d.location);
    }
    if (d.run) {
      fmt::print(out, "  ran          {}\n", run_text(*d.run));
    } else if (d.stored_bytes) {
      fmt::print(out, "  ran          not known: {}\n", d.no_run_because);
    }
    if (d.value_json) {
      const std::string value = unwrapped_value(*d.value_json);
      fmt::print(out, "  value        {}{}\n", std::string_view(value).substr(0, kValueShown),
                 value.size() > kValueShown
                     ? fmt::format("... ({} characters in all: jug show --json or jug export "
                                   "give them)",
                                   value.size())
                     : "");
    } else if (d.stored_bytes) {
      fmt::print(out, "  value        not shown: {}\n", d.no_value_because);
    }
    out << '\n';
  }
  print_more(out, tasks.size(), matched);
}

void print_show_json(std::ostream& out, const Graph& graph, std::span<const TaskDetails> tasks,
                     std::size_t matched) {
  nlohmann::ordered_json shown = nlohmann::ordered_json::array();
  for (const TaskDetails& d : tasks) {
    nlohmann::ordered_json task = task_json(graph, d.id);
    task["state"] = state_key(d.state);
    nlohmann::ordered_json arguments = nlohmann::ordered_json::array();
    for (const ArgumentView& a : d.arguments) {
      arguments.push_back(
          {{"kind", a.kind}, {"text", a.text}, {"tasks", tasks_json(graph, a.tasks)}});
    }
    task["arguments"] = std::move(arguments);
    task["code_version"] = d.code_version;
    task["dependencies"] = tasks_json(graph, d.dependencies);
    task["dependents"] = tasks_json(graph, d.dependents);
    task["location"] = d.location;
    task["file"] = d.record_place ? nlohmann::ordered_json(d.record_place->file) : nullptr;
    task["offset"] = d.record_place ? nlohmann::ordered_json(d.record_place->offset) : nullptr;
    task["stored_bytes"] = d.stored_bytes ? nlohmann::ordered_json(*d.stored_bytes) : nullptr;
    task["run"] = d.run ? run_json(*d.run) : nullptr;
    if (!d.run && d.stored_bytes) task["run_unknown_because"] = d.no_run_because;
    if (d.value_json) {
      task["value"] = value_for_json(*d.value_json);
    } else if (d.stored_bytes) {
      task["value_not_shown_because"] = d.no_value_because;
    }
    task["failure"] = d.failure ? nlohmann::ordered_json(*d.failure) : nullptr;
    if (d.running_on) {
      task["running_on"] = {{"host", d.running_on->host},
                            {"pid", d.running_on->pid},
                            {"batch_job", d.running_on->batch_job}};
    }
    shown.push_back(std::move(task));
  }
  const nlohmann::ordered_json document = {{"matched", matched}, {"tasks", std::move(shown)}};
  out << json_text(document) << '\n';
}

void print_why_text(std::ostream& out, const Graph& graph, std::span<const TaskReasons> tasks,
                    std::size_t matched) {
  for (const TaskReasons& t : tasks) {
    const std::string task = fmt::format("{} {}", graph.name(t.id), short_hash(graph, t.id));
    if (t.up_to_date) {
      fmt::print(out, "{}: up to date (its result is stored)\n", task);
      continue;
    }
    for (const std::string& reason : t.reasons) fmt::print(out, "{}: {}\n", task, reason);
  }
  print_more(out, tasks.size(), matched);
}

void print_why_json(std::ostream& out, const Graph& graph, std::span<const TaskReasons> tasks,
                    std::size_t matched) {
  nlohmann::ordered_json explained = nlohmann::ordered_json::array();
  for (const TaskReasons& t : tasks) {
    nlohmann::ordered_json task = task_json(graph, t.id);
    task["up_to_date"] = t.up_to_date;
    task["reasons"] = t.reasons;
    explained.push_back(std::move(task));
  }
  const nlohmann::ordered_json document = {{"matched", matched}, {"tasks", std::move(explained)}};
  out << json_text(document) << '\n';
}

}  // namespace jug::cli
