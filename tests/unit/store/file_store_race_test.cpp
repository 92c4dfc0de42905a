/// Many workers on one file store: threads of one process and forked
/// processes, all racing for the same locks. Each lock must have exactly one
/// winner, and the store must say who.

#include <gtest/gtest.h>
#include <sys/wait.h>
#include <unistd.h>

#include <atomic>
#include <thread>

#include "store/file_store.hpp"
#include "unit/store/store_test_support.hpp"

namespace jug::store_test {
namespace {

constexpr int kLocks = 200, kThreads = 8, kProcesses = 4;

/// Reads a pipe to its end.
std::string read_to_end(int fd) {
  std::string out;
  char buffer[512];
  for (ssize_t got; (got = ::read(fd, buffer, sizeof buffer)) > 0;) {
    out.append(buffer, static_cast<std::size_t>(got));
  }
  return out;
}

TEST(FileStoreRace, ThreadsAndProcessesWinEachLockExactlyOnce) {
  TempDirectory scratch;
  const std::string root = scratch.path() + "/jugdir";
  const auto hashes = tasks(kLocks);

  // Children wait for the parent to close this pipe, so that everyone starts
  // at once. Forked before any thread starts: a child of a threaded process
  // may only call async-signal-safe functions.
  int start_gate[2];
  ASSERT_EQ(::pipe(start_gate), 0);
  struct Child {
    pid_t pid;
    int results;  // one '1' or '0' per lock: whether the child won it
  };
  std::vector<Child> children;
  for (int p = 0; p < kProcesses; ++p) {
    int results[2];
    ASSERT_EQ(::pipe(results), 0);
    const pid_t pid = ::fork();
    ASSERT_GE(pid, 0);
    if (pid == 0) {
      ::close(start_gate[1]);
      ::close(results[0]);
      char ignored;
      [[maybe_unused]] auto opened = ::read(start_gate[0], &ignored, 1);
      int status = 0;
      std::string won(kLocks, '0');
      try {
        FileStore store(root);
        const LeaseOwner self = LeaseOwner::self();
        for (int i = 0; i < kLocks; ++i) {
          if (store.acquire(hashes[i], self)) won[i] = '1';
        }
      } catch (...) {
        status = 1;
      }
      [[maybe_unused]] auto written = ::write(results[1], won.data(), won.size());
      ::_exit(status);
    }
    ::close(results[1]);
    children.push_back({pid, results[0]});
  }

  FileStore store(root);  // one store shared by all threads
  std::atomic<bool> go{false};
  std::vector<std::string> thread_won(kThreads, std::string(kLocks, '0'));
  std::vector<std::thread> threads;
  for (int t = 0; t < kThreads; ++t) {
    threads.emplace_back([&, t] {
      const LeaseOwner owner{"thread", t, 0, "m"};
      while (!go) std::this_thread::yield();
      for (int i = 0; i < kLocks; ++i) {
        if (store.acquire(hashes[i], owner)) thread_won[t][i] = '1';
      }
    });
  }
  ::close(start_gate[0]);
  ::close(start_gate[1]);
  go = true;
  for (auto& thread : threads) thread.join();

  /// Who won each lock; -1 for nobody, -2 for more than one winner.
  std::vector<std::int64_t> winner(kLocks, -1);
  const auto record_win = [&](int lock, std::int64_t who) {
    winner[lock] = winner[lock] == -1 ? who : -2;
  };
  for (int t = 0; t < kThreads; ++t) {
    for (int i = 0; i < kLocks; ++i) {
      if (thread_won[t][i] == '1') record_win(i, t);
    }
  }
  for (const Child& child : children) {
    const std::string won = read_to_end(child.results);
    ::close(child.results);
    int status = 0;
    ASSERT_EQ(::waitpid(child.pid, &status, 0), child.pid);
    ASSERT_TRUE(WIFEXITED(status) && WEXITSTATUS(status) == 0);
    ASSERT_EQ(won.size(), static_cast<std::size_t>(kLocks));
    for (int i = 0; i < kLocks; ++i) {
      if (won[i] == '1') record_win(i, child.pid);
    }
  }
  for (int i = 0; i < kLocks; ++i) EXPECT_GE(winner[i], 0) << "lock " << i;

  // The store names each lock's winner.
  const auto leases = store.list_leases();
  ASSERT_EQ(leases.size(), static_cast<std::size_t>(kLocks));
  for (const LeaseInfo& lease : leases) {
    const auto lock = std::find(hashes.begin(), hashes.end(), lease.hash) - hashes.begin();
    ASSERT_LT(lock, kLocks);
    EXPECT_EQ(lease.owner.pid, winner[lock]) << "lock " << lock;
  }
}

}  // namespace
}  // namespace jug::store_test
