#pragma once
/// `jug submit`: queues `jug execute` workers on the batch system, prints
/// where their script and logs are, and with --wait follows them to the end.

#include <functional>

#include "cli/command_line.hpp"
#include "engine/graph.hpp"
#include "store/store.hpp"

namespace jug::cli {

/// The exit code: 0 once queued (with --wait: once every task is
/// finished); 1 when nothing could be queued, or the workers ended with
/// tasks unfinished. Throws jug::Error with the batch system's words.
int run_submit(const CommandLine& cl, const std::function<Graph()>& build, Store& store);

}  // namespace jug::cli
