/// What writers killed half-way leave in the file store besides leases
/// (file_store_leftovers.cpp, writer_tag.hpp): temporary files whose writer
/// is gone are removed, and only those; so are a dead breaker's file and
/// last words whose lease is gone.

#include <fcntl.h>
#include <gtest/gtest.h>
#include <sys/stat.h>
#include <unistd.h>

#include <chrono>
#include <filesystem>
#include <string>
#include <vector>

#include <fmt/format.h>

#include "store/file_store.hpp"
#include "store/lease_file.hpp"
#include "store/writer_tag.hpp"
#include "unit/dead_process.hpp"
#include "unit/store/faulty_file_system.hpp"
#include "unit/store/store_test_support.hpp"

namespace jug {
namespace {

using namespace std::chrono_literals;
using store_test::entries_of;
using store_test::task;
using store_test::TempDirectory;
using store_test::write_whole_file;
using testing_support::dead_writers_name;
using testing_support::dead_worker_here;

/// Sets the modification time of `path` this long ago.
void age(const std::string& path, std::chrono::seconds ago) {
  const timespec then{::time(nullptr) - ago.count(), 0};
  const timespec times[2] = {then, then};
  ASSERT_EQ(::utimensat(AT_FDCWD, path.c_str(), times, 0), 0) << path;
}

class FileStoreLeftovers : public ::testing::Test {
 protected:
  FileStoreLeftovers() : store_(dir_.path()) {
    store_.put(task(0), "a result");  // creates the store and its directories
    std::filesystem::create_directories(dir_.path() + "/tmp");
    std::filesystem::create_directories(dir_.path() + "/locks");
  }

  std::string tmp(const std::string& name) const { return dir_.path() + "/tmp/" + name; }
  std::string locks(const std::string& name) const { return dir_.path() + "/locks/" + name; }

