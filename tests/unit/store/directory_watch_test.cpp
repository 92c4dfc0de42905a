/// DirectoryWatch: wakes on entries created, deleted or moved away, drains
/// what it saw, declines what it cannot watch, and tells shared filesystems
/// from local ones. Time bounds here are behavioural ("woke before the
/// timeout"), generous enough for a loaded machine, never benchmarks.

#include "store/directory_watch.hpp"

#include <gtest/gtest.h>

#include <chrono>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <functional>
#include <sstream>
#include <string>
#include <thread>

#include "unit/store/store_test_support.hpp"

namespace jug::store_test {
namespace {

namespace fs = std::filesystem;
using std::chrono::milliseconds;
using Clock = std::chrono::steady_clock;

constexpr milliseconds kNoChangeTimeout{50};
/// Long enough that only a missed change could use it up.
constexpr milliseconds kLongTimeout{10'000};
/// A wake before this means a change woke it, not the timeout.
constexpr milliseconds kWokeByChange{5'000};

class DirectoryWatchTest : public ::testing::Test {
 protected:
  void SetUp() override { fs::create_directory(locks_); }

  /// Runs `change` on another thread after ~20 ms, i.e. once the wait below
  /// has most likely started blocking, and waits for it with kLongTimeout.
  /// Returns the wait's answer; `waited` gets how long it took.
  bool wait_for_change_from_another_thread(DirectoryWatch& watch, std::function<void()> change,
                                           Clock::duration& waited) {
    std::thread changer([&change] {
      std::this_thread::sleep_for(milliseconds(20));
      change();
    });
    const auto start = Clock::now();
    const bool woke = watch.wait(kLongTimeout);
    waited = Clock::now() - start;
    changer.join();
    return woke;
  }

  TempDirectory scratch_;
  std::string locks_ = scratch_.path() + "/locks";
};

TEST_F(DirectoryWatchTest, WaitWithoutChangeTimesOut) {
  auto watch = DirectoryWatch::open(locks_);
  ASSERT_NE(watch, nullptr);
  EXPECT_FALSE(watch->wait(kNoChangeTimeout));
}

TEST_F(DirectoryWatchTest, DeletingAFileWakesTheWait) {
  const std::string lock = locks_ + "/a.lock";
  write_whole_file(lock, "held");
  auto watch = DirectoryWatch::open(locks_);
  ASSERT_NE(watch, nullptr);
  Clock::duration waited{};
  EXPECT_TRUE(wait_for_change_from_another_thread(*watch, [&] { fs::remove(lock); }, waited));
  EXPECT_LT(waited, kWokeByChange);
}

TEST_F(DirectoryWatchTest, RenamingAFileOutOfTheDirectoryWakesTheWait) {
  const std::string lock = locks_ + "/a.lock";
  write_whole_file(lock, "held");
  auto watch = DirectoryWatch::open(locks_);
  ASSERT_NE(watch, nullptr);
  Clock::duration waited{};
  const auto move_away = [&] { fs::rename(lock, scratch_.path() + "/a.lock.freed"); };
  EXPECT_TRUE(wait_for_change_from_another_thread(*watch, move_away, waited));
  EXPECT_LT(waited, kWokeByChange);
}

TEST_F(DirectoryWatchTest, CreatingAFileWakesTheWait) {
  auto watch = DirectoryWatch::open(locks_);
  ASSERT_NE(watch, nullptr);
  Clock::duration waited{};
  const auto create = [&] { write_whole_file(locks_ + "/b.lock", "held"); };
  EXPECT_TRUE(wait_for_change_from_another_thread(*watch, create, waited));
  EXPECT_LT(waited, kWokeByChange);
}

TEST_F(DirectoryWatchTest, SeesAChangeMadeBeforeTheWaitStarted) {
  auto watch = DirectoryWatch::open(locks_);
  ASSERT_NE(watch, nullptr);
  write_whole_file(locks_ + "/c.lock", "held");
  EXPECT_TRUE(watch->wait(kNoChangeTimeout));
}

TEST_F(DirectoryWatchTest, DrainsEventsSoTheNextWaitBlocksAgain) {
  auto watch = DirectoryWatch::open(locks_);
  ASSERT_NE(watch, nullptr);
  // Several events queued before the wait: one wake must take them all.
  for (int i = 0; i < 5; ++i) write_whole_file(locks_ + "/" + std::to_string(i), "x");
  for (int i = 0; i < 5; ++i) fs::remove(locks_ + "/" + std::to_string(i));
  EXPECT_TRUE(watch->wait(kLongTimeout));
  EXPECT_FALSE(watch->wait(kNoChangeTimeout));
}

TEST_F(DirectoryWatchTest, ChangesInsideSubdirectoriesAndFileContentsDoNotWake) {
  // Only the entries of the directory itself matter: a lock file rewritten
  // in place (a renewed lease) is not a freed one.
  const std::string lock = locks_ + "/a.lock";
  write_whole_file(lock, "held");
  fs::create_directory(locks_ + "/sub");
  auto watch = DirectoryWatch::open(locks_);
  ASSERT_NE(watch, nullptr);
  write_whole_file(lock, "renewed");
  write_whole_file(locks_ + "/sub/deeper", "x");
  EXPECT_FALSE(watch->wait(kNoChangeTimeout));
}

TEST_F(DirectoryWatchTest, RemovingTheDirectoryWakesAndThenEveryWaitSaysLookAgain) {
  auto watch = DirectoryWatch::open(locks_);
  ASSERT_NE(watch, nullptr);
  fs::remove(locks_);
  EXPECT_TRUE(watch->wait(kLongTimeout));
  // From now on it sleeps the timeout and answers true: the caller polls.
  EXPECT_TRUE(watch->wait(milliseconds(10)));
  EXPECT_TRUE(watch->wait(milliseconds(0)));
}

TEST_F(DirectoryWatchTest, MovingTheDirectoryAwayWakesAndThenEveryWaitSaysLookAgain) {
  auto watch = DirectoryWatch::open(locks_);
  ASSERT_NE(watch, nullptr);
  fs::rename(locks_, scratch_.path() + "/locks.old");
  EXPECT_TRUE(watch->wait(kLongTimeout));
  EXPECT_TRUE(watch->wait(milliseconds(10)));
}

TEST_F(DirectoryWatchTest, OpenDeclinesAMissingDirectory) {
  EXPECT_EQ(DirectoryWatch::open(scratch_.path() + "/missing"), nullptr);
}

TEST_F(DirectoryWatchTest, OpenDeclinesAFile) {
  const std::string file = scratch_.path() + "/file";
  write_whole_file(file, "x");
  EXPECT_EQ(DirectoryWatch::open(file), nullptr);
}

TEST_F(DirectoryWatchTest, MayBeDestroyedOnAnotherThreadThanTheOneThatWaited) {
  auto watch = DirectoryWatch::open(locks_);
  ASSERT_NE(watch, nullptr);
  bool woke = false;
  std::thread waiter([&] { woke = watch->wait(kLongTimeout); });
  std::this_thread::sleep_for(milliseconds(20));
  write_whole_file(locks_ + "/d.lock", "held");
  waiter.join();
  EXPECT_TRUE(woke);
  watch.reset();
}

// ---- is_shared_filesystem ---------------------------------------------------

TEST(DirectoryWatchSharedFilesystemTest, TmpIsNotShared) {
  EXPECT_FALSE(is_shared_filesystem("/tmp"));
}

TEST(DirectoryWatchSharedFilesystemTest, TheCurrentDirectoryIsNotSharedOnThisMachine) {
  EXPECT_FALSE(is_shared_filesystem(fs::current_path().string()));
}

TEST(DirectoryWatchSharedFilesystemTest, AMissingDirectoryIsNotTrusted) {
  EXPECT_TRUE(is_shared_filesystem("/nonexistent/jug-directory-watch-test"));
}

/// An NFS mount point from /proc/mounts, or "" when there is none.
std::string an_nfs_mount() {
  std::ifstream mounts("/proc/mounts");
  std::string line;
  while (std::getline(mounts, line)) {
    std::istringstream fields(line);
    std::string device, mount_point, type;
    fields >> device >> mount_point >> type;
    // Escaped names (\040 for a space) are skipped rather than decoded.
    if ((type == "nfs" || type == "nfs4") && mount_point.find('\\') == std::string::npos) {
      return mount_point;
    }
  }
  return "";
}

TEST(DirectoryWatchSharedFilesystemTest, AnNfsMountIsShared) {
  const std::string mount = an_nfs_mount();
  if (mount.empty()) GTEST_SKIP() << "no NFS mount in /proc/mounts";
  EXPECT_TRUE(is_shared_filesystem(mount));
  EXPECT_EQ(DirectoryWatch::open(mount), nullptr);
}

}  // namespace
}  // namespace jug::store_test
