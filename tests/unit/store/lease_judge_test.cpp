/// The lease judge (store/lease_judge.hpp), branch by branch: a holder on
/// this machine is judged by its process (gone, a zombie, or its pid reused
/// by a process started later), one elsewhere by the time since it renewed
/// (the lease time itself still counts as alive), and a lease whose holder
/// never wrote its name by a short grace. Wrongly "abandoned" runs a task
/// twice at once; wrongly "alive" leaves it stuck until someone cleans up.

#include "store/lease_judge.hpp"

#include <gtest/gtest.h>
#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <chrono>
#include <optional>
#include <string>
#include <thread>

#include "store/process_identity.hpp"
#include "unit/dead_process.hpp"

namespace jug {
namespace {

using namespace std::chrono_literals;
using Clock = std::chrono::system_clock;

const Clock::time_point kRenewed = Clock::time_point(std::chrono::hours(490'000));

/// A lease renewed at kRenewed by `holder`.
LeaseInfo lease_of(const LeaseOwner& holder) { return LeaseInfo{TaskHash{}, holder, kRenewed}; }

/// The judgement of `lease` with the store's clock `silent` after its renewal.
std::optional<std::string> judged(const LeaseInfo& lease, std::chrono::duration<double> silent,
                                  std::chrono::duration<double> lease_time = 300s) {
  return abandoned_lease(lease, LeaseOwner::self(), lease_time, [&] {
    return kRenewed + std::chrono::duration_cast<Clock::duration>(silent);
  });
}

/// A clock a judgement of a holder on this machine must never need.
const auto kNoClock = []() -> Clock::time_point {
  ADD_FAILURE() << "the store's clock was asked for a holder on this machine";
  return Clock::time_point{};
};

LeaseOwner elsewhere() { return LeaseOwner{"node7", 4242, 1, "another-boot/4026531836"}; }

// ---- a holder on this machine ---------------------------------------------------

TEST(LeaseJudge, AHolderHereThatRunsIsAliveHoweverLongItIsSilent) {
  const LeaseOwner self = LeaseOwner::self();
  ASSERT_FALSE(self.machine.empty()) << "/proc cannot tell this machine";
  EXPECT_EQ(abandoned_lease(lease_of(self), self, 1s, kNoClock), std::nullopt);
}

TEST(LeaseJudge, AHolderHereWhoseProcessIsGoneIsAbandonedAtOnce) {
  const LeaseOwner dead = testing_support::dead_worker_here();
  const std::optional<std::string> why =
      abandoned_lease(lease_of(dead), LeaseOwner::self(), 300s, kNoClock);
  ASSERT_TRUE(why);
  EXPECT_NE(why->find("no longer exists"), std::string::npos) << *why;
  EXPECT_NE(why->find("pid " + std::to_string(dead.pid)), std::string::npos) << *why;
}

TEST(LeaseJudge, AHolderHereThatExitedButIsNotReapedIsAbandoned) {
  const pid_t child = ::fork();
  if (child == 0) ::_exit(0);
  // A zombie until waited for: wait until /proc says so.
  for (int i = 0; i < 500; ++i) {
    const std::optional<ProcessStatus> status = process_status(child);
    if (status && status->state == 'Z') break;
    std::this_thread::sleep_for(2ms);
  }
  LeaseOwner zombie = LeaseOwner::self();
  zombie.pid = child;
  zombie.process_start_ns = process_start_ns(child);
  const std::optional<std::string> why =
      abandoned_lease(lease_of(zombie), LeaseOwner::self(), 300s, kNoClock);
  int status = 0;
  ::waitpid(child, &status, 0);
  ASSERT_TRUE(why);
  EXPECT_NE(why->find("has exited"), std::string::npos) << *why;
}

TEST(LeaseJudge, APidNowUsedByAProcessStartedLaterIsAnotherProcess) {
  // Our own pid, as if the lease's holder had had it before us.
  LeaseOwner earlier = LeaseOwner::self();
  ASSERT_NE(earlier.process_start_ns, 0);
  earlier.process_start_ns -= std::chrono::nanoseconds(60s).count();
  const std::optional<std::string> why =
      abandoned_lease(lease_of(earlier), LeaseOwner::self(), 300s, kNoClock);
  ASSERT_TRUE(why);
  EXPECT_NE(why->find("the pid now belongs to another process"), std::string::npos) << *why;
}

TEST(LeaseJudge, StartTimesAFewSecondsApartAreTheSameProcess) {
  // /proc gives the boot time to the second, and it drifts with the clock.
  LeaseOwner drifted = LeaseOwner::self();
  drifted.process_start_ns += std::chrono::nanoseconds(4s).count();
  EXPECT_EQ(abandoned_lease(lease_of(drifted), LeaseOwner::self(), 300s, kNoClock), std::nullopt);
  drifted.process_start_ns -= std::chrono::nanoseconds(8s).count();
  EXPECT_EQ(abandoned_lease(lease_of(drifted), LeaseOwner::self(), 300s, kNoClock), std::nullopt);
}

TEST(LeaseJudge, ALeaseWithoutAStartTimeIsJudgedByThePidAlone) {
  LeaseOwner old_format = LeaseOwner::self();
  old_format.process_start_ns = 0;
  EXPECT_EQ(abandoned_lease(lease_of(old_format), LeaseOwner::self(), 300s, kNoClock),
            std::nullopt);
}

// ---- a holder elsewhere -----------------------------------------------------------

TEST(LeaseJudge, AHolderElsewhereIsAliveUpToTheLeaseTimeIncluded) {
  EXPECT_EQ(judged(lease_of(elsewhere()), 0s), std::nullopt);
  EXPECT_EQ(judged(lease_of(elsewhere()), 299s), std::nullopt);
  EXPECT_EQ(judged(lease_of(elsewhere()), 300s), std::nullopt);
  const std::optional<std::string> why = judged(lease_of(elsewhere()), 300.5s);
  ASSERT_TRUE(why);
  EXPECT_NE(why->find("has not renewed the lease for 300.5 s (the lease time is 300.0 s)"),
            std::string::npos)
      << *why;
  EXPECT_NE(why->find("pid 4242 on node7"), std::string::npos) << *why;
}

TEST(LeaseJudge, TheLeaseTimeIsTheOneGiven) {
  EXPECT_EQ(judged(lease_of(elsewhere()), 2s, 2s), std::nullopt);
  EXPECT_TRUE(judged(lease_of(elsewhere()), 2.1s, 2s));
  EXPECT_EQ(judged(lease_of(elsewhere()), 1000s, 3600s), std::nullopt);
}

TEST(LeaseJudge, AHolderWithThisPidOnAnotherMachineIsJudgedByTime) {
  // Pids repeat across machines (and pid namespaces): ours means nothing there.
  LeaseOwner namesake = elsewhere();
  namesake.pid = ::getpid();
  EXPECT_EQ(judged(lease_of(namesake), 10s), std::nullopt);
  EXPECT_TRUE(judged(lease_of(namesake), 301s));
  // Nor does a dead pid: the process may be alive over there.
  namesake.pid = testing_support::dead_pid();
  EXPECT_EQ(judged(lease_of(namesake), 10s), std::nullopt);
}

TEST(LeaseJudge, AHolderOfUnknownMachineIsJudgedByTime) {
  LeaseOwner unknown = testing_support::dead_worker_here();
  unknown.machine.clear();  // /proc could not tell, or an older lease
  EXPECT_EQ(judged(lease_of(unknown), 10s), std::nullopt);
  EXPECT_TRUE(judged(lease_of(unknown), 301s));
}

// ---- a holder that never wrote its name --------------------------------------------

TEST(LeaseJudge, ALeaseLeftEmptyIsAbandonedAfterTenSeconds) {
  const LeaseOwner nobody{};
  EXPECT_EQ(judged(lease_of(nobody), 1s), std::nullopt);
  EXPECT_EQ(judged(lease_of(nobody), 10s), std::nullopt);
  const std::optional<std::string> why = judged(lease_of(nobody), 11s);
  ASSERT_TRUE(why);
  EXPECT_NE(why->find("died before writing its name in the lease (11 s ago)"), std::string::npos)
      << *why;
}

TEST(LeaseJudge, ALeaseLeftEmptyExpiresWithAShorterLeaseTime) {
  const LeaseOwner nobody{};
  EXPECT_EQ(judged(lease_of(nobody), 2s, 2s), std::nullopt);
  EXPECT_TRUE(judged(lease_of(nobody), 3s, 2s));
}

TEST(LeaseJudge, ALeaseLeftEmptyOnThisMachineIsJudgedByTimeToo) {
  // Its machine may be written and its pid not yet: no process to look at.
  LeaseOwner half = LeaseOwner::self();
  half.pid = 0;
  EXPECT_EQ(judged(lease_of(half), 5s), std::nullopt);
  EXPECT_TRUE(judged(lease_of(half), 11s));
}

// ---- renewal and messages -----------------------------------------------------------

TEST(LeaseJudge, HoldersRenewFiveTimesPerLeaseTime) {
  EXPECT_DOUBLE_EQ(lease_renewal_interval(300s).count(), 60.0);
  EXPECT_DOUBLE_EQ(lease_renewal_interval(2s).count(), 0.4);
}

TEST(LeaseJudge, DescribesAHolder) {
  EXPECT_EQ(describe_holder(elsewhere()), "pid 4242 on node7");
  LeaseOwner in_a_job = elsewhere();
  in_a_job.batch_job = "SLURM job 4242_7";
  EXPECT_EQ(describe_holder(in_a_job), "pid 4242 on node7, SLURM job 4242_7");
  LeaseOwner unnamed = elsewhere();
  unnamed.host.clear();
  EXPECT_EQ(describe_holder(unnamed), "pid 4242 on an unnamed host");
  EXPECT_EQ(describe_holder(LeaseOwner{}), "a worker that had not finished writing its lease");
}

}  // namespace
}  // namespace jug
