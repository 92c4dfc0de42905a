// A result too large for a small disk: `big` returns `-- BYTES` (default
// 2 MiB) pseudo-random, incompressible bytes; three `small(i)` tasks, and
// `summary` over all of them. Every run appends its name to $JUG_TEST_LOG.
#include <jug/jug.hpp>

#include <cstdint>
#include <cstdlib>
#include <fstream>
#include <string>
#include <vector>

namespace {
void log_run(const std::string& what) {
  if (const char* path = std::getenv("JUG_TEST_LOG")) std::ofstream(path, std::ios::app) << what << '\n';
}
}  // namespace

const jug::TaskGenerator big("big", [](long bytes) {
  log_run("big");
  std::vector<std::uint8_t> out(static_cast<std::size_t>(bytes));
  std::uint64_t state = 0x9E3779B97F4A7C15ULL;  // xorshift64*: zstd cannot shrink it
  for (auto& b : out) {
    state ^= state >> 12;
    state ^= state << 25;
    state ^= state >> 27;
    b = static_cast<std::uint8_t>((state * 0x2545F4914F6CDD1DULL) >> 56);
  }
  return out;
});

const jug::TaskGenerator small("small", [](int i) {
  log_run("small " + std::to_string(i));
  return i * 2;
});

const jug::TaskGenerator summary("summary", [](const std::vector<std::uint8_t>& data,
                                               const std::vector<int>& smalls) {
  log_run("summary");
  long s = static_cast<long>(data.size());
  for (int v : smalls) s += v;
  return s;
});

int main(int argc, char** argv) {
  return jug::main(argc, argv, [] {
    const long bytes = jug::arguments().empty() ? 2L << 20 : std::stol(jug::arguments()[0]);
    std::vector<jug::Task<int>> smalls;
    for (int i = 0; i < 3; ++i) smalls.push_back(small(i));
    summary(big(bytes), smalls);
  });
}
