// For lease tests: one task `held`, N tasks `quick(i)` (`-- N`, default 2)
// and `total` over all of them. `held` appends "start <pid> <ns>" when it
// begins and "end <pid> <ns>" when it returns (ns: wall clock, ns since the
// epoch) to $JUG_TEST_LOG; with $JUG_TEST_RELEASE set, it waits until that
// file exists (at most 10 minutes) before returning, so a test decides how
// long it holds its lease. `quick` and `total` log "quick i" and "total t".
#include <jug/jug.hpp>

#include <fcntl.h>
#include <unistd.h>

#include <chrono>
#include <cstdlib>
#include <stdexcept>
#include <string>
#include <thread>

namespace {

void log_line(const std::string& line) {
  const char* path = std::getenv("JUG_TEST_LOG");
  if (path == nullptr) return;
  const int fd = ::open(path, O_WRONLY | O_APPEND | O_CREAT, 0644);
  if (fd < 0) throw std::runtime_error("cannot open the log");
  // One write per line with O_APPEND: lines from several processes never mix.
  const std::string text = line + "\n";
  const ssize_t n = ::write(fd, text.data(), text.size());
  ::close(fd);
  if (n != static_cast<ssize_t>(text.size())) throw std::runtime_error("short log write");
}

std::int64_t now_ns() {
  return std::chrono::duration_cast<std::chrono::nanoseconds>(
             std::chrono::system_clock::now().time_since_epoch())
      .count();
}

}  // namespace

const jug::TaskGenerator held("held", [](int x) {
  log_line("start " + std::to_string(::getpid()) + " " + std::to_string(now_ns()));
  if (const char* release = std::getenv("JUG_TEST_RELEASE")) {
    const auto deadline = std::chrono::steady_clock::now() + std::chrono::minutes(10);
    while (::access(release, F_OK) != 0 && std::chrono::steady_clock::now() < deadline) {
      std::this_thread::sleep_for(std::chrono::milliseconds(20));
    }
  }
  log_line("end " + std::to_string(::getpid()) + " " + std::to_string(now_ns()));
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
