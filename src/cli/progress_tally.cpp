#include "cli/progress_tally.hpp"

#include <algorithm>

#include <fmt/format.h>

#include "cli/show_output.hpp"
#include "engine/hex.hpp"

namespace jug::cli {
namespace {

/// Finishes older than this do not count in the rate: it follows the run's
/// pace as the kind of task changes.
constexpr std::chrono::seconds kRateWindow{60};
/// A time left is given once this many tasks finished in the window.
constexpr std::size_t kFinishesForAnEstimate = 3;

double seconds_between(ProgressTally::Clock::time_point a, ProgressTally::Clock::time_point b) {
  return std::chrono::duration<double>(b - a).count();
}

}  // namespace

std::string with_thousands(std::size_t n) {
  const std::string digits = std::to_string(n);
  std::string out;
  for (std::size_t i = 0; i < digits.size(); ++i) {
    if (i > 0 && (digits.size() - i) % 3 == 0) out += ',';
    out += digits[i];
  }
  return out;
}

std::optional<double> ProgressTally::PerName::mean() const {
  if (runs_here > 0) return seconds_here / static_cast<double>(runs_here);
  return prior_seconds;
}

void ProgressTally::round_started(const Graph& graph, std::size_t selected,
                                  std::size_t already_done,
                                  const std::vector<std::size_t>& to_do_per_name,
                                  const std::vector<std::optional<double>>& prior_seconds,
                                  Clock::time_point now) {
  selected_ = selected;
  done_ = already_done;
  failed_ = 0;
  running_.clear();
  names_ = graph.names();
  // A new round (past a barrier) keeps what this run learned of durations.
  per_name_.resize(graph.names().size());
  for (std::size_t i = 0; i < per_name_.size(); ++i) {
    per_name_[i].to_do = i < to_do_per_name.size() ? to_do_per_name[i] : 0;
    if (i < prior_seconds.size() && prior_seconds[i]) per_name_[i].prior_seconds = prior_seconds[i];
  }
  round_start_ = now;
}

void ProgressTally::started(const Graph& graph, NodeId id, Clock::time_point now) {
  Running running{graph.node(id).name_id, {}, now};
  std::copy_n(graph.hash(id).bytes.begin(), running.hash_start.size(), running.hash_start.begin());
  running_[id] = running;
}

std::string ProgressTally::Running::label(const std::vector<std::string>& names) const {
  std::string hex(hash_start.size() * 2, '0');
  encode_hex(hash_start.data(), hash_start.size(), hex.data());
  return fmt::format("{} {}", name_id < names.size() ? names[name_id] : "?", hex);
}

void ProgressTally::count_done(std::uint32_t name_id, Clock::time_point now) {
  ++done_;
  one_less_to_do(name_id);
  recent_.emplace_back(now, name_id);
  while (!recent_.empty() && now - recent_.front().first > kRateWindow) recent_.pop_front();
}

void ProgressTally::finished(const Graph& graph, NodeId id, double seconds,
                             Clock::time_point now) {
  running_.erase(id);
  const std::uint32_t name_id = graph.node(id).name_id;
  if (name_id < per_name_.size()) {
    per_name_[name_id].seconds_here += seconds;
    ++per_name_[name_id].runs_here;
  }
  count_done(name_id, now);
}

void ProgressTally::failed(const Graph& graph, NodeId id) {
  running_.erase(id);
  ++failed_;
  not_to_run(graph, id);
}

void ProgressTally::not_to_run(const Graph& graph, NodeId id) {
  one_less_to_do(graph.node(id).name_id);
}

void ProgressTally::one_less_to_do(std::uint32_t name_id) {
  if (name_id < per_name_.size() && per_name_[name_id].to_do > 0) --per_name_[name_id].to_do;
}

void ProgressTally::done_elsewhere(const Graph& graph, NodeId id, Clock::time_point now) {
  count_done(graph.node(id).name_id, now);
}

void ProgressTally::to_do_again(const Graph& graph, NodeId id) {
  // Found unreadable while the run was selecting (--verify) or reading it:
  // counted done at the start of the round, it runs again.
  if (done_ > 0) --done_;
  const std::uint32_t name_id = graph.node(id).name_id;
  if (name_id < per_name_.size()) ++per_name_[name_id].to_do;
}

std::optional<double> ProgressTally::weight(std::uint32_t name_id) const {
  if (name_id < per_name_.size()) {
    if (const std::optional<double> mean = per_name_[name_id].mean()) return mean;
  }
  double sum = 0;
  std::size_t known = 0;
  for (const PerName& p : per_name_) {
    if (const std::optional<double> mean = p.mean()) {
      sum += *mean;
      ++known;
    }
  }
  if (known == 0) return std::nullopt;
  return sum / static_cast<double>(known);
}

double ProgressTally::rate(Clock::time_point now) const {
  std::size_t count = 0;
  for (const auto& [when, name_id] : recent_) count += now - when <= kRateWindow;
  const double window = std::min(seconds_between(round_start_, now),
                                 std::chrono::duration<double>(kRateWindow).count());
  return window > 0 ? static_cast<double>(count) / window : 0;
}

std::optional<double> ProgressTally::seconds_left(Clock::time_point now) const {
  if (done_ + failed_ >= selected_) return 0.0;
  // The work still to do, in seconds of one worker thread.
  double left = 0;
  for (std::uint32_t name_id = 0; name_id < per_name_.size(); ++name_id) {
    if (per_name_[name_id].to_do == 0) continue;
    const std::optional<double> w = weight(name_id);
    if (!w) return std::nullopt;
    left += *w * static_cast<double>(per_name_[name_id].to_do);
  }
  // The work done per second lately, by every worker heard of.
  double done = 0;
  std::size_t finishes = 0;
  for (const auto& [when, name_id] : recent_) {
    if (now - when > kRateWindow) continue;
    const std::optional<double> w = weight(name_id);
    if (!w) return std::nullopt;
    done += *w;
    ++finishes;
  }
  const double window = std::min(seconds_between(round_start_, now),
                                 std::chrono::duration<double>(kRateWindow).count());
  if (finishes < kFinishesForAnEstimate || window <= 0 || done <= 0) return std::nullopt;
  return left / (done / window);
}

std::optional<std::pair<std::string, double>> ProgressTally::longest_running(
    Clock::time_point now) const {
  const Running* oldest = nullptr;
  for (const auto& [id, r] : running_) {
    if (oldest == nullptr || r.since < oldest->since ||
        (r.since == oldest->since && r.label(names_) < oldest->label(names_))) {
      oldest = &r;
    }
  }
  if (oldest == nullptr) return std::nullopt;
  return std::pair(oldest->label(names_), seconds_between(oldest->since, now));
}

std::string ProgressTally::line(Clock::time_point now, bool terminal) const {
  const std::size_t done = std::min(done_, selected_);
  const double percent =
      selected_ == 0 ? 100.0 : 100.0 * static_cast<double>(done) / static_cast<double>(selected_);
  const std::optional<double> left = seconds_left(now);
  const auto longest = longest_running(now);
  const double per_second = rate(now);
  const std::string rate_text = per_second >= 10   ? fmt::format("{:.0f}", per_second)
                                : per_second >= 0.1 ? fmt::format("{:.1f}", per_second)
                                                    : fmt::format("{:.2f}", per_second);
  if (terminal) {
    std::string text = fmt::format("[{}/{}] {:.0f}% · {} running · {}/s", with_thousands(done),
                                   with_thousands(selected_), percent, running_.size(), rate_text);
    if (failed_ > 0) text += fmt::format(" · {} failed", failed_);
    text += left ? fmt::format(" · {} left", duration_text(*left)) : " · time left unknown";
    if (longest) {
      text += fmt::format(" · longest: {} ({})", longest->first, duration_text(longest->second));
    }
    return text;
  }
  std::string text = fmt::format("jug: {} of {} tasks done ({:.0f}%), {} running, {} per second",
                                 with_thousands(done), with_thousands(selected_), percent,
                                 running_.size(), rate_text);
  if (failed_ > 0) text += fmt::format(", {} failed", failed_);
  if (left) text += fmt::format(", about {} left", duration_text(*left));
  if (longest) {
    text += fmt::format("; running longest: {} ({})", longest->first,
                        duration_text(longest->second));
  }
  return text;
}

}  // namespace jug::cli
