// The crash-recovery torture jugfile: 2000 tasks `work(i)` of short, varied
// durations (0-20 ms, a function of i), sums over blocks of 100 and a total.
// Every task appends `start KEY PID WORKER NS` before its work and
// `end KEY PID WORKER NS` after it to $JUG_TEST_LOG, where KEY is w<i>, b<b>
// or total, WORKER is $JUG_TEST_WORKER (a number the test gives each worker
// process, unlike pids never reused) and NS is CLOCK_MONOTONIC in ns (the
// clock of Python's time.monotonic_ns, comparable across processes).
// `-- N` sets the number of work tasks (default 2000); `-- N check` prints
// every result with the task's hash (`w i VALUE HASH`, `b b VALUE HASH`,
// `total VALUE HASH`) for the test to compare with what it computes itself.
#include <jug/jug.hpp>

#include <fcntl.h>
#include <time.h>
#include <unistd.h>

#include <chrono>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <stdexcept>
#include <string>
#include <thread>
#include <vector>

namespace {

constexpr int kBlock = 100;

std::int64_t monotonic_ns() {
  timespec ts{};
  ::clock_gettime(CLOCK_MONOTONIC, &ts);
  return static_cast<std::int64_t>(ts.tv_sec) * 1'000'000'000 + ts.tv_nsec;
}

void log_event(const char* what, const std::string& key) {
  const char* path = std::getenv("JUG_TEST_LOG");
  if (path == nullptr) throw std::runtime_error("JUG_TEST_LOG is not set");
  const char* worker = std::getenv("JUG_TEST_WORKER");
  const std::string line = std::string(what) + " " + key + " " + std::to_string(::getpid()) +
                           " " + (worker ? worker : "0") + " " +
                           std::to_string(monotonic_ns()) + "\n";
  const int fd = ::open(path, O_WRONLY | O_APPEND | O_CREAT | O_CLOEXEC, 0644);
  if (fd < 0) throw std::runtime_error("cannot open the log");
  // One write per line with O_APPEND: lines of many processes never mix.
  const ssize_t n = ::write(fd, line.data(), line.size());
  ::close(fd);
  if (n != static_cast<ssize_t>(line.size())) throw std::runtime_error("short log write");
}

/// 0 to 20 ms, scattered over i.
int duration_ms(int i) {
  std::uint32_t x = static_cast<std::uint32_t>(i) * 2654435761u;
  x ^= x >> 15;
  return static_cast<int>(x % 21);
}

long sum_of(const std::vector<long>& values) {
  long total = 0;
  for (long v : values) total += v;
  return total;
}

}  // namespace

const jug::TaskGenerator work("work", [](int i) {
  const std::string key = "w" + std::to_string(i);
  log_event("start", key);
  std::this_thread::sleep_for(std::chrono::milliseconds(duration_ms(i)));
  const long result = static_cast<long>(i) * i + 1;
  log_event("end", key);
  return result;
});

const jug::TaskGenerator block_sum("block_sum", [](int block, const std::vector<long>& values) {
  const std::string key = "b" + std::to_string(block);
  log_event("start", key);
  const long result = sum_of(values);
  log_event("end", key);
  return result;
});

const jug::TaskGenerator total("total", [](const std::vector<long>& blocks) {
  log_event("start", "total");
  const long result = sum_of(blocks);
  log_event("end", "total");
  return result;
});

int main(int argc, char** argv) {
  return jug::main(argc, argv, [] {
    const auto& args = jug::arguments();
    const int n = args.empty() ? 2000 : std::stoi(args[0]);
    const bool check = args.size() > 1 && args[1] == "check";
    std::vector<jug::Task<long>> works, blocks;
    for (int i = 0; i < n; ++i) works.push_back(work(i));
    for (int b = 0; b * kBlock < n; ++b) {
      const auto first = works.begin() + b * kBlock;
      const auto last = works.begin() + std::min(n, (b + 1) * kBlock);
      blocks.push_back(block_sum(b, std::vector<jug::Task<long>>(first, last)));
    }
    auto sum = total(blocks);
    if (check) {
      for (int i = 0; i < n; ++i) {
        std::printf("w %d %ld %s\n", i, jug::value(works[i]), works[i].hash().hex().c_str());
      }
      for (std::size_t b = 0; b < blocks.size(); ++b) {
        std::printf("b %zu %ld %s\n", b, jug::value(blocks[b]), blocks[b].hash().hex().c_str());
      }
      std::printf("total %ld %s\n", jug::value(sum), sum.hash().hex().c_str());
    }
  });
}
