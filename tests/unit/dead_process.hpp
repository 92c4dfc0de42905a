#pragma once
/// Workers that are gone, for tests of what they leave behind: the pid of a
/// process that has exited, and a lease owner on this machine with it.

#include <sys/wait.h>
#include <unistd.h>

#include "store/store.hpp"

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

}  // namespace jug::testing_support
