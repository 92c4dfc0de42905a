// Benchmark jugfile (issue 3): 64 tasks each sleeping 0.5 s, plus one reducer
// over all of them. Run by bench/workers on 1, 2 and 8 `execute` processes at
// once: the wall time should approach ceil(64 / workers) × 0.5 s.
// The number of sleepers and the sleep in ms may follow `--` (64 500); the
// sleep is not part of the tasks' hashes, so change it only on a fresh store.
// A third argument names a file each task appends a line to when it ends:
// `NAME START END PID`, wall-clock seconds (bench/clusters: when the first
// task started, with workers in jobs the bench does not start itself).
#include <jug/jug.hpp>

#include <chrono>
#include <cstdint>
#include <fstream>
#include <string>
#include <thread>
#include <vector>

#include <unistd.h>

namespace {
std::int64_t sleep_ms = 500;
std::string timing_log;

double wall_clock_seconds() {
  return std::chrono::duration<double>(std::chrono::system_clock::now().time_since_epoch())
      .count();
}

/// One line, written at once to a file opened for appending: lines of
/// several workers do not interleave.
void log_timing(const std::string& name, double start) {
  if (timing_log.empty()) return;
  const std::string line =
      name + " " + std::to_string(start) + " " + std::to_string(wall_clock_seconds()) + " " +
                           std::to_string(::getpid()) + "\n";
  std::ofstream(timing_log, std::ios::app) << line << std::flush;
}
}  // namespace

const jug::TaskGenerator sleep_then_return("sleep_then_return", [](std::int64_t i) {
  const double start = wall_clock_seconds();
  std::this_thread::sleep_for(std::chrono::milliseconds(sleep_ms));
  log_timing("sleeper" + std::to_string(i), start);
  return i;
});

const jug::TaskGenerator sum_all("sum_all", [](const std::vector<std::int64_t>& values) {
  const double start = wall_clock_seconds();
  std::int64_t sum = 0;
  for (std::int64_t v : values) sum += v;
  log_timing("sum_all", start);
  return sum;
});

int main(int argc, char** argv) {
  return jug::main(argc, argv, [] {
    const auto& args = jug::arguments();
    const std::int64_t n = args.empty() ? 64 : std::stoll(args[0]);
    if (args.size() > 1) sleep_ms = std::stoll(args[1]);
    if (args.size() > 2) timing_log = args[2];
    std::vector<jug::Task<std::int64_t>> sleepers;
    sleepers.reserve(static_cast<std::size_t>(n));
    for (std::int64_t i = 0; i < n; ++i) sleepers.push_back(sleep_then_return(i));
    sum_all(sleepers);
  });
}
