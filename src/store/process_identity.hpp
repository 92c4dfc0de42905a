#pragma once
/// Telling whether a process is still the one that took a lease: its pid
/// alone is not enough (pids are reused, and repeat across machines and pid
/// namespaces), so leases also carry its start time and machine identity.

#include <sys/types.h>

#include <cstdint>
#include <optional>
#include <string>

namespace jug {

/// When process `pid` (of this pid namespace) started, in ns since the
/// epoch; 0 when /proc cannot tell (the process is gone, or /proc hidden).
std::int64_t process_start_ns(pid_t pid);

/// What /proc says of a process: its state letter ('R', 'S', 'Z' for a
/// zombie...) and start time; nullopt when it cannot tell.
struct ProcessStatus {
  char state = '?';
  std::int64_t start_ns = 0;
};
std::optional<ProcessStatus> process_status(pid_t pid);

/// This machine and pid namespace: the kernel's boot id and the inode of
/// our pid namespace, e.g. "6c1f...-4a2e/4026531836". Two processes with the
/// same machine identity see each other's pids. Empty when /proc cannot tell.
std::string machine_identity();

/// getpid() without a system call each time (glibc no longer caches it):
/// kept from the first call, and found again in a child made by fork().
pid_t current_process_id();

/// False only when no process `pid` exists here (kill(pid, 0) fails with
/// ESRCH); a process we may not signal exists.
bool process_exists(pid_t pid);

}  // namespace jug
