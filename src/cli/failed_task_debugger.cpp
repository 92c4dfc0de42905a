#include "cli/failed_task_debugger.hpp"

#include "commands/debug_checks.hpp"
#include "submit/child_process.hpp"

#include <fmt/format.h>
#include <signal.h>
#include <spawn.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cerrno>
#include <cstdio>
#include <cstring>
#include <filesystem>
#include <vector>

extern char** environ;

namespace jug::cli {
namespace {

namespace fs = std::filesystem;

/// Runs `argv` with this process's terminal and waits; Ctrl-C goes to it
/// (gdb stops its program), not to jug.
int run_in_terminal(const std::vector<std::string>& argv) {
  std::vector<char*> pointers;
  for (const std::string& a : argv) pointers.push_back(const_cast<char*>(a.c_str()));
  pointers.push_back(nullptr);
  struct sigaction ignore {};
  ignore.sa_handler = SIG_IGN;
  struct sigaction previous {};
  ::sigaction(SIGINT, &ignore, &previous);
  posix_spawnattr_t attributes;
  posix_spawnattr_init(&attributes);
  sigset_t defaults;
  sigemptyset(&defaults);
  sigaddset(&defaults, SIGINT);
  posix_spawnattr_setsigdefault(&attributes, &defaults);
  posix_spawnattr_setflags(&attributes, POSIX_SPAWN_SETSIGDEF);
  pid_t child = -1;
  const int error = ::posix_spawn(&child, pointers[0], nullptr, &attributes, pointers.data(),
                                  environ);
  posix_spawnattr_destroy(&attributes);
  int status = 0;
  if (error == 0) {
    while (::waitpid(child, &status, 0) < 0 && errno == EINTR) {
    }
  }
  ::sigaction(SIGINT, &previous, nullptr);
  if (error != 0) {
    fmt::print(stderr, "jug: --pdb: cannot run {}: {}\n", argv[0], std::strerror(error));
    return 127;
  }
  return WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
}

}  // namespace

void debug_failed_task(const CommandLine& cl, const std::string& task, const TaskHash& hash,
                       const std::string& failure) {
  if (failure.ends_with(kBrokenRuleMark)) {
    fmt::print(stderr,
               "jug: --pdb: task {} broke a rule that --debug checks (its message is above); it "
               "threw nothing, so there is nowhere for a debugger to stop.\n",
               task);
    return;
  }
  std::error_code error;
  const fs::path self = fs::read_symlink("/proc/self/exe", error);
  const std::string gdb = submit::find_on_path("gdb");
  if (gdb.empty() || error) {
    fmt::print(stderr,
               "jug: --pdb: {}, so task {} cannot run again in a debugger; its failure is "
               "above. Install gdb (apt-get install gdb) and run this again.\n",
               error ? "this program cannot find itself (/proc/self/exe)" : "gdb is not on PATH",
               task);
    return;
  }
  // The task alone: its dependencies are done, and --target selects it by
  // its hash (target_pattern.hpp).
  std::vector<std::string> program{self.string(),
                                   "execute",
                                   cl.jugfile,
                                   "--jugdir",
                                   expand_jugdir(cl.jugdir, cl.jugfile),
                                   "--target",
                                   hash.hex(),
                                   "--"};
  program.insert(program.end(), cl.jugfile_arguments.begin(), cl.jugfile_arguments.end());
  std::vector<std::string> command{gdb, "-q", "-ex", "catch throw"};
  const bool terminal = ::isatty(STDIN_FILENO) && ::isatty(STDOUT_FILENO);
  std::fflush(stdout);
  if (terminal) {
    fmt::print(stderr,
               "jug: --pdb: running task {} again in gdb, stopped where it throws: `bt` shows "
               "where, `continue` goes on (to the next throw), `quit` leaves.\n",
               task);
    command.insert(command.end(), {"-ex", "run"});
  } else {
    fmt::print(stderr,
               "jug: --pdb: no terminal to debug in, so gdb runs task {} again and prints "
               "where it throws:\n",
               task);
    command.insert(command.end(), {"-batch", "-ex", "run", "-ex", "bt"});
  }
  std::fflush(stderr);
  command.emplace_back("--args");
  command.insert(command.end(), program.begin(), program.end());
  run_in_terminal(command);
}

}  // namespace jug::cli
