// Benchmark jugfile for `execute --aggressive-unload` (bench/aggressive_unload):
// a chain of big arrays, each step made from the one before, and a small
// summary of each step made after the whole chain. The summaries are made
// last, so the chain runs first (tasks run in the order they were made,
// where they can): without --aggressive-unload every step's array stays in
// memory until its summary has run; with it, each is dropped once stored,
// and read back by its summary.
//
//     bench_unload_jugfile execute [--aggressive-unload] -- STEPS MB
#include <jug/jug.hpp>

#include <cstdint>
#include <numeric>
#include <string>
#include <vector>

const jug::TaskGenerator first("first", [](std::int64_t megabytes) {
  std::vector<double> values(static_cast<std::size_t>(megabytes) * (1 << 20) / sizeof(double));
  std::iota(values.begin(), values.end(), 0.0);
  return values;
});

const jug::TaskGenerator step("step", [](const std::vector<double>& previous) {
  std::vector<double> next(previous.size());
  for (std::size_t i = 0; i < next.size(); ++i) next[i] = previous[i] * 0.5 + 1.0;
  return next;
});

const jug::TaskGenerator summary("summary", [](const std::vector<double>& values) {
  return std::accumulate(values.begin(), values.end(), 0.0) / static_cast<double>(values.size());
});

int main(int argc, char** argv) {
  return jug::main(argc, argv, [] {
    const auto& args = jug::arguments();
    const int steps = args.size() > 0 ? std::stoi(args[0]) : 8;
    const std::int64_t megabytes = args.size() > 1 ? std::stoll(args[1]) : 100;
    std::vector<jug::Task<std::vector<double>>> chain{first(megabytes)};
    for (int i = 1; i < steps; ++i) chain.push_back(step(chain.back()));
    for (const auto& array : chain) summary(array);
  });
}
