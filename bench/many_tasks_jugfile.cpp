// Benchmark jugfile: N trivial tasks plus one reducer over all of them.
// N comes after `--` (default 1000):  bench_many_tasks_jugfile execute -- 100000
#include <jug/jug.hpp>

#include <cstdint>
#include <string>

const jug::TaskGenerator square("square", [](std::int64_t x) { return x * x; });

const jug::TaskGenerator total("total", [](const std::vector<std::int64_t>& values) {
  std::int64_t sum = 0;
  for (std::int64_t v : values) sum += v;
  return sum;
});

int main(int argc, char** argv) {
  return jug::main(argc, argv, [] {
    const auto& args = jug::arguments();
    const std::int64_t n = args.empty() ? 1000 : std::stoll(args[0]);
    std::vector<jug::Task<std::int64_t>> squares;
    squares.reserve(static_cast<std::size_t>(n));
    for (std::int64_t i = 0; i < n; ++i) squares.push_back(square(i));
    total(squares);
  });
}
