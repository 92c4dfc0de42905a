/// Tests of what `jug execute`'s progress line says (src/cli/progress_tally.hpp):
/// counts, the rate, the time left weighed by each name's durations (this
/// run's, else earlier runs'), the longest running task, and a line that
/// fits a terminal.

#include "cli/progress_tally.hpp"

#include <gtest/gtest.h>

#include "cli/progress_line.hpp"
#include "engine/graph.hpp"

namespace {

using Clock = jug::cli::ProgressTally::Clock;
using namespace std::chrono_literals;

/// Ten "fast" tasks and two "slow" ones.
jug::Graph two_names() {
  jug::Graph graph;
  for (int i = 0; i < 10; ++i) {
    graph.add("fast", jug::TaskHash::of("fast" + std::to_string(i)), {}, nullptr);
  }
  graph.add("slow", jug::TaskHash::of("slow0"), {}, nullptr);
  graph.add("slow", jug::TaskHash::of("slow1"), {}, nullptr);
  return graph;
}

TEST(ProgressTally, CountsDoneHereAndElsewhere) {
  const jug::Graph graph = two_names();
  jug::cli::ProgressTally tally;
  const Clock::time_point t0 = Clock::now();
  tally.round_started(graph, 12, 2, {8, 2}, {}, t0);
  EXPECT_EQ(tally.done(), 2u);
  tally.started(graph, 2, t0);
  tally.started(graph, 3, t0 + 1s);
  EXPECT_EQ(tally.running_count(), 2u);
  tally.finished(graph, 2, 1.0, t0 + 1s);
  tally.done_elsewhere(graph, 4, t0 + 1s);
  EXPECT_EQ(tally.done(), 4u);
  EXPECT_EQ(tally.running_count(), 1u);
  tally.failed(graph, 3);
  EXPECT_EQ(tally.failed_count(), 1u);
  EXPECT_EQ(tally.running_count(), 0u);
  EXPECT_DOUBLE_EQ(tally.rate(t0 + 2s), 1.0) << "2 finishes in 2 s";
}

TEST(ProgressTally, TimeLeftWeighsEachNameByItsDurations) {
  const jug::Graph graph = two_names();
  jug::cli::ProgressTally tally;
  const Clock::time_point t0 = Clock::now();
  // Earlier runs: slow tasks took 10 s. This run times the fast ones.
  tally.round_started(graph, 12, 0, {10, 2}, {std::nullopt, 10.0}, t0);
  EXPECT_EQ(tally.seconds_left(t0), std::nullopt) << "nothing finished yet: no pace";
  for (jug::NodeId id = 0; id < 4; ++id) {
    tally.started(graph, id, t0 + std::chrono::seconds(id));
    tally.finished(graph, id, 1.0, t0 + std::chrono::seconds(id + 1));
  }
  // Left: 6 fast (1 s) + 2 slow (10 s) = 26 s of work; done lately: 4 s of
  // work in 4 s: one worker's pace.
  const std::optional<double> left = tally.seconds_left(t0 + 4s);
  ASSERT_TRUE(left);
  EXPECT_NEAR(*left, 26.0, 1e-9);
  // Another worker doubles the pace.
  for (jug::NodeId id = 4; id < 8; ++id) tally.done_elsewhere(graph, id, t0 + 4s);
  EXPECT_NEAR(*tally.seconds_left(t0 + 4s), 22.0 / 2.0, 1e-9);
}

TEST(ProgressTally, TasksThatWillNotRunAreNoLongerInTheTimeLeft) {
  const jug::Graph graph = two_names();
  jug::cli::ProgressTally tally;
  const Clock::time_point t0 = Clock::now();
  tally.round_started(graph, 12, 0, {10, 2}, {std::nullopt, 10.0}, t0);
  for (jug::NodeId id = 0; id < 4; ++id) {
    tally.started(graph, id, t0 + std::chrono::seconds(id));
    tally.finished(graph, id, 1.0, t0 + std::chrono::seconds(id + 1));
  }
  EXPECT_NEAR(*tally.seconds_left(t0 + 4s), 26.0, 1e-9) << "6 fast (1 s) + 2 slow (10 s)";
  tally.started(graph, 4, t0 + 4s);
  tally.failed(graph, 4);  // a fast one failed here
  tally.not_to_run(graph, 10);  // a slow one needed it
  // Left: 5 fast + 1 slow = 15 s of work, at 1 s of work a second.
  EXPECT_NEAR(*tally.seconds_left(t0 + 4s), 15.0, 1e-9);
  EXPECT_EQ(tally.failed_count(), 1u);
}

TEST(ProgressTally, NamesWithoutDurationsTakeTheMeanOfTheOthers) {
  const jug::Graph graph = two_names();
  jug::cli::ProgressTally tally;
  const Clock::time_point t0 = Clock::now();
  tally.round_started(graph, 12, 0, {10, 2}, {}, t0);
  for (jug::NodeId id = 0; id < 3; ++id) tally.finished(graph, id, 2.0, t0 + 3s);
  // 7 fast + 2 slow, each 2 s (the fast mean), at 6 s of work per 3 s.
  EXPECT_NEAR(*tally.seconds_left(t0 + 3s), 18.0 / 2.0, 1e-9);
}

TEST(ProgressTally, AllDoneLeavesNothing) {
  const jug::Graph graph = two_names();
  jug::cli::ProgressTally tally;
  tally.round_started(graph, 12, 12, {0, 0}, {}, Clock::now());
  EXPECT_EQ(tally.seconds_left(Clock::now()), 0.0);
}

TEST(ProgressTally, TheLineForATerminalAndForALog) {
  const jug::Graph graph = two_names();
  jug::cli::ProgressTally tally;
  const Clock::time_point t0 = Clock::now();
  tally.round_started(graph, 1234, 34, {10, 2}, {}, t0);
  tally.started(graph, 10, t0);
  tally.started(graph, 0, t0 + 5s);
  const std::string terminal = tally.line(t0 + 12s, true);
  EXPECT_EQ(terminal, "[34/1,234] 3% · 2 running · 0.00/s · time left unknown · longest: slow " +
                          graph.hash(10).hex().substr(0, 8) + " (12.0 s)");
  EXPECT_EQ(terminal.find('\n'), std::string::npos);
  const std::string log = tally.line(t0 + 12s, false);
  EXPECT_EQ(log, "jug: 34 of 1,234 tasks done (3%), 2 running, 0.00 per second; running longest: "
                 "slow " + graph.hash(10).hex().substr(0, 8) + " (12.0 s)");
  for (const char c : log) {
    EXPECT_GE(static_cast<unsigned char>(c), 0x20) << "no control characters";
  }
}

TEST(ProgressLine, FitsTheWidthCountingCharactersNotBytes) {
  EXPECT_EQ(jug::cli::fit_to_width("abc", 5), "abc");
  EXPECT_EQ(jug::cli::fit_to_width("abcdef", 3), "abc");
  EXPECT_EQ(jug::cli::fit_to_width("a · b · c", 5), "a · b");
  EXPECT_EQ(jug::cli::fit_to_width("··", 1), "·");
}

TEST(Thousands, Separators) {
  EXPECT_EQ(jug::cli::with_thousands(0), "0");
  EXPECT_EQ(jug::cli::with_thousands(999), "999");
  EXPECT_EQ(jug::cli::with_thousands(1000), "1,000");
  EXPECT_EQ(jug::cli::with_thousands(1234567), "1,234,567");
}

}  // namespace
