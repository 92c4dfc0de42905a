#include "engine/run_metadata_of.hpp"

#include <sys/resource.h>

#include <atomic>
#include <chrono>

#include "store/store.hpp"

namespace jug {
namespace {

std::int64_t unix_ns(std::chrono::system_clock::time_point t) {
  return std::chrono::duration_cast<std::chrono::nanoseconds>(t.time_since_epoch()).count();
}

}  // namespace

std::uint64_t peak_rss_bytes() {
  using Clock = std::chrono::steady_clock;
  static std::atomic<Clock::rep> asked{0};
  static std::atomic<std::uint64_t> answer{0};
  const Clock::rep now = Clock::now().time_since_epoch().count();
  const Clock::rep then = asked.load(std::memory_order_acquire);
  if (then != 0 && now - then < Clock::duration(std::chrono::milliseconds(1)).count()) {
    return answer.load(std::memory_order_relaxed);
  }
  rusage usage{};
  if (::getrusage(RUSAGE_SELF, &usage) != 0) return 0;
  const auto bytes = static_cast<std::uint64_t>(usage.ru_maxrss) * 1024;  // Linux gives KiB
  answer.store(bytes, std::memory_order_relaxed);
  asked.store(now, std::memory_order_release);
  return bytes;
}

std::vector<std::string> argument_identities_of(const TaskBody& body) {
  std::vector<std::string> identities;
  for (const std::string& bytes : body.argument_fingerprints()) {
    identities.push_back(argument_identity(bytes));
  }
  return identities;
}

RunMetadata run_metadata_of(const Graph& graph, NodeId id,
                            std::chrono::system_clock::time_point started,
                            std::chrono::system_clock::time_point finished,
                            std::vector<std::string> arguments) {
  const TaskBody& body = *graph.node(id).body;
  const LeaseOwner self = LeaseOwner::self();
  RunMetadata m;
  m.task_name = graph.name(id);
  m.started_ns = unix_ns(started);
  m.finished_ns = unix_ns(finished);
  m.host = self.host;
  m.pid = self.pid;
  m.batch_job = self.batch_job;
  m.jug_version = JUG_VERSION;
  m.peak_rss_bytes = peak_rss_bytes();
  m.code_version = body.code_version();
  m.argument_identities = std::move(arguments);
  return m;
}

}  // namespace jug
