#include "commands/why.hpp"

#include <algorithm>
#include <functional>
#include <map>
#include <set>

#include <fmt/format.h>

#include "codec/run_metadata.hpp"
#include "engine/build_context.hpp"
#include "commands/argument_view.hpp"
#include "commands/task_details.hpp"
#include "engine/run_metadata_of.hpp"

namespace jug {
namespace {

/// How many tasks a reason names before "and N more".
constexpr std::size_t kTasksNamed = 3;

}  // namespace

/// A stored result no task of the graph owns: an earlier version of some
/// task, perhaps.
struct Earlier {
  TaskHash hash;
  RunMetadata run;
};

/// Those of a store, by task name.
struct EarlierResults {
  std::map<std::string, std::vector<Earlier>> by_name;
};

namespace {

/// The results in the store that are no task's in `graph`, with their
/// metadata, by task name; only names in `wanted`.
std::map<std::string, std::vector<Earlier>> earlier_results(const Graph& graph, Store& store,
                                                            const std::set<std::string>& wanted) {
  std::map<std::string, std::vector<Earlier>> out;
  for (const TaskHash& hash : store.list()) {
    if (graph.find(hash)) continue;
    std::string why_none;
    std::optional<RunMetadata> run = stored_run_metadata(store, hash, why_none);
    if (!run || !wanted.contains(run->task_name)) continue;
    out[run->task_name].push_back(Earlier{hash, std::move(*run)});
  }
  return out;
}

std::string task_name_text(const Graph& graph, NodeId id) {
  return fmt::format("{} {}", graph.name(id), graph.hash(id).hex().substr(0, 8));
}

std::string tasks_text(const Graph& graph, const std::vector<NodeId>& ids) {
  std::string text;
  for (std::size_t i = 0; i < ids.size() && i < kTasksNamed; ++i) {
    text += (i == 0 ? "" : ", ") + task_name_text(graph, ids[i]);
  }
  if (ids.size() > kTasksNamed) text += fmt::format(" and {} more", ids.size() - kTasksNamed);
  return text;
}

/// What changed in an input file between two keys, or "" when it is no
/// input file.
std::string file_change(std::string_view was, std::string_view now) {
  const auto a = parse_input_file_key(was), b = parse_input_file_key(now);
  if (!a || !b || a->path != b->path) return "";
  std::vector<std::string> what;
  if (a->sha256 != b->sha256) what.push_back("its contents changed");
  if (a->size != b->size) {
    what.push_back(
        fmt::format("size {} → {} bytes", a->size.value_or("?"), b->size.value_or("?")));
  }
  if (a->mtime_ns != b->mtime_ns) {
    const auto time = [](const std::optional<std::string>& ns) {
      try {
        return ns ? utc_time_text(std::stoll(*ns)) : std::string("?");
      } catch (const std::exception&) {
        return std::string("?");
      }
    };
    what.push_back(fmt::format("modified {} → {}", time(a->mtime_ns), time(b->mtime_ns)));
  }
  return fmt::format("input file {}: {}", b->path, fmt::join(what, ", "));
}

/// The key's bytes of a 'K' identity, or "".
std::string_view key_of(std::string_view identity) {
  if (identity.size() < 9 || identity.front() != 'K') return {};
  return identity.substr(9);
}

/// One difference between today's task and an earlier result: what
/// changed ("argument 2"), and how.
struct Change {
  std::string what;
  std::string how;
};

/// How today's arguments and code differ from those of `earlier`.
std::vector<Change> differences(const Graph& graph, const std::vector<std::string>& now,
                                std::uint64_t version, const Earlier& earlier,
                                const std::function<bool(NodeId)>& finished) {
  std::vector<Change> out;
  const RunMetadata& was = earlier.run;
  if (was.code_version != version) {
    out.push_back({"its code version", fmt::format("{} → {}", was.code_version, version)});
  }
  if (was.argument_identities.size() != now.size()) {
    if (was.argument_identities.empty() && !now.empty()) {
      out.push_back({"its arguments",
                     "not known: they were too long to keep with the earlier result"});
    } else {
      out.push_back({"its arguments", fmt::format("it takes {}, and took {}", now.size(),
                                                  was.argument_identities.size())});
    }
    return out;
  }
  for (std::size_t i = 0; i < now.size(); ++i) {
    if (was.argument_identities[i] == now[i]) continue;
    const ArgumentView before = view_argument(was.argument_identities[i], graph);
    const ArgumentView after = view_argument(now[i], graph);
    std::string change = file_change(key_of(was.argument_identities[i]), key_of(now[i]));
    if (change.empty() && after.kind == "task" && before.kind != "value") {
      const NodeId upstream = after.tasks.front();
      change = fmt::format("the result of {} it reads is new ({})", task_name_text(graph, upstream),
                           finished(upstream)
                               ? "computed since, with other inputs"
                               : "not computed yet: jug why " + graph.name(upstream) +
                                     " says why");
    }
    if (change.empty() && before.text == after.text) {
      // Two values of one size: their bytes are known, not their type.
      change = "another " + (after.text.starts_with("a ") ? after.text.substr(2) : after.text);
    }
    if (change.empty()) change = fmt::format("was {}, now {}", before.text, after.text);
    out.push_back({fmt::format("argument {}", i + 1), change});
  }
  if (out.empty()) {
    out.push_back({"its hash",
                   "no argument and not its code version: the types of its arguments changed, "
                   "or the jugfile's hashing"});
  }
  return out;
}

/// The earlier result most like today's task: fewest arguments changed,
/// then the latest.
const Earlier* closest(const std::vector<Earlier>& earlier, const std::vector<std::string>& now) {
  const Earlier* best = nullptr;
  std::size_t best_changed = 0;
  for (const Earlier& e : earlier) {
    std::size_t changed = e.run.argument_identities.size() == now.size() ? 0 : now.size() + 1;
    for (std::size_t i = 0; changed <= now.size() && i < now.size(); ++i) {
      changed += e.run.argument_identities[i] != now[i];
    }
    if (best == nullptr || changed < best_changed ||
        (changed == best_changed && e.run.finished_ns > best->run.finished_ns)) {
      best = &e;
      best_changed = changed;
    }
  }
  return best;
}

/// Why `id`'s inputs are new: how they differ from the closest result of
/// its name in `earlier`, or that none is there. One line each.
std::vector<std::string> input_reasons(const Graph& graph, NodeId id,
                                       const std::map<std::string, std::vector<Earlier>>& earlier,
                                       const std::function<bool(NodeId)>& finished) {
  const TaskBody& body = *graph.node(id).body;
  const std::vector<std::string> now = argument_identities_of(body);
  const auto found = earlier.find(graph.name(id));
  if (found == earlier.end()) {
    return {fmt::format(
        "its result is not stored, and no other result of a task named {} is (with the "
        "metadata jug keeps): it has not run with these inputs",
        graph.name(id))};
  }
  std::vector<std::string> reasons;
  const Earlier& e = *closest(found->second, now);
  for (const Change& c : differences(graph, now, body.code_version(), e, finished)) {
    reasons.push_back(fmt::format("{} changed since {} (stored {}): {}", c.what,
                                  e.hash.hex().substr(0, 8), utc_time_text(e.run.finished_ns),
                                  c.how));
  }
  return reasons;
}

}  // namespace

std::vector<std::string> RunReasons::of(const Graph& graph, NodeId id) {
  std::lock_guard lock(mutex_);
  if (graph_ != &graph || graph_size_ != graph.size()) {
    // A new round (past a barrier): its names may be new too.
    const std::set<std::string> names(graph.names().begin(), graph.names().end());
    earlier_ = std::make_shared<const EarlierResults>(
        EarlierResults{earlier_results(graph, store_, names)});
    graph_ = &graph;
    graph_size_ = graph.size();
  }
  // It runs: everything it needs is done.
  return input_reasons(graph, id, earlier_->by_name, [](NodeId) { return true; });
}

std::vector<TaskReasons> explain_tasks(const Graph& graph, Store& store,
                                       std::span<const NodeId> ids, const StatusReport& status) {
  // Arguments that are tasks give their hashes only with a current graph.
  const CurrentGraph current(graph, store);
  std::set<std::string> wanted;
  for (const NodeId id : ids) {
    if (status.states[id] != TaskState::kFinished) wanted.insert(graph.name(id));
  }
  const auto earlier = wanted.empty() ? std::map<std::string, std::vector<Earlier>>{}
                                      : earlier_results(graph, store, wanted);
  std::vector<TaskReasons> out;
  for (const NodeId id : ids) {
    TaskReasons r;
    r.id = id;
    const TaskState state = status.states[id];
    if (state == TaskState::kFinished) {
      r.up_to_date = true;
      out.push_back(std::move(r));
      continue;
    }
    for (const auto& [failed, message] : status.failures) {
      if (failed == id) r.reasons.push_back("it failed: " + message);
    }
    for (const auto& [running, owner] : status.running) {
      if (running == id) {
        r.reasons.push_back(fmt::format("it is running on {}, pid {}", owner.host, owner.pid));
      }
    }
    std::vector<NodeId> not_done;
    for (const NodeId d : graph.node(id).dependencies()) {
      if (status.states[d] != TaskState::kFinished &&
          std::find(not_done.begin(), not_done.end(), d) == not_done.end()) {
        not_done.push_back(d);
      }
    }
    if (!not_done.empty()) {
      r.reasons.push_back(fmt::format("it needs {}, not done yet", tasks_text(graph, not_done)));
    }
    for (std::string& reason : input_reasons(graph, id, earlier, [&status](NodeId d) {
           return status.states[d] == TaskState::kFinished;
         })) {
      r.reasons.push_back(std::move(reason));
    }
    out.push_back(std::move(r));
  }
  return out;
}

}  // namespace jug
