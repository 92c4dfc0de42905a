// One big array and its reader: `produce` returns `-- COUNT` doubles
// (default 200,000), `random` ones zstd cannot shrink or, with `-- COUNT
// smooth`, ones it can; `consume` sums them and appends "sum <COUNT> <SUM>"
// to $JUG_TEST_LOG. Every run of `produce` appends "produce".
#include <jug/jug.hpp>

#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <fstream>
#include <string>
#include <vector>

namespace {
void log_run(const std::string& what) {
  if (const char* path = std::getenv("JUG_TEST_LOG")) std::ofstream(path, std::ios::app) << what << '\n';
}
}  // namespace

const jug::TaskGenerator produce("produce", [](long count, bool smooth) {
  log_run("produce");
  std::vector<double> values(static_cast<std::size_t>(count));
  std::uint64_t x = 88172645463325252ull;
  for (std::size_t i = 0; i < values.size(); ++i) {
    x ^= x << 13;
    x ^= x >> 7;
    x ^= x << 17;
    // Smooth: small integers, which zstd shrinks; else 53 random bits.
    values[i] = smooth ? static_cast<double>(i % 1000) : static_cast<double>(x >> 11);
  }
  return values;
});

const jug::TaskGenerator consume("consume", [](const std::vector<double>& values) {
  long double sum = 0;
  for (double v : values) sum += v;
  char line[64];
  std::snprintf(line, sizeof line, "sum %zu %.1Lf", values.size(), sum);
  log_run(line);
  return static_cast<double>(sum);
});

int main(int argc, char** argv) {
  return jug::main(argc, argv, [] {
    const auto& args = jug::arguments();
    const long count = args.empty() ? 200'000 : std::stol(args[0]);
    consume(produce(count, args.size() > 1 && args[1] == "smooth"));
  });
}
