// Benchmark jugfile: a chain of N dependent tasks, each adding one to the
// previous result. N comes after `--` (default 1000).
#include <jug/jug.hpp>

#include <cstdint>
#include <string>

const jug::TaskGenerator start("start", [] { return std::int64_t{0}; });
const jug::TaskGenerator step("step", [](std::int64_t previous) { return previous + 1; });

int main(int argc, char** argv) {
  return jug::main(argc, argv, [] {
    const auto& args = jug::arguments();
    const std::int64_t n = args.empty() ? 1000 : std::stoll(args[0]);
    auto t = start();
    for (std::int64_t i = 1; i < n; ++i) t = step(t);
  });
}
