/// The parts of the store interface shared by every backend: who owns a
/// lease, and how --jugdir picks a backend.

#include "store/store.hpp"

#include <gtest/gtest.h>
#include <limits.h>
#include <sys/wait.h>
#include <unistd.h>

#include <thread>

#include "unit/store/store_test_support.hpp"

namespace jug::store_test {
namespace {

using std::chrono::system_clock;

std::int64_t ns_since_epoch(system_clock::time_point t) {
  return std::chrono::duration_cast<std::chrono::nanoseconds>(t.time_since_epoch()).count();
}

/// Taken while the test binary starts, shortly after its process did.
const std::int64_t kBinaryStartNs = ns_since_epoch(system_clock::now());

TEST(LeaseOwner, SelfIsThisHostAndProcess) {
  char host[HOST_NAME_MAX + 1] = {};
  ASSERT_EQ(::gethostname(host, sizeof host - 1), 0);
  const LeaseOwner self = LeaseOwner::self();
  EXPECT_EQ(self.host, host);
  EXPECT_EQ(self.pid, ::getpid());
  // The boot time in /proc/stat is whole seconds and drifts with the clock:
  // allow a few seconds around the moment this binary started.
  constexpr std::int64_t kSecond = 1'000'000'000;
  EXPECT_LE(self.process_start_ns, kBinaryStartNs + 3 * kSecond);
  EXPECT_GE(self.process_start_ns, kBinaryStartNs - 60 * kSecond);
}

TEST(LeaseOwner, SelfIsTheSameInEveryThread) {
  LeaseOwner other;
  std::thread([&] { other = LeaseOwner::self(); }).join();
  EXPECT_EQ(other, LeaseOwner::self());
}

TEST(LeaseOwner, AForkedChildIsAnotherOwner) {
  const LeaseOwner parent = LeaseOwner::self();
  const pid_t child = ::fork();
  ASSERT_GE(child, 0);
  if (child == 0) {
    const LeaseOwner self = LeaseOwner::self();
    const bool right = self.pid == ::getpid() && self.host == parent.host &&
                       self.process_start_ns >= parent.process_start_ns;
    ::_exit(right ? 0 : 1);
  }
  int status = 0;
  ASSERT_EQ(::waitpid(child, &status, 0), child);
  EXPECT_TRUE(WIFEXITED(status) && WEXITSTATUS(status) == 0);
  EXPECT_EQ(LeaseOwner::self(), parent);
}

TEST(OpenStore, MemoryMeansAStoreInThisProcess) {
  auto store = open_store("memory:");
  store->put(task(1), "r");
  EXPECT_EQ(store->get(task(1)), "r");
  EXPECT_NE(store->describe().find("memory"), std::string::npos);
}

TEST(OpenStore, APathMeansAFileStore) {
  TempDirectory scratch;
  auto store = open_store(scratch.path() + "/jugdir");
  EXPECT_EQ(store->describe(), "file store at " + scratch.path() + "/jugdir");
  store->put(task(1), "r");
  EXPECT_EQ(read_whole_file(store->location(task(1))), "r");
}

}  // namespace
}  // namespace jug::store_test
