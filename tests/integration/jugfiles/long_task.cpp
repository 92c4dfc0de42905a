// One long task and one that needs it, for takeover tests: `linger(1)` logs
// `start linger PID`, then waits until the file $JUG_TEST_GATE exists (at
// most 120 s), logs `end linger PID` and returns; `after(linger)` logs
// `start after PID` / `end after PID`. Lines go to $JUG_TEST_LOG.
#include <jug/jug.hpp>

#include <fcntl.h>
#include <unistd.h>

#include <chrono>
#include <cstdlib>
#include <stdexcept>
#include <string>
#include <thread>

namespace {

void log_event(const std::string& what) {
  const char* path = std::getenv("JUG_TEST_LOG");
  if (path == nullptr) throw std::runtime_error("JUG_TEST_LOG is not set");
  const std::string line = what + " " + std::to_string(::getpid()) + "\n";
  const int fd = ::open(path, O_WRONLY | O_APPEND | O_CREAT | O_CLOEXEC, 0644);
  if (fd < 0) throw std::runtime_error("cannot open the log");
  const ssize_t n = ::write(fd, line.data(), line.size());
  ::close(fd);
  if (n != static_cast<ssize_t>(line.size())) throw std::runtime_error("short log write");
}

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
