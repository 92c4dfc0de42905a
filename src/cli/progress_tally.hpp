#pragma once
/// What `jug execute`'s progress line says (progress_line.hpp), counted as
/// the run goes: tasks done (here, and by other workers as this one learns
/// of them) of those to do, the running ones, the rate, and the time left.
///
/// The time left is estimated as ninja does from its log: each task name's
/// mean duration, from this run's tasks or else from earlier runs (the
/// metadata kept with their results), weighs the tasks still to do; that
/// work divided by the work done per second lately (by every worker this one
/// hears of) is the time left. Not thread-safe: the progress line locks.

#include <array>
#include <chrono>
#include <deque>
#include <optional>
#include <string>
#include <unordered_map>
#include <vector>

#include "engine/graph.hpp"

namespace jug::cli {

class ProgressTally {
 public:
  using Clock = std::chrono::steady_clock;

  /// `prior_seconds`: per task name (indexed like Graph::names()), the mean
  /// duration of earlier runs where known.
  void round_started(const Graph& graph, std::size_t selected, std::size_t already_done,
                     const std::vector<std::size_t>& to_do_per_name,
                     const std::vector<std::optional<double>>& prior_seconds,
                     Clock::time_point now);
  void started(const Graph& graph, NodeId id, Clock::time_point now);
  void finished(const Graph& graph, NodeId id, double seconds, Clock::time_point now);
  /// A task failed here: no more of the time left.
  void failed(const Graph& graph, NodeId id);
  /// A task this run will not run (something it needs failed, or another
  /// worker failed it): no more of the time left.
  void not_to_run(const Graph& graph, NodeId id);
  void done_elsewhere(const Graph& graph, NodeId id, Clock::time_point now);
  /// A task counted done whose result proved unreadable: to do again.
  void to_do_again(const Graph& graph, NodeId id);

  std::size_t selected() const { return selected_; }
  std::size_t done() const { return done_; }
  std::size_t failed_count() const { return failed_; }
  std::size_t running_count() const { return running_.size(); }
  /// Seconds left, once there is enough to tell.
  std::optional<double> seconds_left(Clock::time_point now) const;
  /// Tasks finished per second lately (every worker this one hears of).
  double rate(Clock::time_point now) const;
  /// The task running longest here, and for how long.
  std::optional<std::pair<std::string, double>> longest_running(Clock::time_point now) const;

  /// The line: "[123/1,000] 12% · 2 running · 4.1/s · 3 min 12 s left ·
  /// longest: fit 3f2a9c01 (12 s)" for a terminal (`terminal`), or a
  /// sentence for a log.
  std::string line(Clock::time_point now, bool terminal) const;

 private:
  struct PerName {
    std::size_t to_do = 0;
    double seconds_here = 0;
    std::size_t runs_here = 0;
    std::optional<double> prior_seconds;
    std::optional<double> mean() const;
  };
  /// A task running, as the line names it ("name 1a2b3c4d"), made only
  /// when drawn: a million tasks need not each format it.
  struct Running {
    std::uint32_t name_id;
    std::array<std::uint8_t, 4> hash_start;
    Clock::time_point since;
    std::string label(const std::vector<std::string>& names) const;
  };
  /// The estimated seconds of a task of `name_id`: its name's mean, else
  /// the mean over names, else nothing.
  std::optional<double> weight(std::uint32_t name_id) const;
  void count_done(std::uint32_t name_id, Clock::time_point now);
  void one_less_to_do(std::uint32_t name_id);

  std::size_t selected_ = 0, done_ = 0, failed_ = 0;
  std::vector<PerName> per_name_;
  /// The round's task names, by name id.
  std::vector<std::string> names_;
  std::unordered_map<NodeId, Running> running_;
  /// Recent finishes (any worker): when, and the work they stood for.
  std::deque<std::pair<Clock::time_point, std::uint32_t>> recent_;
  Clock::time_point round_start_;
};

/// "1,234,567".
std::string with_thousands(std::size_t n);

}  // namespace jug::cli
