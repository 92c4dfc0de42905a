#pragma once
/// Runs a piece of a test in a child process of its own, so that what it
/// leaves behind (leases, temporary files naming its pid) is a dead
/// process's once it has exited, as a killed worker's would be. Call it only
/// while the test process has one thread: a fork copies just the calling
/// thread, and a lock another thread held would never be released.

#include <sys/wait.h>
#include <unistd.h>

#include <cerrno>
#include <functional>
#include <stdexcept>
#include <string>
#include <string_view>

namespace jug::testing_support {

/// Runs `work` in a forked child and returns the bytes it returned, once
/// the child has exited and been reaped: its pid then names no process.
/// The child never returns into the test framework (it leaves with _exit,
/// running no atexit handler and flushing no inherited buffer). Throws
/// std::runtime_error when `work` threw or the child died otherwise.
inline std::string run_in_child(const std::function<std::string()>& work) {
  int pipe_ends[2];
  if (::pipe(pipe_ends) != 0) throw std::runtime_error("run_in_child: pipe failed");
  const pid_t child = ::fork();
  if (child < 0) {
    ::close(pipe_ends[0]);
    ::close(pipe_ends[1]);
    throw std::runtime_error("run_in_child: fork failed");
  }
  if (child == 0) {
    ::close(pipe_ends[0]);
    int code = 0;
    try {
      const std::string bytes = work();
      std::string_view left = bytes;
      while (!left.empty()) {
        const ssize_t n = ::write(pipe_ends[1], left.data(), left.size());
        if (n < 0 && errno == EINTR) continue;
        if (n <= 0) {
          code = 2;
          break;
        }
        left.remove_prefix(static_cast<std::size_t>(n));
      }
    } catch (...) {
      code = 1;
    }
    ::_exit(code);
  }
  ::close(pipe_ends[1]);
  // Read to the end before waiting: a child blocked on a full pipe would
  // never exit.
  std::string bytes;
  char buffer[1 << 16];
  for (;;) {
    const ssize_t n = ::read(pipe_ends[0], buffer, sizeof buffer);
    if (n < 0 && errno == EINTR) continue;
    if (n <= 0) break;
    bytes.append(buffer, static_cast<std::size_t>(n));
  }
  ::close(pipe_ends[0]);
  int status = 0;
  while (::waitpid(child, &status, 0) < 0 && errno == EINTR) {
  }
  if (!WIFEXITED(status) || WEXITSTATUS(status) != 0) {
    throw std::runtime_error("run_in_child: the child failed (wait status " +
                             std::to_string(status) + ")");
  }
  return bytes;
}

}  // namespace jug::testing_support
