#pragma once
/// How long tasks of each name took before, from the metadata kept with
/// their results (RunMetadata): what `jug execute`'s progress line weighs
/// the tasks still to do by, until this run has timed some of its own.

#include <optional>
#include <vector>

#include "engine/graph.hpp"
#include "store/store.hpp"

namespace jug {

/// Per task name (indexed like Graph::names()) with tasks to do
/// (`to_do_per_name`), the mean duration of a few of its stored results;
/// nullopt where none is stored or says. A few reads per name; any error
/// leaves the rest unknown (it is only an estimate).
std::vector<std::optional<double>> prior_durations(const Graph& graph, Store& store,
                                                   const std::vector<std::size_t>& to_do_per_name);

}  // namespace jug
