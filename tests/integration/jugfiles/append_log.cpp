// N short tasks (N after `--`, default 200) that each append "start/end"
// lines with their pid to the file named by $JUG_TEST_LOG, then a reducer.
// Tests read the log to prove every task ran exactly once and never in two
// places at once.
#include <jug/jug.hpp>

#include <fcntl.h>
#include <unistd.h>

#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <stdexcept>
#include <string>
#include <thread>

namespace {

void log_line(const std::string& line) {
  const char* path = std::getenv("JUG_TEST_LOG");
  if (path == nullptr) throw std::runtime_error("JUG_TEST_LOG is not set");
  const int fd = ::open(path, O_WRONLY | O_APPEND | O_CREAT, 0644);
  if (fd < 0) throw std::runtime_error("cannot open the log");
  // One write per line with O_APPEND: lines from many processes never mix.
  const ssize_t n = ::write(fd, line.data(), line.size());
  ::close(fd);
  if (n != static_cast<ssize_t>(line.size())) throw std::runtime_error("short log write");
}

std::int64_t now_ns() {
  return std::chrono::duration_cast<std::chrono::nanoseconds>(
             std::chrono::system_clock::now().time_since_epoch())
      .count();
}

}  // namespace

const jug::TaskGenerator work("work", [](int i) {
  const std::int64_t start = now_ns();
  std::this_thread::sleep_for(std::chrono::milliseconds(2 + i % 5));
  log_line("work " + std::to_string(i) + " " + std::to_string(::getpid()) + " " +
           std::to_string(start) + " " + std::to_string(now_ns()) + "\n");
  return i * 3;
});

const jug::TaskGenerator sum("sum", [](const std::vector<int>& values) {
  long total = 0;
  for (int v : values) total += v;
  log_line("sum " + std::to_string(total) + " " + std::to_string(::getpid()) + "\n");
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
