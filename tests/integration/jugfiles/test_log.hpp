#pragma once
// The log the integration tests read: each line appended to $JUG_TEST_LOG
// with one write() in O_APPEND mode, so that lines of many worker processes
// never mix. Shared by the test jugfiles.

#include <fcntl.h>
#include <unistd.h>

#include <chrono>
#include <cstdint>
#include <cstdlib>
#include <stdexcept>
#include <string>

/// Appends `line` and a newline. Without $JUG_TEST_LOG: throws when the log
/// is `required`, else writes nothing.
inline void append_test_log(const std::string& line, bool required = true) {
  const char* path = std::getenv("JUG_TEST_LOG");
  if (path == nullptr) {
    if (required) throw std::runtime_error("JUG_TEST_LOG is not set");
    return;
  }
  const std::string text = line + "\n";
  const int fd = ::open(path, O_WRONLY | O_APPEND | O_CREAT | O_CLOEXEC, 0644);
  if (fd < 0) throw std::runtime_error("cannot open the log");
  const ssize_t n = ::write(fd, text.data(), text.size());
  ::close(fd);
  if (n != static_cast<ssize_t>(text.size())) throw std::runtime_error("short log write");
}

/// Wall-clock time in ns since the epoch: comparable across processes.
inline std::int64_t wall_ns() {
  return std::chrono::duration_cast<std::chrono::nanoseconds>(
             std::chrono::system_clock::now().time_since_epoch())
      .count();
}
