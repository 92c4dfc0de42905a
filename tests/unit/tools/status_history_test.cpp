/// Tests of what `jug webstatus` adds to successive statuses
/// (tools/jug/status_history.hpp): the rate, the time left, recent finishes
/// per name, and since when running tasks have been seen.

#include "jug/status_history.hpp"

#include <gtest/gtest.h>

#include <string>

namespace {

using Clock = jug::tool::StatusHistory::Clock;
using namespace std::chrono_literals;

std::string status(int finished_a, int finished_b, const std::string& running = "") {
  const int tasks = 100;
  return nlohmann::json{
      {"tasks", tasks},
      {"totals", {{"waiting", 0}, {"ready", tasks - finished_a - finished_b}, {"running", 0},
                  {"finished", finished_a + finished_b}, {"failed", 0}}},
      {"by_name",
       {{{"name", "a"}, {"finished", finished_a}}, {{"name", "b"}, {"finished", finished_b}}}},
      {"running", running.empty() ? nlohmann::json::array()
                                  : nlohmann::json::array({{{"hash", running}}})}}
      .dump();
}

TEST(StatusHistory, RateTimeLeftAndRecentFinishes) {
  jug::tool::StatusHistory history;
  const Clock::time_point t0 = Clock::now();
  EXPECT_TRUE(history.empty());
  history.add(status(0, 0), t0, 0.1);
  EXPECT_FALSE(history.empty());
  EXPECT_TRUE(history.page(t0)["finished_per_second"].is_null());
  history.add(status(10, 0), t0 + 5s, 0.1);
  history.add(status(10, 10), t0 + 10s, 0.1);
  const auto page = history.page(t0 + 10s);
  EXPECT_DOUBLE_EQ(page["finished_per_second"].get<double>(), 2.0);
  EXPECT_DOUBLE_EQ(page["seconds_left"].get<double>(), 80.0 / 2.0);
  ASSERT_EQ(page["recent"].size(), 2u);
  EXPECT_EQ(page["recent"][0]["name"], "b") << "newest first";
  EXPECT_EQ(page["recent"][0]["count"], 10);
  EXPECT_EQ(page["recent"][1]["name"], "a");
  EXPECT_EQ(history.status_text(), status(10, 10));
}

TEST(StatusHistory, RunningTasksAreTimedFromWhenFirstSeen) {
  jug::tool::StatusHistory history;
  const Clock::time_point t0 = Clock::now();
  history.add(status(0, 0, "abc"), t0, 0.1);
  history.add(status(0, 0, "abc"), t0 + 3s, 0.1);
  auto page = history.page(t0 + 4s);
  ASSERT_EQ(page["running"].size(), 1u);
  EXPECT_DOUBLE_EQ(page["running"][0]["seen_seconds"].get<double>(), 4.0);
  history.add(status(1, 0), t0 + 5s, 0.1);
  EXPECT_TRUE(history.page(t0 + 5s)["running"].empty());
}

TEST(StatusHistory, FewerFinishedStartsTheRateAfreshAndFailuresAreShown) {
  jug::tool::StatusHistory history;
  const Clock::time_point t0 = Clock::now();
  history.add(status(50, 0), t0, 0.1);
  history.add(status(0, 0), t0 + 1s, 0.1);  // invalidated
  EXPECT_TRUE(history.page(t0 + 1s)["finished_per_second"].is_null());
  history.failed("the store is gone", t0 + 2s);
  EXPECT_EQ(history.page(t0 + 2s)["error"], "the store is gone");
  EXPECT_EQ(history.status_text(), status(0, 0)) << "the last good status stays";
  EXPECT_THROW(history.add("not json", t0 + 3s, 0.1), std::exception);
}

}  // namespace
