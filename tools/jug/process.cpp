#include "process.hpp"

#include <fmt/format.h>
#include <fcntl.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cerrno>
#include <csignal>
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

/// Forks and runs `argv` in the child, its stdout going to `output` and
/// its stderr to `errors` (each -1: jug's own); returns the child's pid.
pid_t start(const std::vector<std::string>& argv, int output, int errors) {
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
    // A caller may block signals for a thread of its own to take them
    // (webstatus): the child starts as programs do, with none blocked.
    sigset_t none;
    sigemptyset(&none);
    ::sigprocmask(SIG_SETMASK, &none, nullptr);
    if (output != -1) ::dup2(output, STDOUT_FILENO);
    if (errors != -1) ::dup2(errors, STDERR_FILENO);
    ::execvp(pointers[0], pointers.data());
    const int error = errno;
    write_all(STDERR_FILENO, failure_prefix);
    write_all(STDERR_FILENO, std::strerror(error));
    write_all(STDERR_FILENO, "\n");
    ::_exit(127);
  }
  return child;
}

/// Waits for `child`, started to run `name`: its exit status, 128 + N if
/// killed by signal N.
int wait_for(pid_t child, const std::string& name) {
  int status = 0;
  while (::waitpid(child, &status, 0) < 0) {
    if (errno != EINTR) {
      throw ToolError(
          fmt::format("lost track of '{}': waitpid failed: {}", name, std::strerror(errno)),
          kExitFailure);
    }
  }
  if (WIFEXITED(status)) return WEXITSTATUS(status);
  if (WIFSIGNALED(status)) return 128 + WTERMSIG(status);
  return 127;
}

}  // namespace

int run_and_wait(const std::vector<std::string>& argv) {
  if (argv.empty()) return 127;
  return wait_for(start(argv, -1, -1), argv[0]);
}

std::string run_and_capture(const std::vector<std::string>& argv, int* status,
                            bool capture_errors) {
  return run_and_capture(argv, status, capture_errors ? kSameAsOutput : -1);
}

std::string run_and_capture(const std::vector<std::string>& argv, int* status, int errors) {
  *status = 127;
  if (argv.empty()) return {};
  int pipe_ends[2];
  if (::pipe2(pipe_ends, O_CLOEXEC) != 0) {
    throw ToolError(fmt::format("cannot start '{}': pipe failed: {}", argv[0],
                                std::strerror(errno)),
                    kExitFailure);
  }
  pid_t child = -1;
  try {
    child = start(argv, pipe_ends[1], errors == kSameAsOutput ? pipe_ends[1] : errors);
  } catch (...) {
    ::close(pipe_ends[0]);
    ::close(pipe_ends[1]);
    throw;
  }
  ::close(pipe_ends[1]);
  std::string output;
  char buffer[4096];
  for (;;) {
    const ssize_t got = ::read(pipe_ends[0], buffer, sizeof buffer);
    if (got < 0 && errno == EINTR) continue;
    if (got <= 0) break;
    output.append(buffer, static_cast<std::size_t>(got));
  }
  ::close(pipe_ends[0]);
  *status = wait_for(child, argv[0]);
  return output;
}

std::vector<int> run_together(const std::vector<std::vector<std::string>>& commands,
                              const std::vector<std::string>& logs) {
  std::vector<pid_t> children;
  for (std::size_t i = 0; i < commands.size(); ++i) {
    const int log = ::open(logs.at(i).c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
    if (log < 0) {
      throw ToolError(fmt::format("cannot write {}: {}", logs[i], std::strerror(errno)),
                      kExitFailure);
    }
    try {
      children.push_back(start(commands[i], log, log));
    } catch (...) {
      ::close(log);
      for (std::size_t j = 0; j < children.size(); ++j) wait_for(children[j], commands[j][0]);
      throw;
    }
    ::close(log);
  }
  std::vector<int> statuses;
  for (std::size_t i = 0; i < children.size(); ++i) {
    statuses.push_back(wait_for(children[i], commands[i][0]));
  }
  return statuses;
}

void replace_process(const std::string& program, const std::vector<std::string>& argv) {
  std::vector<char*> pointers = exec_vector(argv);
  std::fflush(stdout);
  std::fflush(stderr);
  ::execv(program.c_str(), pointers.data());
  throw ToolError(fmt::format("cannot run {}: {}", program, std::strerror(errno)), kExitFailure);
}

}  // namespace jug::tool
