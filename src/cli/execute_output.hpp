#pragma once
/// What `jug execute` prints: each task as it runs (--verbose), each
/// failure as it happens, a progress line, and a summary at the end; and
/// the trace file (--trace) it writes.

#include <functional>
#include <memory>
#include <mutex>
#include <optional>
#include <ostream>
#include <string>
#include <utility>
#include <vector>

#include <fmt/ostream.h>

#include "cli/progress_line.hpp"
#include "cli/progress_tally.hpp"
#include "cli/trace_file.hpp"
#include "commands/execute.hpp"

namespace jug::cli {

/// The mean duration of earlier runs of each task name with tasks to do
/// (indexed like Graph::names()), where the store tells: for the progress
/// line's estimate of the time left.
using PriorDurations = std::function<std::vector<std::optional<double>>(
    const Graph& graph, const std::vector<std::size_t>& to_do_per_name)>;
/// Why a task runs (execute --explain, RunReasons): one line each.
using Explain = std::function<std::vector<std::string>(const Graph& graph, NodeId id)>;

class ConsoleObserver final : public ExecuteObserver {
 public:
  ConsoleObserver(std::ostream& out, bool verbose) : out_(out), verbose_(verbose) {}
  /// With a progress line (progress_line.hpp) on `out`, which is `fd`, and a
  /// trace file (trace_file.hpp) where `trace` is set.
  ConsoleObserver(std::ostream& out, bool verbose, ProgressStyle progress, int fd,
                  PriorDurations prior, std::unique_ptr<TraceFile> trace, Explain explain = {});
  ~ConsoleObserver() override;

  void round_started(const Graph& graph, std::size_t selected, std::size_t already_done,
                     const std::vector<std::size_t>& to_do_per_name) override;
  void task_started(const Graph& graph, NodeId id) override;
  void task_finished(const Graph& graph, NodeId id, double seconds) override;
  void task_failed(const Graph& graph, NodeId id, const std::string& message) override;
  void task_done_elsewhere(const Graph& graph, NodeId id) override;
  void task_not_to_run(const Graph& graph, NodeId id) override;
  void task_retrying(const Graph& graph, NodeId id, const std::string& message,
                     unsigned attempt) override;
  void lease_taken_over(const Graph& graph, NodeId id, const std::string& why) override;
  void lease_lost(const Graph& graph, NodeId id, const std::string& message) override;
  void result_recomputed(const Graph& graph, NodeId id, const std::string& message,
                         bool type_changed) override;
  void barrier_passed(const Graph& before, const Graph& after, std::size_t new_tasks) override;
  void results_verified(const Graph& graph, std::size_t checked, std::size_t removed) override;

  /// The tasks running now ("twice (3f2a9c01ab12)"), oldest first.
  std::vector<std::string> running_tasks();

  /// Erases the progress line for good: the summary comes next.
  void stop_progress();

 private:
  /// One whole line (or lines) at a time, flushed: workers' threads print
  /// at once, and a log tailed by the user shows progress as it happens.
  template <class... Args>
  void say(fmt::format_string<Args...> format, Args&&... args) {
    std::lock_guard lock(mutex_);
    if (line_) line_->erase_locked();
    fmt::print(out_, format, std::forward<Args>(args)...);
    out_.flush();
  }

  void forget_running(NodeId id);

  std::mutex mutex_;
  std::ostream& out_;
  bool verbose_;
  /// Tasks running, described once as they start (for Ctrl-C's message).
  std::vector<std::pair<NodeId, std::string>> running_;
  /// Task names whose results were found of a changed type: said once each.
  std::vector<std::string> told_type_changed_;
  ProgressTally tally_;
  PriorDurations prior_;
  std::unique_ptr<TraceFile> trace_;
  Explain explain_;
  /// Last: destroyed first, its thread stopped before what it reads goes.
  std::optional<ProgressLine> line_;
};

/// Says at once, on stderr, what the first Ctrl-C (or SIGTERM) does:
/// no new task starts, and the `running` tasks finish first.
void print_stopping(int signal, const std::vector<std::string>& running);

/// Says that the second one gave up the `abandoned` running tasks.
void print_abandoned(int signal, const std::vector<std::string>& running, std::size_t leases);

/// Everything but a fatal error, which goes to stderr.
/// `short_output` (--short): without the table of the tasks run per name.
void print_execute_summary(std::ostream& out, const ExecuteOutcome& outcome, double seconds,
                           bool short_output = false);

}  // namespace jug::cli
