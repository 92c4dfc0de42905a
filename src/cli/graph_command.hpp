#pragma once
/// `jug graph`: the task graph drawn (graph_output.hpp). As Python jug's
/// `graph`, by default into `<jugfile>.dot` beside the jugfile and, through
/// Graphviz's `dot` where it is installed, `<jugfile>.png`; with --format
/// (dot, json, or any format `dot` renders: svg, png, pdf), to stdout or to
/// -o FILE.

#include "cli/command_line.hpp"
#include "engine/graph.hpp"
#include "store/store.hpp"

namespace jug::cli {

/// Returns the exit status; throws jug::Error saying what is wrong (a
/// --target that matches nothing, too many tasks for --tasks, no `dot`
/// for a format that needs it).
int run_graph(const CommandLine& cl, const Graph& graph, Store& store);

}  // namespace jug::cli
