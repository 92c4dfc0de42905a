// For lease tests: one task `held`, N tasks `quick(i)` (`-- N`, default 2)
// and `total` over all of them. `held` appends "start <pid> <ns>" when it
// begins and "end <pid> <ns>" when it returns (ns: wall clock, ns since the
// epoch) to $JUG_TEST_LOG; with $JUG_TEST_RELEASE set, it waits until that
// file exists (at most 10 minutes) before returning, so a test decides how
// long it holds its lease. `quick` and `total` log "quick i" and "total t".
#include <jug/jug.hpp>

#include <unistd.h>

#include <chrono>
#include <cstdlib>
#include <string>
#include <thread>

#include "test_log.hpp"

namespace {

/// The log is optional here.
void log_line(const std::string& line) { append_test_log(line, /*required=*/false); }
}  // namespace

const jug::TaskGenerator held("held", [](int x) {
  log_line("start " + std::to_string(::getpid()) + " " + std::to_string(wall_ns()));
  if (const char* release = std::getenv("JUG_TEST_RELEASE")) {
    const auto deadline = std::chrono::steady_clock::now() + std::chrono::minutes(10);
    while (::access(release, F_OK) != 0 && std::chrono::steady_clock::now() < deadline) {
      std::this_thread::sleep_for(std::chrono::milliseconds(20));
    }
  }
  log_line("end " + std::to_string(::getpid()) + " " + std::to_string(wall_ns()));
  return x;
});

const jug::TaskGenerator quick("quick", [](int i) {
  log_line("quick " + std::to_string(i));
  return i;
});

const jug::TaskGenerator total("total", [](int h, const std::vector<int>& values) {
  long t = h;
  for (int v : values) t += v;
  log_line("total " + std::to_string(t));
  return t;
});

int main(int argc, char** argv) {
  return jug::main(argc, argv, [] {
    const int n = jug::arguments().empty() ? 2 : std::stoi(jug::arguments()[0]);
    std::vector<jug::Task<int>> quicks;
    for (int i = 0; i < n; ++i) quicks.push_back(quick(i + 1));
    total(held(100), quicks);
  });
}
