#include "store/process_identity.hpp"

#include <fcntl.h>
#include <pthread.h>
#include <signal.h>
#include <sys/stat.h>
#include <unistd.h>

#include <atomic>
#include <cerrno>
#include <charconv>
#include <string_view>

namespace jug {
namespace {

/// The whole of a (small, /proc) file, or "" when it cannot be read.
std::string read_proc_file(const char* path) {
  std::string content;
  const int fd = ::open(path, O_RDONLY | O_CLOEXEC);
  if (fd < 0) return content;
  char buffer[4096];
  for (;;) {
    const ssize_t got = ::read(fd, buffer, sizeof buffer);
    if (got < 0 && errno == EINTR) continue;
    if (got <= 0) break;
    content.append(buffer, static_cast<std::size_t>(got));
  }
  ::close(fd);
  return content;
}

std::int64_t parse_number(std::string_view text) {
  std::int64_t value = 0;
  std::from_chars(text.data(), text.data() + text.size(), value);
  return value;
}

}  // namespace

std::optional<ProcessStatus> process_status(pid_t pid) {
  // Our own entry through /proc/self: right even when /proc belongs to
  // another pid namespace than ours (a container without its own /proc).
  const std::string path =
      pid == ::getpid() ? "/proc/self/stat" : "/proc/" + std::to_string(pid) + "/stat";
  const std::string stat = read_proc_file(path.c_str());
  // Field 2, the command name, is in parentheses and may hold spaces and
  // parentheses itself: count fields from the last ')'. Field 3 is the
  // state, field 22 the start in clock ticks after boot.
  const auto name_end = stat.rfind(')');
  if (name_end == std::string::npos) return std::nullopt;
  std::string_view fields = std::string_view(stat).substr(name_end + 1);
  constexpr int kStateField = 3, kStartTimeField = 22;
  ProcessStatus status;
  std::string_view start_ticks;
  for (int field = kStateField; field <= kStartTimeField; ++field) {
    const auto begin = fields.find_first_not_of(' ');
    if (begin == std::string_view::npos) return std::nullopt;
    fields.remove_prefix(begin);
    const auto end = std::min(fields.find(' '), fields.size());
    if (field == kStateField) status.state = fields[0];
    start_ticks = fields.substr(0, end);
    fields.remove_prefix(end);
  }

  const std::string proc_stat = read_proc_file("/proc/stat");
  constexpr std::string_view kBootTime = "\nbtime ";
  const auto boot = proc_stat.find(kBootTime);
  const long ticks_per_second = ::sysconf(_SC_CLK_TCK);
  if (boot == std::string::npos || ticks_per_second <= 0) return status;
  std::string_view boot_seconds = std::string_view(proc_stat).substr(boot + kBootTime.size());
  boot_seconds = boot_seconds.substr(0, boot_seconds.find('\n'));

  constexpr std::int64_t kNsPerSecond = 1'000'000'000;
  const std::int64_t ticks = parse_number(start_ticks);
  status.start_ns = parse_number(boot_seconds) * kNsPerSecond +
                    ticks / ticks_per_second * kNsPerSecond +
                    ticks % ticks_per_second * kNsPerSecond / ticks_per_second;
  return status;
}

std::int64_t process_start_ns(pid_t pid) {
  const std::optional<ProcessStatus> status = process_status(pid);
  return status ? status->start_ns : 0;
}

std::string machine_identity() {
  std::string boot_id = read_proc_file("/proc/sys/kernel/random/boot_id");
  while (!boot_id.empty() && (boot_id.back() == '\n' || boot_id.back() == ' ')) boot_id.pop_back();
  struct stat namespace_stat;
  if (boot_id.empty() || ::stat("/proc/self/ns/pid", &namespace_stat) != 0) return {};
  return boot_id + "/" + std::to_string(namespace_stat.st_ino);
}

namespace {
std::atomic<pid_t> cached_process_id{0};
}  // namespace

pid_t current_process_id() {
  pid_t pid = cached_process_id.load(std::memory_order_relaxed);
  if (pid != 0) return pid;
  static const bool forgets_at_fork = [] {
    ::pthread_atfork(nullptr, nullptr, [] { cached_process_id.store(0); });
    return true;
  }();
  (void)forgets_at_fork;
  pid = ::getpid();
  cached_process_id.store(pid, std::memory_order_relaxed);
  return pid;
}

bool process_exists(pid_t pid) {
  if (pid <= 0) return false;
  return ::kill(pid, 0) == 0 || errno != ESRCH;
}

}  // namespace jug
