// N tasks that each sleep MS milliseconds and log "start i pid" / "end i pid"
// to $JUG_TEST_LOG: `-- N MS` (default 20 tasks of 100 ms). For tests of
// stopping and interrupting workers.
#include <jug/jug.hpp>

#include <unistd.h>

#include <chrono>
#include <cstdlib>
#include <fstream>
#include <string>
#include <thread>

namespace {
void log_line(const std::string& line) {
  if (const char* path = std::getenv("JUG_TEST_LOG")) std::ofstream(path, std::ios::app) << line << '\n';
}
}  // namespace

const jug::TaskGenerator nap("nap", [](int i, int milliseconds) {
  log_line("start " + std::to_string(i) + " " + std::to_string(::getpid()));
  std::this_thread::sleep_for(std::chrono::milliseconds(milliseconds));
  log_line("end " + std::to_string(i) + " " + std::to_string(::getpid()));
  return i;
});

int main(int argc, char** argv) {
  return jug::main(argc, argv, [] {
    const auto& args = jug::arguments();
    const int n = args.size() > 0 ? std::stoi(args[0]) : 20;
    const int ms = args.size() > 1 ? std::stoi(args[1]) : 100;
    for (int i = 0; i < n; ++i) nap(i, ms);
  });
}
