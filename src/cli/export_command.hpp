#pragma once
/// `jug export PATTERN... [--format json|csv] [-o FILE]`: the results of the
/// matching tasks, as JSON (TaskBody::value_json), for other tools: pandas,
/// jq, a spreadsheet.

#include "cli/command_line.hpp"
#include "engine/graph.hpp"
#include "store/store.hpp"

namespace jug::cli {

/// Returns the exit status: 0 when every matching task's result was
/// written; 1 when some are not finished or cannot be written as JSON
/// (the others are written, and a message on stderr says which).
int run_export(const CommandLine& cl, const Graph& graph, Store& store);

}  // namespace jug::cli
