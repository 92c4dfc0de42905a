#include "status_history.hpp"

#include <algorithm>
#include <set>

namespace jug::tool {
namespace {

/// The rate is taken over this much of the past.
constexpr std::chrono::seconds kRateWindow{60};
/// Recent finishes kept for the page.
constexpr std::size_t kRecentKept = 20;

std::size_t finished_of(const nlohmann::ordered_json& status) {
  return status.at("totals").at("finished").get<std::size_t>();
}

double unix_seconds(StatusHistory::Clock::time_point t) {
  return std::chrono::duration<double>(t.time_since_epoch()).count();
}

}  // namespace

void StatusHistory::add(const std::string& status_json, Clock::time_point when, double seconds) {
  nlohmann::ordered_json status = nlohmann::ordered_json::parse(status_json);
  // Finishes per name since the last status.
  if (status_) {
    std::map<std::string, std::size_t> before;
    for (const auto& row : status_->at("by_name")) {
      before[row.at("name").get<std::string>()] = row.at("finished").get<std::size_t>();
    }
    for (const auto& row : status.at("by_name")) {
      const std::string name = row.at("name").get<std::string>();
      const std::size_t now = row.at("finished").get<std::size_t>();
      const auto was = before.find(name);
      const std::size_t then = was == before.end() ? 0 : was->second;
      if (now > then) recent_.push_back(Finish{when, name, now - then});
    }
    while (recent_.size() > kRecentKept) recent_.pop_front();
  }
  // A finished count that falls (an invalidate, a cleanup) starts the rate
  // afresh.
  if (!finished_.empty() && finished_of(status) < finished_.back().second) finished_.clear();
  finished_.emplace_back(when, finished_of(status));
  while (finished_.size() > 2 && when - finished_.front().first > kRateWindow) {
    finished_.pop_front();
  }
  std::set<std::string> running;
  for (const auto& task : status.at("running")) {
    const std::string hash = task.at("hash").get<std::string>();
    running.insert(hash);
    running_since_.try_emplace(hash, when);
  }
  std::erase_if(running_since_, [&](const auto& entry) { return !running.contains(entry.first); });
  status_ = std::move(status);
  status_text_ = status_json;
  read_at_ = when;
  read_seconds_ = seconds;
  error_.reset();
}

void StatusHistory::failed(const std::string& why, Clock::time_point when) {
  error_ = why;
  if (!status_) read_at_ = when;
}

nlohmann::ordered_json StatusHistory::page(Clock::time_point now) const {
  nlohmann::ordered_json page;
  page["status"] = status_ ? *status_ : nlohmann::ordered_json(nullptr);
  page["read_at"] = unix_seconds(read_at_);
  page["read_seconds"] = read_seconds_;
  page["error"] = error_ ? nlohmann::ordered_json(*error_) : nullptr;
  std::optional<double> rate;
  if (finished_.size() >= 2) {
    const double span =
        std::chrono::duration<double>(finished_.back().first - finished_.front().first).count();
    if (span > 0) {
      rate = static_cast<double>(finished_.back().second - finished_.front().second) / span;
    }
  }
  page["finished_per_second"] = rate ? nlohmann::ordered_json(*rate) : nullptr;
  page["seconds_left"] = nullptr;
  if (status_ && rate && *rate > 0) {
    const auto& totals = status_->at("totals");
    const std::size_t left = status_->at("tasks").get<std::size_t>() -
                             totals.at("finished").get<std::size_t>() -
                             totals.at("failed").get<std::size_t>();
    page["seconds_left"] = static_cast<double>(left) / *rate;
  }
  page["recent"] = nlohmann::ordered_json::array();
  for (auto it = recent_.rbegin(); it != recent_.rend(); ++it) {
    page["recent"].push_back({{"at", unix_seconds(it->at)}, {"name", it->name}, {"count", it->count}});
  }
  page["running"] = nlohmann::ordered_json::array();
  for (const auto& [hash, since] : running_since_) {
    page["running"].push_back(
        {{"hash", hash}, {"seen_seconds", std::chrono::duration<double>(now - since).count()}});
  }
  return page;
}

}  // namespace jug::tool
