/// The parts of the store interface shared by every backend: who owns a
/// lease, and how --jugdir picks a backend.

#include "store/store.hpp"

#include <gtest/gtest.h>
#include <limits.h>
#include <stdlib.h>
#include <sys/wait.h>
#include <unistd.h>

#include <thread>

#include "store/batch_job.hpp"
#include "store/lease_file.hpp"
#include "store/lease_judge.hpp"
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
  EXPECT_NE(store->location(task(1)).find(scratch.path() + "/jugdir/segments/"),
            std::string::npos);
  EXPECT_EQ(store->get(task(1)), "r");
  // JUG_FILE_STORE_SEGMENTS=0: a new store with a file per result.
  ::setenv("JUG_FILE_STORE_SEGMENTS", "0", 1);
  auto files = open_store(scratch.path() + "/files");
  ::unsetenv("JUG_FILE_STORE_SEGMENTS");
  files->put(task(1), "r");
  EXPECT_EQ(read_whole_file(files->location(task(1))), "r");
  // A store that has segments keeps them whatever the variable says.
  ::setenv("JUG_FILE_STORE_SEGMENTS", "0", 1);
  auto reopened = open_store(scratch.path() + "/jugdir");
  ::unsetenv("JUG_FILE_STORE_SEGMENTS");
  reopened->put(task(2), "s");
  EXPECT_NE(reopened->location(task(2)).find(scratch.path() + "/jugdir/segments/"),
            std::string::npos);
}

/// `variable` set to `value` for the life of this object.
class EnvironmentVariable {
 public:
  EnvironmentVariable(const char* variable, const char* value) : variable_(variable) {
    ::setenv(variable, value, 1);
  }
  ~EnvironmentVariable() { ::unsetenv(variable_); }

 private:
  const char* variable_;
};

TEST(BatchJob, ComesFromTheBatchSystemsEnvironment) {
  EXPECT_EQ(batch_job_of_this_process(), "");
  {
    EnvironmentVariable sge("JOB_ID", "77");
    EXPECT_EQ(batch_job_of_this_process(), "Grid Engine job 77");
    EnvironmentVariable slurm("SLURM_JOB_ID", "4242");
    EXPECT_EQ(batch_job_of_this_process(), "SLURM job 4242");
  }
  EnvironmentVariable pbs("PBS_JOBID", "123.head\nnode");
  EXPECT_EQ(batch_job_of_this_process(), "PBS job 123.head node");
}

TEST(BatchJob, NamesTheElementOfAJobArray) {
  {
    EnvironmentVariable id("SLURM_JOB_ID", "4249");
    EnvironmentVariable array("SLURM_ARRAY_JOB_ID", "4242");
    EnvironmentVariable index("SLURM_ARRAY_TASK_ID", "7");
    EXPECT_EQ(batch_job_of_this_process(), "SLURM job 4242_7");
  }
  {
    EnvironmentVariable id("JOB_ID", "77");
    EnvironmentVariable index("SGE_TASK_ID", "undefined");  // not an array job
    EXPECT_EQ(batch_job_of_this_process(), "Grid Engine job 77");
    ::setenv("SGE_TASK_ID", "3", 1);
    EXPECT_EQ(batch_job_of_this_process(), "Grid Engine job 77.3");
  }
  {
    EnvironmentVariable id("LSB_JOBID", "1234");
    EnvironmentVariable index("LSB_JOBINDEX", "0");  // not an array job
    EXPECT_EQ(batch_job_of_this_process(), "LSF job 1234");
    ::setenv("LSB_JOBINDEX", "12", 1);
    EXPECT_EQ(batch_job_of_this_process(), "LSF job 1234[12]");
  }
  EnvironmentVariable pbs("PBS_JOBID", "123[7].server");
  EXPECT_EQ(batch_job_of_this_process(), "PBS job 123[7].server");
}

TEST(BatchJob, IsKeptInTheLeaseAndNamedWithTheHolder) {
  const LeaseOwner owner{"node7", 101, 1, "machine-a", "SLURM job 4242"};
  const std::string content = lease_content(owner);
  EXPECT_EQ(parse_lease(content), owner);
  EXPECT_EQ(describe_holder(owner), "pid 101 on node7, SLURM job 4242");
  // A lease of a worker outside any batch job, or of an older jug, has none.
  const LeaseOwner plain{"node7", 101, 1, "machine-a", ""};
  EXPECT_EQ(lease_content(plain).find("job="), std::string::npos);
  EXPECT_EQ(parse_lease(lease_content(plain)), plain);
  EXPECT_EQ(describe_holder(plain), "pid 101 on node7");
}

TEST(LockFileContent, CutShortItNamesItsHolderWholeOrNotAtAll) {
  // What a power cut may leave of a lock file's data: any first part of it.
  // A lease read without its `machine` would be taken for one of a worker
  // on another machine, which is judged only by its age (the lease time);
  // one that names nobody is a lease not written yet, broken after 10 s.
  const LeaseOwner owner{"node7", 101, 1, "boot-id/4026531836", "SLURM job 4242"};
  const std::string content = lock_file_content(owner);
  for (std::size_t size = 0; size <= content.size(); ++size) {
    SCOPED_TRACE(content.substr(0, size));
    const std::optional<LeaseOwner> read = parse_lease(content.substr(0, size));
    if (!read) continue;
    EXPECT_EQ(read->host, owner.host);
    EXPECT_EQ(read->pid, owner.pid);
    EXPECT_EQ(read->process_start_ns, owner.process_start_ns);
    EXPECT_EQ(read->machine, owner.machine);
    // A line without its end is no line: a file cut inside its last line
    // (its job, which names the holder in messages: "SLURM job 42" of
    // "SLURM job 4242") names nobody yet.
    EXPECT_EQ(content[size - 1], '\n') << "read a holder from a line cut short";
  }
}

}  // namespace
}  // namespace jug::store_test
