#pragma once
/// Workers that are gone, for tests of what they leave behind: the pid of a
/// process that has exited, and a lease owner on this machine with it.

#include <sys/wait.h>
#include <unistd.h>

#include <string>

#include <fmt/format.h>

#include "store/store.hpp"
#include "store/writer_tag.hpp"

namespace jug::testing_support {

/// The pid of a process of ours that has exited (and been reaped).
inline pid_t dead_pid() {
  const pid_t child = ::fork();
  if (child == 0) ::_exit(0);
  int status = 0;
  ::waitpid(child, &status, 0);
  return child;
}

/// A worker on this machine that died holding a lease.
inline LeaseOwner dead_worker_here() {
  LeaseOwner owner = LeaseOwner::self();
  owner.pid = dead_pid();
  owner.host = "this-host";
  return owner;
}

/// A temp_file_name() of this process about `what`, with the pid of a
/// process that has exited instead of ours (by default): a file a dead
/// writer left.
inline std::string dead_writers_name(const std::string& what, pid_t dead = dead_pid()) {
  const std::string ours = temp_file_name(what);
  const std::string pid = fmt::format(".{}.", ::getpid());
  const std::size_t at = ours.find(pid, what.size());
  return ours.substr(0, at) + fmt::format(".{}.", dead) + ours.substr(at + pid.size());
}

}  // namespace jug::testing_support
