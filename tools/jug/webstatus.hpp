#pragma once
/// `jug webstatus [JUGFILE] [--port 8080] [--bind 127.0.0.1] [--interval S]`:
/// a live, read-only page of the computation's status, served by the jug
/// command itself (cpp-httplib, from the distribution). It runs `jug status
/// --json` with the same jugfile and options about once a second, and
/// serves:
///   /             the page (tools/jug/webstatus/page.html), which updates
///                 itself from /page.json once a second, without reloading;
///   /status.json  the last `jug status --json`, as it printed it;
///   /page.json    that, with what the page adds: the rate, the time left,
///                 recent finishes, how long each running task has been seen
///                 running, when the status was read;
///   /graph.svg    `jug graph --format svg` (Graphviz), made again at most
///                 every 10 s.
/// It binds loopback unless told otherwise, and says when it is not that
/// the page has no authentication.

#include <span>
#include <string>

namespace jug::tool {

/// Runs until SIGINT or SIGTERM; `self` is this jug command's path (to run
/// `status` and `graph`). Returns the exit code; throws ToolError for bad
/// options, a port that cannot be bound, or a first status that fails.
int webstatus(std::span<const std::string> args, const std::string& self);

}  // namespace jug::tool
