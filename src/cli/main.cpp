/// jug::main: parse, open the store, build the graph, run the subcommand.

#include "jug/main.hpp"

#include <chrono>
#include <csignal>
#include <filesystem>
#include <iostream>
#include <optional>
#include <thread>

#include <fmt/format.h>
#include <fmt/ostream.h>
#include <unistd.h>

#include "cli/command_line.hpp"
#include "cli/execute_output.hpp"
#include "cli/export_command.hpp"
#include "cli/failed_task_debugger.hpp"
#include "cli/graph_command.hpp"
#include "cli/pack_command.hpp"
#include "cli/progress_line.hpp"
#include "cli/show_command.hpp"
#include "cli/status_output.hpp"
#include "cli/stop_conditions.hpp"
#include "cli/stop_signals.hpp"
#include "cli/submit_command.hpp"
#include "cli/trace_file.hpp"
#include "commands/check.hpp"
#include "commands/cleanup.hpp"
#include "commands/execute.hpp"
#include "commands/invalidate.hpp"
#include "commands/last_words.hpp"
#include "commands/prior_durations.hpp"
#include "commands/status.hpp"
#include "commands/status_cache.hpp"
#include "commands/why.hpp"
#include "engine/build_context.hpp"
#include "engine/results.hpp"
#include "engine/type_name.hpp"
#include "jug/detail/generator_registry.hpp"
#include "jug/errors.hpp"

