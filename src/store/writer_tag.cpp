#include "store/writer_tag.hpp"

#include <charconv>
#include <cstdint>

#include <fmt/format.h>
#include <xxhash.h>

#include "store/posix_files.hpp"

namespace jug {
namespace {

/// The machine identity (boot id and pid namespace, with a '/' no file name
/// may hold) shortened to a hash: all that is asked of it is equality.
std::uint64_t machine_hash(const std::string& machine) {
  return XXH3_64bits(machine.data(), machine.size());
}

/// This process's part of the name, "<pid>.<start>.<machine>". Cached per
/// thread and checked against the pid, as LeaseOwner::self() is: a forked
/// child is another writer.
const std::string& this_writer() {
  thread_local std::int64_t pid = 0;
  thread_local std::string tag;
  if (pid != ::getpid()) {
    const LeaseOwner self = LeaseOwner::self();
    pid = self.pid;
    tag = fmt::format("{}.{}.{:016x}", self.pid, self.process_start_ns, machine_hash(self.machine));
  }
  return tag;
}

/// A writer the name does not tell: judged by the file's age alone.
LeaseOwner unknown_writer() {
  LeaseOwner writer;
  writer.pid = -1;
  return writer;
}

bool parse_number(std::string_view text, std::int64_t& out, int base = 10) {
  std::uint64_t value = 0;
  const auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), value, base);
  out = static_cast<std::int64_t>(value);
  return ec == std::errc() && end == text.data() + text.size() && !text.empty();
}

}  // namespace

std::string temp_file_name(std::string_view what) {
  return fmt::format("{}.{}.{:016x}", what, this_writer(), posix::random_number());
}

LeaseOwner writer_of_temp_file(std::string_view name) {
  // From the end: `what` may hold dots of its own.
  std::string_view fields[4];
  for (int i = 3; i >= 0; --i) {
    const std::size_t dot = name.rfind('.');
    if (dot == std::string_view::npos) return unknown_writer();
    fields[i] = name.substr(dot + 1);
    name = name.substr(0, dot);
  }
  std::int64_t pid = 0, start = 0, machine = 0, random = 0;
  if (!parse_number(fields[0], pid) || !parse_number(fields[1], start) ||
      !parse_number(fields[2], machine, 16) || !parse_number(fields[3], random, 16) || pid <= 0) {
    return unknown_writer();
  }
  LeaseOwner writer;
  writer.pid = pid;
  writer.process_start_ns = start;
  const LeaseOwner self = LeaseOwner::self();
  // Only this machine's writers are checked by their process; for the
  // others the machine field just must not match ours.
  writer.machine = static_cast<std::uint64_t>(machine) == machine_hash(self.machine)
                       ? self.machine
                       : fmt::format("elsewhere/{}", fields[2]);
  return writer;
}

bool written_by(std::string_view name, const LeaseOwner& owner) {
  const std::size_t random = name.rfind('.');
  if (random == std::string_view::npos) return false;
  return name.substr(0, random)
      .ends_with(fmt::format(".{}.{}.{:016x}", owner.pid, owner.process_start_ns,
                             machine_hash(owner.machine)));
}

}  // namespace jug
