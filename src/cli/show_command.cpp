#include "cli/show_command.hpp"

#include <algorithm>
#include <iostream>

#include <fmt/format.h>

#include "cli/show_output.hpp"
#include "commands/status.hpp"
#include "commands/target_pattern.hpp"
#include "commands/why.hpp"
#include "jug/errors.hpp"

namespace jug::cli {

std::vector<NodeId> tasks_matching(const Graph& graph, const std::vector<std::string>& patterns) {
  std::vector<NodeId> ids;
  for (const std::string& text : patterns) {
    const std::vector<NodeId> matched = TargetPattern(text).select(graph);
    if (matched.empty()) {
      throw Error(fmt::format(
          "jug: no task matches {}{} (jug count lists the names; a hash prefix needs 8 or more "
          "hex digits)",
          text,
          graph.stopped_at()
              ? fmt::format(", among the tasks before {} (tasks after it are not known yet)",
                            *graph.stopped_at())
              : ""));
    }
    ids.insert(ids.end(), matched.begin(), matched.end());
  }
  std::sort(ids.begin(), ids.end());
  ids.erase(std::unique(ids.begin(), ids.end()), ids.end());
  return ids;
}

StatusReport status_of(const CommandLine& cl, const Graph& graph, Store& store) {
  StatusOptions options;
  options.lease_time = cl.execute.lease_time;
  return compute_status(graph, store, options);
}

namespace {

std::span<const NodeId> first_ones(const CommandLine& cl, const std::vector<NodeId>& matched) {
  return std::span(matched).first(std::min<std::size_t>(matched.size(), cl.show.max_tasks));
}

}  // namespace

int run_show(const CommandLine& cl, const Graph& graph, Store& store) {
  const std::vector<NodeId> matched = tasks_matching(graph, cl.show.patterns);
  const StatusReport status = status_of(cl, graph, store);
  const std::vector<TaskDetails> details =
      task_details(graph, store, first_ones(cl, matched), status);
  if (cl.show.json) {
    print_show_json(std::cout, graph, details, matched.size());
  } else {
    print_show_text(std::cout, graph, details, matched.size());
  }
  return 0;
}

int run_why(const CommandLine& cl, const Graph& graph, Store& store) {
  const std::vector<NodeId> matched = tasks_matching(graph, cl.show.patterns);
  const StatusReport status = status_of(cl, graph, store);
  const std::vector<TaskReasons> reasons =
      explain_tasks(graph, store, first_ones(cl, matched), status);
  if (cl.show.json) {
    print_why_json(std::cout, graph, reasons, matched.size());
  } else {
    print_why_text(std::cout, graph, reasons, matched.size());
  }
  return 0;
}

}  // namespace jug::cli