namespace jug {
namespace {

constexpr int kOk = 0;
constexpr int kFailed = 1;

std::vector<std::string>& jugfile_arguments() {
  static std::vector<std::string> args;
  return args;
}

/// The process ends soon: freeing a large graph node by node would cost
/// more than many commands do. (Leak checkers cannot see into the graph's
/// arena, so sanitizer builds free it as usual.)
void keep_until_exit([[maybe_unused]] Graph&& graph) {
#ifndef __SANITIZE_ADDRESS__
  static auto* const kept = new std::vector<Graph>();
  kept->push_back(std::move(graph));
#endif
}

int run_execute(const cli::CommandLine& cl, const std::function<Graph()>& build, Store& store) {
  std::unique_ptr<cli::TraceFile> trace;
  if (!cl.trace.empty()) trace = std::make_unique<cli::TraceFile>(cl.trace);
  std::optional<RunReasons> reasons;
  if (cl.explain) reasons.emplace(store);
  cli::ConsoleObserver observer(
      std::cout, cl.verbose,
      cli::progress_style(STDOUT_FILENO, cl.quiet, cl.progress_every.count()),
      STDOUT_FILENO,
      [&store](const Graph& graph, const std::vector<std::size_t>& to_do) {
        return prior_durations(graph, store, to_do);
      },
      std::move(trace),
      reasons ? cli::Explain([&reasons](const Graph& graph, NodeId id) {
        return reasons->of(graph, id);
      })
              : cli::Explain());
  ExecuteOptions options = cl.execute;
  cli::apply_stop_conditions(options, cl.check_environment);
  say_last_words_on_fatal_signals();
  AbandonSwitch abandon_switch;
  options.abandon_switch = &abandon_switch;
  // Optional: `--pdb` hands Ctrl-C to the debugger once the run is over.
  std::optional<cli::StopSignals> signals;
  signals.emplace(cli::StopSignals::Reactions{
      .first = [&](int signal) { cli::print_stopping(signal, observer.running_tasks()); },
      .second =
          [&](int signal) {
            const std::vector<std::string> running = observer.running_tasks();
            cli::print_abandoned(signal, running, abandon_switch.abandon());
          },
  });
  if (const std::optional<std::string> warning = store.durability_warning()) {
    std::cerr << "jug: warning: " << *warning << '\n';
  }
  // Results lost with a damaged frame, or a frame torn by a worker killed
  // appending it: computed again, and said once here.
  for (const std::string& damage : store.damage(cl.execute.lease_time)) {
    std::cerr << "jug: warning: " << damage << '\n';
  }
  const auto start = std::chrono::steady_clock::now();
  ExecuteOutcome outcome = execute_through_barriers(build, store, options, observer);
  observer.stop_progress();
  const ExecuteReport& report = outcome.report;
  const double seconds =
      std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
  cli::print_execute_summary(std::cout, outcome, seconds, cl.short_output);
  // A Python jugfile's tasks drop into pdb themselves, where they fail.
  if (cl.pdb && !report.failures.empty() && !cl.jugfile.ends_with(".py")) {
    std::cout.flush();
    signals.reset();  // Ctrl-C is the debugger's now
    const TaskFailure& failure = report.failures.front();
    cli::debug_failed_task(cl, describe_task(outcome.graph, failure.id),
                           outcome.graph.hash(failure.id), failure.message);
  }
  if (report.fatal_error) {
    std::cout.flush();
    std::cerr << (report.fatal_error->starts_with("jug: ") ? "" : "jug: ") << *report.fatal_error
              << '\n';
  }
  const bool failed = !report.failures.empty() || !report.failed_elsewhere.empty() ||
                      report.kept_failed > 0 || report.fatal_error;
  if (failed) return kFailed;
  // Stopped on request: by a signal, 128 + its number (the shell's way);
  // by the stop file or a JUG_MAX_* limit, success, as in jug.
  if (report.stopped) return cli::StopSignals::received() ? 128 + cli::StopSignals::received() : kOk;
  // A graph still stopped at a barrier is unfinished work, unless only
  // --target's tasks (all done) were asked for.
  const bool unfinished = !report.complete() || (outcome.graph.stopped_at() && !options.target);
  keep_until_exit(std::move(outcome.graph));
  return unfinished ? kFailed : kOk;
}

/// status --clear: Python jug's way to drop the cache (--cache --clear).
int clear_status_cache(const cli::CommandLine& cl) {
  const std::string& path = cl.status.cache_file;
  std::error_code error;
  if (std::filesystem::remove(path, error)) {
    fmt::print(std::cout, "Removed the status cache {}.\n", path);
  } else if (error) {
    fmt::print(std::cerr, "jug: cannot remove the status cache {}: {}\n", path, error.message());
    return kFailed;
  } else {
    fmt::print(std::cout, "There is no status cache at {}.\n", path);
  }
  return kOk;
}

StatusReport status_report(const cli::CommandLine& cl, const Graph& graph, Store& store) {
  const StatusOptions options{cl.execute.lease_time, cl.status.verify};
  if (!cl.status.cache) return compute_status(graph, store, options);
  StatusCacheUse use;
  StatusReport report = compute_status_cached(graph, store, options, cl.status.cache_file, use);
  if (cl.verbose) {
    if (use.not_used.empty()) {
      fmt::print(std::cerr, "jug: {} of {} tasks known finished from the status cache {}\n",
                 use.taken, graph.size(), cl.status.cache_file);
    } else {
      fmt::print(std::cerr, "jug: status cache not used: {}\n", use.not_used);
    }
  }
  if (!use.not_written.empty()) {
    fmt::print(std::cerr, "jug: warning: the status cache was not kept: {}\n", use.not_written);
  }
  return report;
}

int run_status(const cli::CommandLine& cl, const Graph& graph, Store& store) {
  const StatusReport report = status_report(cl, graph, store);
  if (cl.status.json) {
    cli::print_status_json(std::cout, graph, report, store.describe());
  } else if (cl.short_output) {
    cli::print_status_short(std::cout, graph, report);
  } else {
    cli::print_status_table(std::cout, graph, report);
    cli::print_barrier(std::cout, graph);
    cli::print_running(std::cout, graph, report);
    cli::print_failures(std::cout, graph, report);
    cli::print_abandoned(std::cout, graph, report);
    cli::print_corrupt(std::cout, graph, report);
    // Which store: the first thing to check when results seem lost.
    fmt::print(std::cout, "\nResults are kept in the {}.\n", store.describe());
  }
  return kOk;
}

int run_sleep_until(const std::function<Graph()>& build, Store& store) {
  std::optional<Graph> graph;
  graph.emplace(build());
  while (true) {
    const StatusReport report = compute_status(*graph, store);
    if (report.all_finished()) {
      if (!graph->stopped_at()) return kOk;
      // Everything before the barrier is done: look past it.
      graph.emplace(build());
      // Otherwise it waits, say at a damaged result, for an execute.
      if (gets_further(*graph, store)) continue;
    } else {
      const auto active = report.totals[static_cast<int>(TaskState::kRunning)] +
                          report.totals[static_cast<int>(TaskState::kReady)];
      if (active == 0 && !report.failures.empty()) {
        cli::print_failures(std::cout, *graph, report);
        fmt::print(std::cout, "jug: the remaining tasks cannot finish: tasks they need failed\n");
        return kFailed;
      }
    }
    std::this_thread::sleep_for(std::chrono::milliseconds(200));
  }
}

/// 0 when the graph is whole (built past every barrier) and finished.
int run_check(const std::function<Graph()>& build, Store& store) {
  return computation_finished(build, store) ? kOk : kFailed;
}

int run_invalidate(const cli::CommandLine& cl, const Graph& graph, Store& store) {
  const InvalidateReport report = invalidate(graph, store, cl.target);
  for (std::size_t i = 0; i < graph.names().size(); ++i) {
    if (report.removed_per_name[i] == 0) continue;
    fmt::print(std::cout, "{:>9}  {}\n", report.removed_per_name[i], graph.names()[i]);
  }
  fmt::print(std::cout,
             "Invalidated {} result{} ({} task{} matched {}, {} with everything downstream).\n",
             report.removed, report.removed == 1 ? "" : "s", report.matched,
             report.matched == 1 ? "" : "s", cl.target, report.affected);
  if (graph.stopped_at()) {
    fmt::print(std::cout,
               "The jugfile stops at {} (tasks before it are not done), so tasks after it are "
               "not known and were left alone.\n",
               *graph.stopped_at());
  }
  return kOk;
}

int run_cleanup(const cli::CommandLine& cl, const Graph& graph, Store& store) {
  if (graph.stopped_at() && !cl.cleanup.locks_only && !cl.cleanup.failed_only) {
    // What is not in the graph may belong to the tasks after the barrier.
    throw Error(fmt::format(
        "jug: cleanup: the jugfile stops at {} (tasks before it are not done), so the tasks "
        "after it are not known and their results cannot be told from unused ones. Run jug "
        "execute until it gets past the barrier, then clean up; --locks-only and --failed-only "
        "work now.",
        *graph.stopped_at()));
  }
  const CleanupReport report = cleanup(graph, store, cl.cleanup);
  if (const Store::IndexRepair& index = report.index_repair; index.unlisted + index.stale > 0) {
    fmt::print(std::cout,
               "{} the store's index: {} key{} it did not list, {} entr{} for keys that are "
               "gone.\n",
               cl.cleanup.dry_run ? "Would repair" : "Repaired", index.unlisted,
               index.unlisted == 1 ? "" : "s", index.stale, index.stale == 1 ? "y" : "ies");
  }
  if (const std::size_t parts = report.index_repair.orphan_parts; parts > 0) {
    fmt::print(std::cout, "{} {} part{} of large results that no result uses.\n",
               cl.cleanup.dry_run ? "Would remove" : "Removed", parts, parts == 1 ? "" : "s");
  }
  fmt::print(std::cout, "{} {} result{}, {} lease{}, {} failure record{}{}.\n",
             cl.cleanup.dry_run ? "Would remove" : "Removed", report.results_removed,
             report.results_removed == 1 ? "" : "s", report.leases_removed,
             report.leases_removed == 1 ? "" : "s", report.failures_removed,
             report.failures_removed == 1 ? "" : "s",
             report.results_kept ? fmt::format("; kept {} in use", report.results_kept) : "");
  if (report.files_removed > 0) {
    // Not only half-written files: a worker's marker, a breaker's file, an
    // invalidate's removal mark (Store::remove_abandoned_files). Files whose
    // writer the name does not tell are judged by their age alone.
    fmt::print(std::cout, "{} {} file{} that jug processes which are gone left behind.\n",
               cl.cleanup.dry_run ? "Would remove" : "Removed", report.files_removed,
               report.files_removed == 1 ? "" : "s");
  }
  const bool removes_any =
      report.results_removed + report.leases_removed + report.failures_removed > 0;
  if (removes_any && !report.other_jugfiles.empty()) {
    // Only a dry run or --also-other-jugfiles gets here: cleanup() refuses otherwise.
    std::string others;
    for (const std::string& jugfile : report.other_jugfiles) others += "\n  " + jugfile;
    fmt::print(std::cout, "The store is also used by:{}\n{}\n", others,
               cl.cleanup.dry_run
                   ? "Some of it may be theirs: without --also-other-jugfiles, cleanup "
                     "removes nothing."
                   : "Some of it may have been theirs: those of their tasks run again at their "
                     "next jug execute.");
  }
  return kOk;
}

/// Notes in the store that this jugfile uses it, so that cleanup of another
/// jugfile sharing the store knows of this one. A store that cannot be
/// written (read-only, full) loses only that: execute may have nothing to
/// write, and says so itself if it has.
void note_jugfile(const cli::CommandLine& cl, Store& store) {
  try {
    store.note_user(cli::absolute_jugfile(cl.jugfile));
  } catch (const StoreError& e) {
    std::cerr << "jug: warning: " << e.what()
              << " (cleanup of another jugfile sharing the store will not know of this one)\n";
  }
}

int run_count(const Graph& graph) {
  std::vector<std::size_t> counts(graph.names().size());
  for (NodeId id = 0; id < graph.size(); ++id) ++counts[graph.node(id).name_id];
  for (std::size_t i = 0; i < counts.size(); ++i) {
    fmt::print(std::cout, "{:>9}  {}\n", counts[i], graph.names()[i]);
  }
  fmt::print(std::cout, "{:>9}  Total\n", graph.size());
  cli::print_barrier(std::cout, graph);
  return kOk;
}

int dispatch_on_graph(const cli::CommandLine& cl, const Graph& graph, Store& store) {
  const std::string& s = cl.subcommand;
  if (s == "status") return run_status(cl, graph, store);
  if (s == "invalidate") return run_invalidate(cl, graph, store);
  if (s == "cleanup") return run_cleanup(cl, graph, store);
  if (s == "count") return run_count(graph);
  if (s == "graph") return cli::run_graph(cl, graph, store);
  if (s == "show") return cli::run_show(cl, graph, store);
  if (s == "why") return cli::run_why(cl, graph, store);
  if (s == "export") return cli::run_export(cl, graph, store);
  throw Error("jug: subcommand " + s + " is not implemented");
}

int dispatch(const cli::CommandLine& cl, const std::function<Graph(BuildMode)>& build_graph_in,
             Store& store) {
  const std::string& s = cl.subcommand;
  // These build the graph again as they go past barriers.
  if (s == "pack") return cli::run_pack(cl, store);
  if (s == "execute") {
    note_jugfile(cl, store);
    return run_execute(cl, [&] { return build_graph_in(BuildMode::kRepairResults); }, store);
  }
  const auto build = [&] { return build_graph_in(BuildMode::kReadOnly); };
  if (s == "sleep-until") return run_sleep_until(build, store);
  if (s == "submit") return cli::run_submit(cl, build, store);
  if (s == "check") return run_check(build, store);
  Graph graph = build();
  const int exit_code = dispatch_on_graph(cl, graph, store);
  keep_until_exit(std::move(graph));
  return exit_code;
}


}  // namespace

const std::vector<std::string>& arguments() { return jugfile_arguments(); }

int main(int argc, char** argv, const std::function<void()>& build,
         const std::source_location& caller) {
  // A write beyond the file size limit (`ulimit -f`) must fail with EFBIG,
  // which the store reports and cleans up after, not kill the worker with
  // its lease and a temporary file left behind.
  std::signal(SIGXFSZ, SIG_IGN);
  // A write to a connection the other end dropped (a Redis server that
  // died) must fail with EPIPE, which the store reconnects after, not kill
  // the worker. Python, and so Python jug, ignores SIGPIPE too.
  std::signal(SIGPIPE, SIG_IGN);
  // Before anything is read or stored: one name, two functions would hand
  // one the other's results.
  if (std::optional<std::string> conflict = detail::generator_name_conflict()) {
    std::cerr << *conflict << '\n';
    return kFailed;
  }
  detail::throw_on_generator_name_conflicts();
  cli::ParseResult parsed = cli::parse_command_line(argc, argv, caller.file_name());
  if (const int* exit_code = std::get_if<int>(&parsed)) return *exit_code;
  const cli::CommandLine& cl = std::get<cli::CommandLine>(parsed);
  jugfile_arguments() = cl.jugfile_arguments;
  // Needs neither the store nor the graph.
  if (cl.subcommand == "status" && cl.status.clear_cache) return clear_status_cache(cl);
  try {
    std::unique_ptr<Store> store = open_store(cli::expand_jugdir(cl.jugdir, cl.jugfile), cl.store);
    const auto build_or_explain = [&](BuildMode mode) {
      try {
        return build_graph(build, *store, mode);
      } catch (const Error&) {
        throw;
      } catch (const std::exception& e) {
        throw Error(fmt::format("jug: the jugfile failed while building its tasks: {}: {}",
                                exception_type_name(e), e.what()));
      } catch (...) {
        throw Error(
            "jug: the jugfile failed while building its tasks: it threw something that is "
            "not a std::exception");
      }
    };
    return dispatch(cl, build_or_explain, *store);
  } catch (const std::exception& e) {
    std::string message = e.what();
    if (!message.starts_with("jug: ")) message = "jug: " + message;
    std::cerr << message << '\n';
    return kFailed;
  }
}

}  // namespace jug
