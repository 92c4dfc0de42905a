#include "store/lease_file.hpp"

#include <algorithm>
#include <charconv>

#include <fmt/format.h>

namespace jug {
namespace {

constexpr std::string_view kLeaseHeader = "jug-lease 1\n";

bool parse_int(std::string_view text, std::int64_t& out) {
  const auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), out);
  return ec == std::errc() && end == text.data() + text.size();
}

}  // namespace

std::string lease_content(const LeaseOwner& owner) {
  std::string content = fmt::format("{}host={}\npid={}\nstart={}\nmachine={}\n", kLeaseHeader,
                                    owner.host, owner.pid, owner.process_start_ns, owner.machine);
  if (!owner.batch_job.empty()) content += fmt::format("job={}\n", owner.batch_job);
  return content;
}

std::string lock_file_content(const LeaseOwner& owner) {
  // `machine` before the lines parse_lease requires, the last of them
  // `start`: a lock file cut short at a line's end (a power cut that kept
  // part of its data) then lacks one of them, and is a lease whose owner is
  // not written yet, not one of a worker on an unknown machine, which only
  // expires (lease_judge.hpp).
  std::string content = fmt::format("{}machine={}\nhost={}\npid={}\nstart={}\n", kLeaseHeader,
                                    owner.machine, owner.host, owner.pid, owner.process_start_ns);
  if (!owner.batch_job.empty()) content += fmt::format("job={}\n", owner.batch_job);
  return content;
}

std::string lone_lease_content(const LeaseOwner& owner, std::span<const TaskHash> tasks,
                               std::size_t at_least) {
  std::string content = lock_file_content(owner);
  for (const TaskHash& task : tasks) {
    content.append("task=");
    task.append_hex(content);
    content.push_back('\n');
  }
  if (content.size() < at_least) {
    constexpr std::string_view kPad = "pad=\n";
    const std::size_t spaces = at_least - std::min(at_least, content.size() + kPad.size());
    content.append("pad=").append(spaces, ' ').append("\n");
  }
  return content;
}

std::vector<TaskHash> lone_lease_tasks(std::string_view content) {
  constexpr std::string_view kTask = "task=";
  std::vector<TaskHash> tasks;
  while (!content.empty()) {
    const std::size_t newline = content.find('\n');
    if (newline == std::string_view::npos) break;  // a line cut short
    const std::string_view line = content.substr(0, newline);
    content.remove_prefix(newline + 1);
    if (!line.starts_with(kTask)) continue;
    if (const std::optional<TaskHash> hash = TaskHash::from_hex(line.substr(kTask.size()))) {
      tasks.push_back(*hash);
    }
  }
  return tasks;
}

std::optional<LeaseOwner> parse_lease(std::string_view content) {
  if (!content.starts_with(kLeaseHeader)) return std::nullopt;
  content.remove_prefix(kLeaseHeader.size());
  LeaseOwner owner;
  bool has_host = false, has_pid = false, has_start = false;
  while (!content.empty()) {
    const auto newline = content.find('\n');
    if (newline == std::string_view::npos) return std::nullopt;  // a line cut short
    const std::string_view line = content.substr(0, newline);
    content.remove_prefix(newline + 1);
    const auto equals = line.find('=');
    if (equals == std::string_view::npos) return std::nullopt;
    const std::string_view key = line.substr(0, equals), value = line.substr(equals + 1);
    if (key == "host") {
      owner.host = std::string(value);
      has_host = true;
    } else if (key == "pid") {
      has_pid = parse_int(value, owner.pid);
    } else if (key == "start") {
      has_start = parse_int(value, owner.process_start_ns);
    } else if (key == "machine") {
      owner.machine = std::string(value);  // optional: without it, the lease can only expire
    } else if (key == "job") {
      owner.batch_job = std::string(value);  // optional: outside batch jobs
    }
  }
  if (!has_host || !has_pid || !has_start) return std::nullopt;
  return owner;
}

}  // namespace jug
