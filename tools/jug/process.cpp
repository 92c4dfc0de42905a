#include "process.hpp"

#include <fmt/format.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cerrno>
#include <cstdio>
#include <cstring>
#include <string_view>

#include "tool_error.hpp"

namespace jug::tool {

namespace {

/// A NULL-terminated char* array viewing `argv`, as exec wants it.
std::vector<char*> exec_vector(const std::vector<std::string>& argv) {
  std::vector<char*> pointers;
  pointers.reserve(argv.size() + 1);
  for (const std::string& argument : argv) pointers.push_back(const_cast<char*>(argument.c_str()));
  pointers.push_back(nullptr);
  return pointers;
}

/// write(2) all of `text`; in the child after fork, stdio is off limits.
void write_all(int fd, std::string_view text) {
  while (!text.empty()) {
    const ssize_t written = ::write(fd, text.data(), text.size());
    if (written < 0 && errno == EINTR) continue;
    if (written <= 0) return;
    text.remove_prefix(static_cast<std::size_t>(written));
  }
}

}  // namespace

int run_and_wait(const std::vector<std::string>& argv) {
  if (argv.empty()) return 127;
  std::vector<char*> pointers = exec_vector(argv);
  // Everything the child may need is prepared before fork.
  const std::string failure_prefix = fmt::format("jug: cannot run '{}': ", argv[0]);
  std::fflush(stdout);
  std::fflush(stderr);

  const pid_t child = ::fork();
  if (child < 0) {
    throw ToolError(
        fmt::format("cannot start '{}': fork failed: {}", argv[0], std::strerror(errno)),
        kExitFailure);
  }
  if (child == 0) {
    ::execvp(pointers[0], pointers.data());
    const int error = errno;
    write_all(STDERR_FILENO, failure_prefix);
    write_all(STDERR_FILENO, std::strerror(error));
    write_all(STDERR_FILENO, "\n");
    ::_exit(127);
  }

  int status = 0;
  while (::waitpid(child, &status, 0) < 0) {
    if (errno != EINTR) {
      throw ToolError(
          fmt::format("lost track of '{}': waitpid failed: {}", argv[0], std::strerror(errno)),
          kExitFailure);
    }
  }
  if (WIFEXITED(status)) return WEXITSTATUS(status);
  if (WIFSIGNALED(status)) return 128 + WTERMSIG(status);
  return 127;
}

void replace_process(const std::string& program, const std::vector<std::string>& argv) {
  std::vector<char*> pointers = exec_vector(argv);
  std::fflush(stdout);
  std::fflush(stderr);
  ::execv(program.c_str(), pointers.data());
  throw ToolError(fmt::format("cannot run {}: {}", program, std::strerror(errno)), kExitFailure);
}

}  // namespace jug::tool
