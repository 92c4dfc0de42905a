/// The progress line of `jug execute` drawn while worker threads report
/// tasks (src/cli/execute_output.hpp, progress_line.hpp): its thread and
/// theirs share the output under one lock (named Execute* so that the TSan
/// stage of scripts/test runs it), and the line is erased before the
/// summary.

#include <gtest/gtest.h>

#include <atomic>
#include <sstream>
#include <string>
#include <thread>
#include <vector>

#include "cli/execute_output.hpp"
#include "engine/graph.hpp"

namespace {

jug::Graph tasks(int n) {
  jug::Graph graph;
  for (int i = 0; i < n; ++i) {
    graph.add(i % 2 ? "odd" : "even", jug::TaskHash::of(std::to_string(i)), {}, nullptr);
  }
  return graph;
}

TEST(ExecuteProgress, WorkersReportWhileTheLineIsDrawn) {
  const jug::Graph graph = tasks(400);
  std::ostringstream out;
  {
    jug::cli::ProgressStyle style;
    style.mode = jug::cli::ProgressStyle::Mode::kTerminal;
    jug::cli::ConsoleObserver observer(out, /*verbose=*/false, style, /*fd=*/-1, nullptr,
                                       nullptr);
    observer.round_started(graph, 400, 0, {200, 200});
    std::vector<std::thread> workers;
    std::atomic<jug::NodeId> next{0};
    for (int w = 0; w < 4; ++w) {
      workers.emplace_back([&] {
        for (jug::NodeId id = next++; id < 400; id = next++) {
          observer.task_started(graph, id);
          std::this_thread::sleep_for(std::chrono::milliseconds(8));
          if (id % 50 == 7) {
            observer.task_failed(graph, id, "it failed");
          } else if (id % 10 == 3) {
            observer.task_done_elsewhere(graph, id);
          } else {
            observer.task_finished(graph, id, 0.0025);
          }
        }
      });
    }
    for (std::thread& t : workers) t.join();
    observer.stop_progress();
    out << "summary\n";
  }
  const std::string text = out.str();
  EXPECT_NE(text.find("\r["), std::string::npos) << "drawn at least once in 800 ms";
  EXPECT_NE(text.find("Task odd "), std::string::npos);
  // Every message begins on a line of its own: the line was erased first.
  const std::string erased = "\r\x1b[K";
  for (std::size_t at = text.find("Task "); at != std::string::npos;
       at = text.find("Task ", at + 1)) {
    const bool own_line = at == 0 || text[at - 1] == '\n' ||
                          (at >= erased.size() && text.compare(at - erased.size(), erased.size(),
                                                               erased) == 0);
    EXPECT_TRUE(own_line) << text.substr(at > 40 ? at - 40 : 0, 80);
  }
  EXPECT_TRUE(text.ends_with("\r\x1b[Ksummary\n") || text.ends_with("\nsummary\n"))
      << text.substr(text.size() > 200 ? text.size() - 200 : 0);
}

}  // namespace
