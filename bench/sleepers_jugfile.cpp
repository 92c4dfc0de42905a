// Benchmark jugfile (issue 3): 64 tasks each sleeping 0.5 s, plus one reducer
// over all of them. Run by bench/workers on 1, 2 and 8 `execute` processes at
// once: the wall time should approach ceil(64 / workers) × 0.5 s.
// The number of sleepers and the sleep in ms may follow `--` (64 500); the
// sleep is not part of the tasks' hashes, so change it only on a fresh store.
#include <jug/jug.hpp>

#include <chrono>
#include <cstdint>
#include <string>
#include <thread>
#include <vector>

namespace {
std::int64_t sleep_ms = 500;
}

const jug::TaskGenerator sleep_then_return("sleep_then_return", [](std::int64_t i) {
  std::this_thread::sleep_for(std::chrono::milliseconds(sleep_ms));
  return i;
});

const jug::TaskGenerator sum_all("sum_all", [](const std::vector<std::int64_t>& values) {
  std::int64_t sum = 0;
  for (std::int64_t v : values) sum += v;
  return sum;
});

int main(int argc, char** argv) {
  return jug::main(argc, argv, [] {
    const auto& args = jug::arguments();
    const std::int64_t n = args.empty() ? 64 : std::stoll(args[0]);
    if (args.size() > 1) sleep_ms = std::stoll(args[1]);
    std::vector<jug::Task<std::int64_t>> sleepers;
    sleepers.reserve(static_cast<std::size_t>(n));
    for (std::int64_t i = 0; i < n; ++i) sleepers.push_back(sleep_then_return(i));
    sum_all(sleepers);
  });
}
