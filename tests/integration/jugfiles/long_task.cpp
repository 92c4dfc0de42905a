// One long task and one that needs it, for takeover tests: `linger(1)` logs
// `start linger PID`, then waits until the file $JUG_TEST_GATE exists (at
// most 120 s), logs `end linger PID` and returns; `after(linger)` logs
// `start after PID` / `end after PID`. Lines go to $JUG_TEST_LOG.
#include <jug/jug.hpp>

#include <unistd.h>

#include <chrono>
#include <cstdlib>
#include <string>
#include <thread>

#include "test_log.hpp"

namespace {
/// `what` and this worker's pid.
void log_event(const std::string& what) { append_test_log(what + " " + std::to_string(::getpid())); }
}  // namespace

const jug::TaskGenerator linger("linger", [](int x) {
  log_event("start linger");
  const char* gate = std::getenv("JUG_TEST_GATE");
  const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(120);
  while (std::chrono::steady_clock::now() < deadline) {
    if (gate != nullptr && ::access(gate, F_OK) == 0) break;
    std::this_thread::sleep_for(std::chrono::milliseconds(10));
  }
  log_event("end linger");
  return x + 1;
});

const jug::TaskGenerator after("after", [](int x) {
  log_event("start after");
  log_event("end after");
  return x * 2;
});

int main(int argc, char** argv) {
  return jug::main(argc, argv, [] { after(linger(1)); });
}
