#include "store/store.hpp"

#include <fcntl.h>
#include <limits.h>
#include <unistd.h>

#include <charconv>

#include "engine/hash_index.hpp"
#include "store/file_store.hpp"
#include "store/memory_store.hpp"

namespace jug {
namespace {

/// From this many hashes on, one listing beats one lookup per hash.
constexpr std::size_t kListThreshold = 2048;

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

/// When process `pid` started, in ns since the epoch: its start in clock
/// ticks after boot (field 22 of /proc/<pid>/stat) plus the boot time from
/// /proc/stat. 0 when /proc cannot tell (not Linux, hidden /proc).
std::int64_t process_start_ns(pid_t pid) {
  const std::string stat = read_proc_file(("/proc/" + std::to_string(pid) + "/stat").c_str());
  // Field 2, the command name, is in parentheses and may hold spaces and
  // parentheses itself: count fields from the last ')'.
  const auto name_end = stat.rfind(')');
  if (name_end == std::string::npos) return 0;
  std::string_view fields = std::string_view(stat).substr(name_end + 1);
  constexpr int kStartTimeField = 22, kFirstFieldAfterName = 3;
  std::string_view start_ticks;
  for (int field = kFirstFieldAfterName; field <= kStartTimeField; ++field) {
    const auto begin = fields.find_first_not_of(' ');
    if (begin == std::string_view::npos) return 0;
    fields.remove_prefix(begin);
    const auto end = std::min(fields.find(' '), fields.size());
    start_ticks = fields.substr(0, end);
    fields.remove_prefix(end);
  }

  const std::string proc_stat = read_proc_file("/proc/stat");
  constexpr std::string_view kBootTime = "\nbtime ";
  const auto boot = proc_stat.find(kBootTime);
  const long ticks_per_second = ::sysconf(_SC_CLK_TCK);
  if (boot == std::string::npos || ticks_per_second <= 0) return 0;
  std::string_view boot_seconds = std::string_view(proc_stat).substr(boot + kBootTime.size());
  boot_seconds = boot_seconds.substr(0, boot_seconds.find('\n'));

  constexpr std::int64_t kNsPerSecond = 1'000'000'000;
  const std::int64_t ticks = parse_number(start_ticks);
  return parse_number(boot_seconds) * kNsPerSecond + ticks / ticks_per_second * kNsPerSecond +
         ticks % ticks_per_second * kNsPerSecond / ticks_per_second;
}

LeaseOwner owner_of_this_process() {
  LeaseOwner owner;
  char host[HOST_NAME_MAX + 1] = {};
  if (::gethostname(host, sizeof host - 1) == 0) owner.host = host;
  owner.pid = ::getpid();
  owner.process_start_ns = process_start_ns(static_cast<pid_t>(owner.pid));
  return owner;
}

}  // namespace

std::vector<bool> Store::contains_all(std::span<const TaskHash> hashes) {
  std::vector<bool> found(hashes.size());
  if (hashes.size() >= kListThreshold) {
    const std::vector<TaskHash> stored = list();
    const HashIndex index = HashIndex::of(stored);
    for (std::size_t i = 0; i < hashes.size(); ++i) {
      found[i] = index.find(hashes[i], stored).has_value();
    }
  } else {
    for (std::size_t i = 0; i < hashes.size(); ++i) found[i] = contains(hashes[i]);
  }
  return found;
}

std::optional<std::string> Store::failure(const TaskHash& hash) {
  for (FailureInfo& f : list_failures()) {
    if (f.hash == hash) return std::move(f.message);
  }
  return std::nullopt;
}

LeaseOwner LeaseOwner::self() {
  // Cached per thread rather than behind a lock, and checked against the
  // pid: a forked child is another owner, and a lock held by some thread at
  // fork time must not hang the child.
  thread_local LeaseOwner cached;
  if (cached.pid != ::getpid()) cached = owner_of_this_process();
  return cached;
}

std::unique_ptr<Store> open_store(const std::string& jugdir) {
  if (jugdir == "memory:") return std::make_unique<MemoryStore>();
  return std::make_unique<FileStore>(jugdir);
}

}  // namespace jug
