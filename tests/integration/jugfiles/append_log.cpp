// N short tasks (N after `--`, default 200) that each append "start/end"
// lines with their pid to the file named by $JUG_TEST_LOG, then a reducer.
// Tests read the log to prove every task ran exactly once and never in two
// places at once.
#include <jug/jug.hpp>

#include <unistd.h>

#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <string>
#include <thread>

#include "test_log.hpp"

const jug::TaskGenerator work("work", [](int i) {
  const std::int64_t start = wall_ns();
  std::this_thread::sleep_for(std::chrono::milliseconds(2 + i % 5));
  append_test_log("work " + std::to_string(i) + " " + std::to_string(::getpid()) + " " +
                  std::to_string(start) + " " + std::to_string(wall_ns()));
  return i * 3;
});

const jug::TaskGenerator sum("sum", [](const std::vector<int>& values) {
  long total = 0;
  for (int v : values) total += v;
  append_test_log("sum " + std::to_string(total) + " " + std::to_string(::getpid()));
  return total;
});

int main(int argc, char** argv) {
  return jug::main(argc, argv, [] {
    const int n = jug::arguments().empty() ? 200 : std::stoi(jug::arguments()[0]);
    std::vector<jug::Task<int>> tasks;
    for (int i = 0; i < n; ++i) tasks.push_back(work(i));
    auto total = sum(tasks);
    // `-- N value` prints the reducer's result, read with jug::value.
    if (jug::arguments().size() > 1 && jug::arguments()[1] == "value") {
      std::printf("sum = %ld\n", jug::value(total));
    }
  });
}