  TempDirectory dir_;
  FileStore store_;
};

TEST(WriterTag, NamesTheWriterOfATemporaryFile) {
  const std::string name = temp_file_name("3f2a.with.dots");
  EXPECT_TRUE(name.starts_with("3f2a.with.dots.")) << name;
  const LeaseOwner writer = writer_of_temp_file(name);
  const LeaseOwner self = LeaseOwner::self();
  EXPECT_EQ(writer.pid, self.pid);
  EXPECT_EQ(writer.process_start_ns, self.process_start_ns);
  EXPECT_EQ(writer.machine, self.machine);
  EXPECT_NE(temp_file_name("x"), temp_file_name("x")) << "unique";
}

TEST(WriterTag, ANameWithoutAWriterCanOnlyExpire) {
  for (const std::string name : {"clock.123.00000000deadbeef", "plain", "a.b.c.d.e", ""}) {
    const LeaseOwner writer = writer_of_temp_file(name);
    EXPECT_EQ(writer.pid, -1) << name;
    EXPECT_TRUE(writer.machine.empty()) << name;
  }
}

TEST(WriterTag, AWriterOnAnotherMachineIsNotThisMachines) {
  std::string name = temp_file_name("x");
  // The machine field is the fourth from the end: make it another one.
  std::vector<std::size_t> dots;
  for (std::size_t i = 0; i < name.size(); ++i) {
    if (name[i] == '.') dots.push_back(i);
  }
  const std::size_t machine_at = dots[dots.size() - 2] + 1;
  name.replace(machine_at, 16, name[machine_at] == '0' ? "1111111111111111" : "0000000000000000");
  const LeaseOwner writer = writer_of_temp_file(name);
  EXPECT_EQ(writer.pid, ::getpid());
  EXPECT_NE(writer.machine, LeaseOwner::self().machine);
  EXPECT_FALSE(writer.machine.empty());
}

TEST_F(FileStoreLeftovers, RemovesTheTemporaryFilesOfWritersThatAreGoneOnly) {
  const std::string dead = tmp(dead_writers_name(task(1).hex()));
  const std::string ours = tmp(temp_file_name(task(2).hex()));
  const std::string fresh_unnamed = tmp(task(3).hex() + ".123.00000000deadbeef");
  const std::string old_unnamed = tmp("clock.77.00000000deadbeef");
  for (const std::string& path : {dead, ours, fresh_unnamed, old_unnamed}) {
    write_whole_file(path, "half a record");
  }
  age(old_unnamed, 1h);
  const std::vector<std::string> before = entries_of(dir_.path() + "/tmp");

  EXPECT_EQ(store_.remove_abandoned_files(300s, /*dry_run=*/true), 2u);
  EXPECT_EQ(entries_of(dir_.path() + "/tmp"), before) << "a dry run removes nothing";

  EXPECT_EQ(store_.remove_abandoned_files(300s, /*dry_run=*/false), 2u);
  EXPECT_FALSE(std::filesystem::exists(dead));
  EXPECT_FALSE(std::filesystem::exists(old_unnamed));
  EXPECT_TRUE(std::filesystem::exists(ours)) << "its writer (this process) is alive";
  EXPECT_TRUE(std::filesystem::exists(fresh_unnamed)) << "may still be written elsewhere";
  EXPECT_EQ(store_.get(task(0)), "a result");
  EXPECT_EQ(store_.remove_abandoned_files(300s, false), 0u) << "nothing left to remove";
}

TEST_F(FileStoreLeftovers, RemovesTheFormatFilesTemporaryOfAWriterThatIsGone) {
  const std::string dead = dir_.path() + "/" + dead_writers_name(".jugdata-format");
  write_whole_file(dead, "jugdata");
  EXPECT_EQ(store_.remove_abandoned_files(300s, false), 1u);
  EXPECT_FALSE(std::filesystem::exists(dead));
  EXPECT_TRUE(std::filesystem::exists(dir_.path() + "/jugdata-format"));
}

TEST_F(FileStoreLeftovers, RemovesADeadBreakerAndLastWordsWhoseLeaseIsGone) {
  const std::string breaker = locks(task(1).hex() + ".lock.break");
  write_whole_file(breaker, lease_content(dead_worker_here()));
  const std::string orphan_words = locks(task(2).hex() + ".lock.died");
  write_whole_file(orphan_words, "died of SIGKILL");
  // Last words beside a lock that is still there wait for its breaker.
  ASSERT_TRUE(store_.acquire(task(3), dead_worker_here()));
  const std::string held_words = locks(task(3).hex() + ".lock.died");
  write_whole_file(held_words, "died of SIGSEGV");
  const std::string live_breaker = locks(task(4).hex() + ".lock.break");
  write_whole_file(live_breaker, lease_content(LeaseOwner::self()));

  EXPECT_EQ(store_.remove_abandoned_files(300s, false), 2u);
  EXPECT_FALSE(std::filesystem::exists(breaker));
  EXPECT_FALSE(std::filesystem::exists(orphan_words));
  EXPECT_TRUE(std::filesystem::exists(held_words));
  EXPECT_TRUE(std::filesystem::exists(live_breaker));
  EXPECT_TRUE(store_.lease(task(3))) << "leases are not its business";
}

// A worker died while breaking a lease: its breaker file stays. The next
// worker to break that lease removes it, and the look after breaks the
// lease: otherwise the task could never be taken over again.
TEST_F(FileStoreLeftovers, ABreakerLeftByADeadWorkerDoesNotBlockTheLeaseForGood) {
  ASSERT_TRUE(store_.acquire(task(1), dead_worker_here()));
  const std::optional<LeaseInfo> seen = store_.lease(task(1));
  ASSERT_TRUE(seen);
  const std::string breaker = locks(task(1).hex() + ".lock.break");
  write_whole_file(breaker, lease_content(dead_worker_here()));

  EXPECT_FALSE(store_.break_lease(*seen)) << "a breaker file was there: this look backs off";
  EXPECT_FALSE(std::filesystem::exists(breaker)) << "the dead worker's breaker file stays";
  EXPECT_TRUE(store_.break_lease(*seen));
  EXPECT_FALSE(store_.lease(task(1)));
  EXPECT_TRUE(store_.acquire(task(1), LeaseOwner::self()));
}

// The dead worker's breaker is moved aside to be removed. If, between the
// look at it and the move, a third worker removed it and a live one made
// its own, the move takes the live one: it is put back, never removed.
TEST_F(FileStoreLeftovers, ALiveBreakerMadeWhileADeadOneIsRemovedIsPutBack) {
  const auto faulty = std::make_shared<store_test::FaultyFileSystem>(real_file_system());
  FileStore store(dir_.path(), faulty);
  ASSERT_TRUE(store.acquire(task(1), dead_worker_here()));
  const std::optional<LeaseInfo> seen = store.lease(task(1));
  ASSERT_TRUE(seen);
  const std::string breaker = locks(task(1).hex() + ".lock.break");
  write_whole_file(breaker, lease_content(dead_worker_here()));
  std::filesystem::last_write_time(breaker,
                                   std::filesystem::file_time_type::clock::now() - 1h);
  const std::string live = lease_content(LeaseOwner::self());
  faulty->before(0, store_test::Call::rename, [&] {
    std::filesystem::remove(breaker);
    write_whole_file(breaker, live);
  });
  EXPECT_FALSE(store.break_lease(*seen));
  ASSERT_TRUE(std::filesystem::exists(breaker)) << "a live worker's breaker was removed";
  EXPECT_EQ(store_test::read_whole_file(breaker), live);
}

TEST_F(FileStoreLeftovers, AStoreWithoutTheseDirectoriesHasNothingToRemove) {
  TempDirectory empty;
  FileStore fresh(empty.path() + "/new.jugdata");
  EXPECT_EQ(fresh.remove_abandoned_files(300s, false), 0u);
}

}  // namespace
}  // namespace jug
