#include "cli/graph_output.hpp"

#include <fmt/format.h>
#include <fmt/ostream.h>

#include <algorithm>
#include <array>
#include <map>
#include <nlohmann/json.hpp>
#include <utility>

#include "cli/status_output.hpp"
#include "commands/target_pattern.hpp"

namespace jug::cli {
namespace {

using Counts = std::array<std::size_t, kTaskStateCount>;

// The order a node's counts are told in, most pressing first; its colour is
// that of the first state it has tasks in.
constexpr std::array kPressing{TaskState::kFailed, TaskState::kRunning, TaskState::kReady,
                               TaskState::kWaiting, TaskState::kFinished};

const char* colour_of(TaskState state) {
  switch (state) {
    case TaskState::kFailed: return "#f4a6a6";
    case TaskState::kRunning: return "#9fc5f8";
    case TaskState::kReady: return "#ffe599";
    case TaskState::kWaiting: return "#e0e0e0";
    case TaskState::kFinished: return "#b6d7a8";
  }
  return "#ffffff";
}

enum class Quoting {
  /// A node's name: a line break would be a backslash and an n.
  name,
  /// A label: a line break is dot's `\n`.
  label,
};

/// `text` as a dot string, quotes included.
std::string dot_string(std::string_view text, Quoting quoting = Quoting::name) {
  std::string out = "\"";
  for (char c : text) {
    if (c == '\n') {
      out += quoting == Quoting::label ? "\\n" : " ";
      continue;
    }
    if (c == '"' || c == '\\') out += '\\';
    out += c;
  }
  return out + '"';
}

bool drawn(const GraphDrawing& drawing, NodeId id) {
  return drawing.selected.empty() || drawing.selected[id];
}

/// Each drawn task's dependencies, each once.
template <class Visit>
void for_each_dependency(const Graph& graph, const GraphDrawing& drawing, Visit&& visit) {
  std::vector<NodeId> seen;
  for (NodeId id = 0; id < graph.size(); ++id) {
    if (!drawn(drawing, id)) continue;
    const std::span<const NodeId> dependencies = graph.node(id).dependencies();
    seen.assign(dependencies.begin(), dependencies.end());
    std::sort(seen.begin(), seen.end());
    seen.erase(std::unique(seen.begin(), seen.end()), seen.end());
    for (NodeId dependency : seen) visit(dependency, id);
  }
}

struct ByName {
  /// Per name id: its drawn tasks' counts per state, and whether it has any.
  std::vector<Counts> counts;
  std::vector<char> present;
  /// (from name id, to name id) -> task-to-task dependencies.
  std::map<std::pair<std::uint32_t, std::uint32_t>, std::size_t> edges;
};

ByName by_name(const Graph& graph, const GraphDrawing& drawing) {
  ByName out;
  out.counts.assign(graph.names().size(), {});
  out.present.assign(graph.names().size(), 0);
  for (NodeId id = 0; id < graph.size(); ++id) {
    if (!drawn(drawing, id)) continue;
    const std::uint32_t name = graph.node(id).name_id;
    out.present[name] = 1;
    if (drawing.status) ++out.counts[name][static_cast<int>(drawing.status->states[id])];
  }
  for_each_dependency(graph, drawing, [&](NodeId from, NodeId to) {
    ++out.edges[{graph.node(from).name_id, graph.node(to).name_id}];
  });
  return out;
}

/// "2 failed, 5 finished": the states it has tasks in.
std::string told(const Counts& counts) {
  std::string out;
  for (TaskState state : kPressing) {
    const std::size_t n = counts[static_cast<int>(state)];
    if (n == 0) continue;
    out += fmt::format("{}{} {}", out.empty() ? "" : ", ", n, state_key(state));
  }
  return out;
}

TaskState most_pressing(const Counts& counts) {
  for (TaskState state : kPressing) {
    if (counts[static_cast<int>(state)] > 0) return state;
  }
  return TaskState::kFinished;
}

}  // namespace

std::vector<char> tasks_and_what_they_need(const Graph& graph, const std::string& pattern) {
  std::vector<char> selected(graph.size(), 0);
  for (NodeId id : TargetPattern(pattern).select(graph)) selected[id] = 1;
  // Dependencies come before their dependents: one pass from the end.
  for (NodeId id = static_cast<NodeId>(graph.size()); id-- > 0;) {
    if (!selected[id]) continue;
    for (NodeId dependency : graph.node(id).dependencies()) selected[dependency] = 1;
  }
  return selected;
}

std::size_t drawn_tasks(const Graph& graph, const GraphDrawing& drawing) {
  if (drawing.selected.empty()) return graph.size();
  return static_cast<std::size_t>(std::count(drawing.selected.begin(), drawing.selected.end(), 1));
}

void print_graph_dot(std::ostream& out, const Graph& graph, const GraphDrawing& drawing) {
  fmt::print(out, "digraph jug {{\n");
  fmt::print(out, "  node [shape=box, style=\"rounded{}\", fontname=\"Helvetica\"];\n",
             drawing.status ? ",filled" : "");
  fmt::print(out, "  edge [fontname=\"Helvetica\", fontsize=10];\n");
  const auto fill = [&](TaskState state) {
    return drawing.status ? fmt::format(", fillcolor=\"{}\"", colour_of(state)) : std::string();
  };
  if (drawing.tasks) {
    for (NodeId id = 0; id < graph.size(); ++id) {
      if (!drawn(drawing, id)) continue;
      const std::string label =
          fmt::format("{}\n{}", graph.name(id), graph.hash(id).hex().substr(0, 8));
      fmt::print(out, "  t{} [label={}{}];\n", id, dot_string(label, Quoting::label),
                 drawing.status ? fill(drawing.status->states[id]) : "");
    }
    for_each_dependency(graph, drawing, [&](NodeId from, NodeId to) {
      fmt::print(out, "  t{} -> t{};\n", from, to);
    });
  } else {
    const ByName names = by_name(graph, drawing);
    for (std::uint32_t name = 0; name < graph.names().size(); ++name) {
      if (!names.present[name]) continue;
      const std::string& text = graph.names()[name];
      if (!drawing.status) {
        fmt::print(out, "  {};\n", dot_string(text));
        continue;
      }
      const Counts& counts = names.counts[name];
      fmt::print(out, "  {} [label={}{}];\n", dot_string(text),
                 dot_string(fmt::format("{}\n{}", text, told(counts)), Quoting::label),
                 fill(most_pressing(counts)));
    }
    for (const auto& [edge, count] : names.edges) {
      fmt::print(out, "  {} -> {} [label=\"{}\"];\n", dot_string(graph.names()[edge.first]),
                 dot_string(graph.names()[edge.second]), count);
    }
  }
  fmt::print(out, "}}\n");
}

void print_graph_json(std::ostream& out, const Graph& graph, const GraphDrawing& drawing) {
  nlohmann::ordered_json j;
  j["tasks"] = drawn_tasks(graph, drawing);
  j["stopped_at"] = graph.stopped_at() ? nlohmann::ordered_json(*graph.stopped_at()) : nullptr;
  j["nodes"] = nlohmann::ordered_json::array();
  j["edges"] = nlohmann::ordered_json::array();
  if (drawing.tasks) {
    for (NodeId id = 0; id < graph.size(); ++id) {
      if (!drawn(drawing, id)) continue;
      nlohmann::ordered_json node{
          {"id", id}, {"name", graph.name(id)}, {"hash", graph.hash(id).hex()}};
      if (drawing.status) node["state"] = state_key(drawing.status->states[id]);
      j["nodes"].push_back(std::move(node));
    }
    for_each_dependency(graph, drawing, [&](NodeId from, NodeId to) {
      j["edges"].push_back({{"from", from}, {"to", to}});
    });
  } else {
    const ByName names = by_name(graph, drawing);
    for (std::uint32_t name = 0; name < graph.names().size(); ++name) {
      if (!names.present[name]) continue;
      nlohmann::ordered_json node{{"name", graph.names()[name]}};
      if (drawing.status) node.update(state_counts_json(names.counts[name]));
      j["nodes"].push_back(std::move(node));
    }
    for (const auto& [edge, count] : names.edges) {
      j["edges"].push_back({{"from", graph.names()[edge.first]},
                            {"to", graph.names()[edge.second]},
                            {"dependencies", count}});
    }
  }
  // Replaced, not thrown: a task name need not be valid UTF-8.
  out << j.dump(2, ' ', false, nlohmann::ordered_json::error_handler_t::replace) << '\n';
}

}  // namespace jug::cli
