/// The file store's removal generation (file_store_removals.cpp): a token
/// that changes once results have been removed, and a mark per process
/// removing them, which a remover killed half-way leaves until cleanup.

#include <gtest/gtest.h>
#include <unistd.h>

#include <chrono>
#include <filesystem>
#include <string>
#include <vector>

#include <fmt/format.h>

#include "store/file_store.hpp"
#include "unit/dead_process.hpp"
#include "unit/store/store_test_support.hpp"

namespace jug {
namespace {

using namespace std::chrono_literals;
using store_test::entries_of;
using store_test::task;
using store_test::TempDirectory;
using store_test::write_whole_file;
using testing_support::dead_writers_name;

class FileStoreRemovals : public ::testing::Test {
 protected:
  FileStoreRemovals() : store_(dir_.path()) {
    for (int i = 0; i < 3; ++i) store_.put(task(i), "a result");
  }

  std::string removals() const { return dir_.path() + "/removals"; }

  Store::RemovalGeneration generation() {
    const std::optional<Store::RemovalGeneration> found = store_.removal_generation();
    EXPECT_TRUE(found.has_value());
    return found.value_or(Store::RemovalGeneration{});
  }

  TempDirectory dir_;
  FileStore store_;
};

TEST(FileStoreRemovalGeneration, AStoreNotMadeYetHasNoneAndIsNotMade) {
  TempDirectory dir;
  FileStore store(dir.path() + "/store");
  EXPECT_EQ(store.removal_generation(), std::nullopt);
  EXPECT_FALSE(store.remove(task(1)));
  store.removals_done();
  EXPECT_FALSE(std::filesystem::exists(dir.path() + "/store"));
}

TEST_F(FileStoreRemovals, AStoreWithoutATokenGetsOneThatStays) {
  EXPECT_FALSE(std::filesystem::exists(removals()));
  const Store::RemovalGeneration first = generation();
  EXPECT_EQ(first.token.size(), 33u) << first.token;  // 32 hex digits and a newline
  EXPECT_TRUE(first.removers.empty());
  EXPECT_EQ(generation().token, first.token);
  EXPECT_EQ(entries_of(removals()), std::vector<std::string>{"token"});
}

TEST_F(FileStoreRemovals, RemovingWhatIsNotThereMarksNothing) {
  EXPECT_FALSE(store_.remove(task(9)));
  store_.removals_done();
  EXPECT_FALSE(std::filesystem::exists(removals()));
}

TEST_F(FileStoreRemovals, StoringAndLeasingLeaveTheTokenAlone) {
  const std::string before = generation().token;
  store_.put(task(7), "another");
  ASSERT_TRUE(store_.acquire(task(8), LeaseOwner::self()));
  store_.record_failure(task(8), "boom");
  store_.clear_failure(task(8));
  store_.release(task(8), LeaseOwner::self());
  store_.removals_done();  // no removal: nothing to say
  EXPECT_EQ(generation().token, before);
}

TEST_F(FileStoreRemovals, ARemoverIsListedUntilItsRemovalsAreDoneThenTheTokenHasChanged) {
  const std::string before = generation().token;
  ASSERT_TRUE(store_.remove(task(1)));
  ASSERT_TRUE(store_.remove(task(2)));
  const Store::RemovalGeneration during = generation();
  ASSERT_EQ(during.removers.size(), 1u) << "one mark for all of this process's removals";
  EXPECT_EQ(during.removers[0], fmt::format("pid {} on this machine", ::getpid()));
  EXPECT_EQ(during.token, before) << "changed only once the removals are done";

  store_.removals_done();
  const Store::RemovalGeneration after = generation();
  EXPECT_TRUE(after.removers.empty());
  EXPECT_NE(after.token, before);
  EXPECT_EQ(entries_of(removals()), std::vector<std::string>{"token"});

  // And again for the next removals.
  ASSERT_TRUE(store_.remove(task(0)));
  EXPECT_EQ(generation().removers.size(), 1u);
  store_.removals_done();
  EXPECT_NE(generation().token, after.token);
}

TEST_F(FileStoreRemovals, AStoreClosedAfterRemovingSaysItsRemovalsAreDone) {
  const std::string before = generation().token;
  {
    FileStore another(dir_.path());
    ASSERT_TRUE(another.remove(task(1)));
  }
  const Store::RemovalGeneration after = generation();
  EXPECT_TRUE(after.removers.empty());
  EXPECT_NE(after.token, before);
}

TEST_F(FileStoreRemovals, TheMarkOfARemoverThatDiedStaysUntilCleanupWhichChangesTheToken) {
  const std::string before = generation().token;
  const std::string mark = removals() + "/" + dead_writers_name("removing");
  write_whole_file(mark, "");
  const Store::RemovalGeneration during = generation();
  ASSERT_EQ(during.removers.size(), 1u);
  EXPECT_NE(during.removers[0].find("gone without finishing (`jug cleanup` takes its mark away)"),
            std::string::npos)
      << during.removers[0];

  EXPECT_EQ(store_.remove_abandoned_files(300s, /*dry_run=*/true), 1u);
  EXPECT_TRUE(std::filesystem::exists(mark)) << "a dry run removes nothing";
  EXPECT_EQ(generation().token, before);

  EXPECT_EQ(store_.remove_abandoned_files(300s, /*dry_run=*/false), 1u);
  EXPECT_FALSE(std::filesystem::exists(mark));
  const Store::RemovalGeneration after = generation();
  EXPECT_TRUE(after.removers.empty());
  EXPECT_NE(after.token, before) << "its removals may be done without a new token";
}

TEST_F(FileStoreRemovals, TheMarkOfALiveRemoverIsLeftToIt) {
  ASSERT_TRUE(store_.remove(task(1)));
  EXPECT_EQ(store_.remove_abandoned_files(300s, /*dry_run=*/false), 0u);
  EXPECT_EQ(generation().removers.size(), 1u);
  store_.removals_done();
  EXPECT_TRUE(generation().removers.empty());
}

}  // namespace
}  // namespace jug
