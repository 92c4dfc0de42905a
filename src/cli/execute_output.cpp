#include "cli/execute_output.hpp"

#include <algorithm>
#include <csignal>
#include <cstdio>

#include <fmt/format.h>
#include <fmt/ostream.h>

#include "cli/stop_signals.hpp"
#include "engine/results.hpp"

namespace jug::cli {

ConsoleObserver::ConsoleObserver(std::ostream& out, bool verbose, ProgressStyle progress, int fd,
                                 PriorDurations prior, std::unique_ptr<TraceFile> trace,
                                 Explain explain)
    : out_(out),
      verbose_(verbose),
      prior_(std::move(prior)),
      trace_(std::move(trace)),
      explain_(std::move(explain)) {
  if (progress.mode != ProgressStyle::Mode::kOff) {
    line_.emplace(out_, mutex_, tally_, progress, fd);
  }
}

ConsoleObserver::~ConsoleObserver() = default;

void ConsoleObserver::stop_progress() { line_.reset(); }

void ConsoleObserver::round_started(const Graph& graph, std::size_t selected,
                                    std::size_t already_done,
                                    const std::vector<std::size_t>& to_do_per_name) {
  // Read before the lock: it asks the store.
  std::vector<std::optional<double>> prior;
  if (line_ && prior_ && already_done < selected) prior = prior_(graph, to_do_per_name);
  std::lock_guard lock(mutex_);
  tally_.round_started(graph, selected, already_done, to_do_per_name, prior,
                       ProgressTally::Clock::now());
}

void ConsoleObserver::task_started(const Graph& graph, NodeId id) {
  std::string task = describe_task(graph, id);
  if (verbose_) say("Executing {}...\n", task);
  if (explain_) {
    try {
      for (const std::string& reason : explain_(graph, id)) say("Running {}: {}\n", task, reason);
    } catch (const std::exception& e) {
      say("Running {}: why is not known ({})\n", task, e.what());
    }
  }
  if (trace_) trace_->started(id);
  std::lock_guard lock(mutex_);
  running_.emplace_back(id, std::move(task));
  tally_.started(graph, id, ProgressTally::Clock::now());
}

void ConsoleObserver::task_done_elsewhere(const Graph& graph, NodeId id) {
  std::lock_guard lock(mutex_);
  tally_.done_elsewhere(graph, id, ProgressTally::Clock::now());
}

void ConsoleObserver::forget_running(NodeId id) {
  std::lock_guard lock(mutex_);
  const auto at = std::find_if(running_.begin(), running_.end(),
                               [id](const auto& running) { return running.first == id; });
  if (at != running_.end()) running_.erase(at);
}

std::vector<std::string> ConsoleObserver::running_tasks() {
  std::lock_guard lock(mutex_);
  std::vector<std::string> tasks;
  for (const auto& [id, task] : running_) tasks.push_back(task);
  return tasks;
}

void ConsoleObserver::task_finished(const Graph& graph, NodeId id, double seconds) {
  forget_running(id);
  if (trace_) trace_->finished(graph, id, std::nullopt);
  {
    std::lock_guard lock(mutex_);
    tally_.finished(graph, id, seconds, ProgressTally::Clock::now());
  }
  if (!verbose_) return;
  say("Finished {} in {:.3f} s\n", describe_task(graph, id), seconds);
}

void ConsoleObserver::task_not_to_run(const Graph& graph, NodeId id) {
  std::lock_guard lock(mutex_);
  tally_.not_to_run(graph, id);
}

void ConsoleObserver::task_failed(const Graph& graph, NodeId id, const std::string& message) {
  forget_running(id);
  if (trace_) trace_->finished(graph, id, message);
  {
    std::lock_guard lock(mutex_);
    tally_.failed(graph, id);
  }
  say("Task {} failed: {}\n", describe_task(graph, id), message);
}

namespace {

/// "the 2 running tasks (a (…), b (…))", at most a few named.
std::string describe_running(const std::vector<std::string>& running) {
  constexpr std::size_t kNamed = 4;
  std::string names;
  for (std::size_t i = 0; i < std::min(kNamed, running.size()); ++i) {
    names += (i ? ", " : "") + running[i];
  }
  if (running.size() > kNamed) names += fmt::format(" and {} more", running.size() - kNamed);
  return running.size() == 1 ? fmt::format("the running task, {}", names)
                              : fmt::format("the {} running tasks ({})", running.size(), names);
}

std::string_view key_name(int signal) { return signal == SIGINT ? "Ctrl-C" : signal_name(signal); }

}  // namespace

void print_stopping(int signal, const std::vector<std::string>& running) {
  if (running.empty()) {
    fmt::print(stderr, "\njug: {}: stopping; no task is running.\n", key_name(signal));
    return;
  }
  fmt::print(stderr,
             "\njug: {}: no new task starts. Finishing {}, whose result{} will be stored; {} "
             "again to abandon {}.\n",
             key_name(signal), describe_running(running), running.size() == 1 ? "" : "s",
             signal == SIGINT ? "press Ctrl-C" : fmt::format("send {}", signal_name(signal)),
             running.size() == 1 ? "it" : "them");
}

void print_abandoned(int signal, const std::vector<std::string>& running, std::size_t leases) {
  if (running.empty() && leases == 0) {
    fmt::print(stderr, "jug: {} again: exiting.\n", key_name(signal));
    return;
  }
  fmt::print(stderr,
             "jug: {} again: abandoned {}. {} lease{} given back, so the next jug execute runs "
             "{} again (not counted as a crash).\n",
             key_name(signal), describe_running(running), leases, leases == 1 ? " was" : "s were",
             running.size() == 1 ? "it" : "them");
}

void ConsoleObserver::task_retrying(const Graph& graph, NodeId id, const std::string& message,
                                    unsigned attempt) {
  // The first line: a Python task's message goes on with its traceback,
  // which is printed whole if the last try fails too.
  const std::string_view first_line = std::string_view(message).substr(0, message.find('\n'));
  say("Task {} failed ({}); retry {}...\n", describe_task(graph, id), first_line, attempt);
}

void ConsoleObserver::lease_taken_over(const Graph& graph, NodeId id, const std::string& why) {
  say("Taking over task {}: {}.\n", describe_task(graph, id), why);
}

void ConsoleObserver::lease_lost(const Graph& graph, NodeId id, const std::string& message) {
  say("Warning: task {}: {}\n", describe_task(graph, id), message);
}

void ConsoleObserver::result_recomputed(const Graph& graph, NodeId id, const std::string& message,
                                        bool type_changed) {
  {
    std::lock_guard lock(mutex_);
    tally_.to_do_again(graph, id);
  }
  if (type_changed) {
    {
      std::lock_guard lock(mutex_);
      if (std::find(told_type_changed_.begin(), told_type_changed_.end(), graph.name(id)) !=
          told_type_changed_.end()) {
        return;
      }
      told_type_changed_.push_back(graph.name(id));
    }
    say("{}\nRecomputing it, and every other {} result in this state as it is needed (said "
        "once for all {} tasks).\n",
        message, graph.name(id), graph.name(id));
    return;
  }
  say("{}\nThe result was removed; task {} runs again.\n", message, describe_task(graph, id));
}

void ConsoleObserver::results_verified(const Graph&, std::size_t checked, std::size_t removed) {
  say("Verified {} stored result{}: {}.\n", checked, checked == 1 ? "" : "s",
      removed == 0 ? std::string("all good")
                   : fmt::format("{} unreadable, removed to be computed again", removed));
}

void ConsoleObserver::barrier_passed(const Graph& before, const Graph& after,
                                     std::size_t new_tasks) {
  say("Passed {}: {} tasks known now ({} new){}.\n", *before.stopped_at(), after.size(),
      new_tasks, after.stopped_at() ? "; the next stop is " + *after.stopped_at() : "");
}

void print_execute_summary(std::ostream& out, const ExecuteOutcome& outcome, double seconds,
                           bool short_output) {
  const Graph& graph = outcome.graph;
  const ExecuteReport& report = outcome.report;
  if (report.executed > 0 && !short_output) {
    std::size_t width = std::string_view("Task name").size();
    for (const auto& [name, n] : outcome.executed_per_name) width = std::max(width, name.size());
    fmt::print(out, "{:<{}} {:>9}\n{}\n", "Task name", width, "Executed",
               std::string(width + 10, '-'));
    for (const auto& [name, n] : outcome.executed_per_name) {
      fmt::print(out, "{:<{}} {:>9}\n", name, width, n);
    }
    fmt::print(out, "{}\n", std::string(width + 10, '-'));
  }
  fmt::print(out, "Executed {} task{} in {:.2f} s; {} of {} done ({} before this run, {} by other workers).\n",
             report.executed, report.executed == 1 ? "" : "s", seconds, report.done(),
             report.selected, report.already_done, report.done_elsewhere);
  if (!report.failures.empty()) {
    fmt::print(out, "{} task{} failed:\n", report.failures.size(),
               report.failures.size() == 1 ? "" : "s");
    for (const TaskFailure& f : report.failures) {
      fmt::print(out, "  {}: {}\n", describe_task(graph, f.id), f.message);
    }
  }
  if (!report.failed_elsewhere.empty()) {
    const bool one = report.failed_elsewhere.size() == 1;
    fmt::print(out,
               "{} task{} failed in another worker (not retried in this run; the next jug "
               "execute retries {}):\n",
               report.failed_elsewhere.size(), one ? "" : "s", one ? "it" : "them");
    for (const TaskFailure& f : report.failed_elsewhere) {
      fmt::print(out, "  {}: {}\n", describe_task(graph, f.id), f.message);
    }
  }
  if (report.kept_failed > 0) {
    fmt::print(out, "{} task{} kept failed from an earlier run (--keep-failed); "
               "`jug cleanup --failed-only` clears {}.\n",
               report.kept_failed, report.kept_failed == 1 ? " was" : "s were",
               report.kept_failed == 1 ? "it" : "them");
  }
  if (report.blocked > 0) {
    // Which ones, and why: they can never run until what failed is fixed.
    constexpr std::size_t kShown = 10;
    fmt::print(out, "{} task{} not run because something they need failed:\n", report.blocked,
               report.blocked == 1 ? " was" : "s were");
    for (std::size_t i = 0; i < std::min(kShown, report.blocked_by.size()); ++i) {
      const auto [task, failed] = report.blocked_by[i];
      fmt::print(out, "  {} needs {}, which failed\n", describe_task(graph, task),
                 describe_task(graph, failed));
    }
    if (report.blocked_by.size() > kShown) {
      fmt::print(out, "  ... and {} more (jug status lists the failures)\n",
                 report.blocked_by.size() - kShown);
    }
  }
  if (report.gave_up_waiting) {
    // What to do depends on those workers: jug status names them.
    fmt::print(out,
               "Stopped waiting: other workers held the remaining tasks for longer than "
               "--wait-cycle-time × --nr-wait-cycles. `jug status` names the workers that hold "
               "them; jug execute run again waits for them again, and takes over the tasks of "
               "those that are gone.\n");
  }
  if (report.stopped && report.executed == 0 && report.failures.empty()) {
    fmt::print(out, "Started no task: {}.\n", *report.stopped);
  } else if (report.stopped) {
    fmt::print(out, "Stopped before the end: {}. Running tasks were finished and stored.\n",
               *report.stopped);
  }
  if (graph.stopped_at()) {
    fmt::print(out,
               "The jugfile stops at {}: the tasks after it are known once those before it "
               "are done.\n",
               *graph.stopped_at());
  }
}

}  // namespace jug::cli
