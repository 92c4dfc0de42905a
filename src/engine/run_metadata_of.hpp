#pragma once
/// The metadata this process keeps with a result it computed (RunMetadata).

#include <chrono>

#include "codec/run_metadata.hpp"
#include "engine/graph.hpp"

namespace jug {

/// The most memory this process has held (the kernel's peak resident set
/// size), in bytes; 0 where it cannot tell. Asked of the kernel at most
/// once a millisecond: a task may take microseconds, and in a millisecond
/// the peak grows by a few MB at most.
std::uint64_t peak_rss_bytes();

/// The arguments of a task as RunMetadata keeps them
/// (argument_identity of each TaskBody::argument_fingerprints): taken
/// before it runs, since a task may change what it is given.
std::vector<std::string> argument_identities_of(const TaskBody& body);

/// The metadata of a run of `id` by this process, from `started` to
/// `finished`, with `arguments` (argument_identities_of, before the run):
/// its name and code version from the graph; host, pid, batch job and peak
/// memory from the process.
RunMetadata run_metadata_of(const Graph& graph, NodeId id,
                            std::chrono::system_clock::time_point started,
                            std::chrono::system_clock::time_point finished,
                            std::vector<std::string> arguments);

}  // namespace jug
