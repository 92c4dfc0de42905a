#pragma once
/// What `jug webstatus` adds to the statuses it reads one after another
/// (`jug status --json`): the rate of finishes, the time left at that rate,
/// the latest finishes per task name, and since when each running task has
/// been seen running. Not thread-safe: webstatus locks.

#include <chrono>
#include <deque>
#include <map>
#include <optional>
#include <string>

#include <nlohmann/json.hpp>

namespace jug::tool {

class StatusHistory {
 public:
  using Clock = std::chrono::system_clock;

  /// A status read at `when` (its JSON text, as `jug status --json` printed
  /// it); `seconds` it took to read. Throws nlohmann's parse_error for text
  /// that is no JSON.
  void add(const std::string& status_json, Clock::time_point when, double seconds);
  /// A status that could not be read, and why (shown on the page; the last
  /// good one stays).
  void failed(const std::string& why, Clock::time_point when);

  bool empty() const { return !status_; }
  /// The last status's text, as it was printed.
  const std::string& status_text() const { return status_text_; }
  /// /page.json: {"status": ..., "read_at", "read_seconds", "error",
  /// "finished_per_second", "seconds_left", "recent": [{"at", "name",
  /// "count"}], "running": [{"hash", "seen_seconds"}]}.
  nlohmann::ordered_json page(Clock::time_point now) const;

 private:
  std::optional<nlohmann::ordered_json> status_;
  std::string status_text_;
  Clock::time_point read_at_;
  double read_seconds_ = 0;
  std::optional<std::string> error_;
  /// (when, finished in all) over the last minute.
  std::deque<std::pair<Clock::time_point, std::size_t>> finished_;
  struct Finish {
    Clock::time_point at;
    std::string name;
    std::size_t count;
  };
  std::deque<Finish> recent_;
  std::map<std::string, Clock::time_point> running_since_;
};

}  // namespace jug::tool
