// Benchmark jugfile: one big result and its reader. `produce` returns N
// doubles (incompressible), `consume` sums them. N comes after `--`
// (default 50,000,000: 400 MB):  bench_big_results_jugfile execute -- 50000000
// With `-- N view`, `consume_view` sums them through a view (a std::span
// parameter: the record mapped) and, if $BENCH_ANON_FILE names a file,
// writes there the process's anonymous memory (RssAnon, kB) as it ends.
#include <jug/jug.hpp>

#include <cstdint>
#include <cstdlib>
#include <fstream>
#include <numeric>
#include <span>
#include <string>
#include <vector>

const jug::TaskGenerator produce("produce", [](std::int64_t n) {
  std::vector<double> values(static_cast<std::size_t>(n));
  // A cheap generator whose output zstd cannot shrink: the store's
  // compression probe gives up, as it does on measured data.
  std::uint64_t x = 88172645463325252ull;
  for (double& v : values) {
    x ^= x << 13;
    x ^= x >> 7;
    x ^= x << 17;
    v = static_cast<double>(x >> 11) * 0x1.0p-53;
  }
  return values;
});

// std::reduce, not std::accumulate: it may add in any order, and adds four
// at a time, as numpy's sum does in big_results_jugfile.py. A sum of one
// add after another takes 0.4 s of the reload at 4 GB, which is not jug's.
const jug::TaskGenerator consume("consume", [](const std::vector<double>& values) {
  return std::reduce(values.begin(), values.end(), 0.0);
});

const jug::TaskGenerator consume_view("consume_view", [](std::span<const double> values) {
  const double sum = std::reduce(values.begin(), values.end(), 0.0);
  if (const char* report = std::getenv("BENCH_ANON_FILE")) {
    std::ifstream status("/proc/self/status");
    for (std::string line; std::getline(status, line);) {
      if (line.rfind("RssAnon:", 0) == 0) std::ofstream(report) << line.substr(8) << '\n';
    }
  }
  return sum;
});

int main(int argc, char** argv) {
  return jug::main(argc, argv, [] {
    const auto& args = jug::arguments();
    const std::int64_t n = args.empty() ? 50'000'000 : std::stoll(args[0]);
    if (args.size() > 1 && args[1] == "view") {
      consume_view(produce(n));
    } else {
      consume(produce(n));
    }
  });
}
