// The lone worker's lease (docs/store-layout.md, "The lone worker"): a
// worker alone on a store of format 3 takes its tasks' leases in one file;
// another worker that comes waits until it has made way, and no task is
// ever held by two.

#include <gtest/gtest.h>

#include <algorithm>
#include <atomic>
#include <map>
#include <mutex>
#include <numeric>
#include <random>
#include <set>
#include <thread>

#include "commands/abandoned_leases.hpp"
#include "jug/errors.hpp"
#include "store/file_store.hpp"
#include "store/lease_file.hpp"
#include "store/lease_judge.hpp"
#include "unit/dead_process.hpp"
#include "unit/store/faulty_file_system.hpp"
#include "unit/store/memory_file_system.hpp"
#include "unit/store/store_test_support.hpp"

namespace jug::store_test {
namespace {

using testing_support::dead_worker_here;
using testing_support::dead_writers_name;

const std::string kRoot = "/jugdir";
const std::string kLone = kRoot + "/locks/lone-worker.lock";
constexpr std::chrono::seconds kLeaseTime{300};

/// Another worker of this test, as if of another process on this machine.
LeaseOwner worker_owner(int n) {
  LeaseOwner owner = LeaseOwner::self();
  owner.host = fmt::format("worker-{}", n);
  owner.process_start_ns += n;  // not this process: never judged gone here
  return owner;
}

class FileStoreLoneLease : public ::testing::Test {
 protected:
  std::shared_ptr<MemoryFileSystem> fs_ = std::make_shared<MemoryFileSystem>();

  std::unique_ptr<FileStore> worker(FileStore::LoneWorker lone = FileStore::LoneWorker::when_alone) {
    return std::make_unique<FileStore>(kRoot, fs_, FileStore::SmallResults::in_segments, lone);
  }
  /// The names in locks/.
  std::set<std::string> locks() const {
    std::set<std::string> names;
    for (const auto& [path, content] : fs_->files()) {
      if (path.starts_with(kRoot + "/locks/")) names.insert(path.substr(kRoot.size() + 7));
    }
    return names;
  }
  std::vector<TaskHash> named_in_lone_lease() const {
    return lone_lease_tasks(fs_->files().at(kLone));
  }
  /// Waits (up to 5 s) until `done` holds.
  static bool eventually(const std::function<bool()>& done) {
    for (int i = 0; i < 500; ++i) {
      if (done()) return true;
      std::this_thread::sleep_for(std::chrono::milliseconds(10));
    }
    return done();
  }
};

// What a lone worker reads before a task comes from what it read of the
// store at its first task; when that reading fails, the task it was about
// to take is not left named in its lease (the caller does not hold it: a
// breaker would later take it for a crash), and the same worker can take
// it once the store reads again.
TEST_F(FileStoreLoneLease, ATaskWhoseStoreCannotBeReadIsNotLeftHeld) {
  const LeaseOwner me = worker_owner(1);
  const auto faulty = std::make_shared<FaultyFileSystem>(fs_);
  FileStore store(kRoot, faulty, FileStore::SmallResults::in_segments,
                  FileStore::LoneWorker::when_alone);
  ASSERT_TRUE(store.acquire(task(1), me));  // lone now; nothing read of the store yet
  faulty->fail(0, EIO, Call::list);
  try {
    (void)store.acquire_and_read(task(2), me);
    ADD_FAILURE() << "a store that cannot be listed read as an answer";
  } catch (const StoreError& e) {
    EXPECT_NE(std::string(e.what()).find("cannot list the results in /jugdir"), std::string::npos)
        << e.what();
  }
  ASSERT_TRUE(faulty->injected());
  EXPECT_EQ(named_in_lone_lease(), std::vector<TaskHash>{task(1)});
  faulty->heal();
  const std::optional<LeasedTask> taken = store.acquire_and_read(task(2), me);
  ASSERT_TRUE(taken) << "held by nobody";
  EXPECT_FALSE(taken->stored);
  EXPECT_EQ(named_in_lone_lease(), (std::vector<TaskHash>{task(1), task(2)}));
}

TEST_F(FileStoreLoneLease, ALoneWorkerTakesNoLockFilePerTask) {
  const LeaseOwner me = worker_owner(1);
  {
    auto store = worker();
    ASSERT_TRUE(store->acquire(task(1), me));
    ASSERT_TRUE(store->acquire(task(2), me));
    EXPECT_FALSE(store->acquire(task(1), me)) << "held already";
    EXPECT_EQ(fs_->files().at(kRoot + "/jugdata-format"), FileStore::kLoneWorkerFormatLine);
    EXPECT_EQ(locks(), std::set<std::string>{"lone-worker.lock"});
    EXPECT_EQ(named_in_lone_lease(), (std::vector<TaskHash>{task(1), task(2)}));
    EXPECT_EQ(parse_lease(fs_->files().at(kLone)), me);

    const std::vector<LeaseInfo> listed = store->list_leases();
    ASSERT_EQ(listed.size(), 2u);
    EXPECT_EQ(listed[0].owner, me);
    ASSERT_TRUE(store->lease(task(2)));
    EXPECT_EQ(store->lease(task(2))->owner, me);
    EXPECT_FALSE(store->lease(task(3))) << "not running";

    store->renew(task(1), me);
    store->release(task(1), me);
    EXPECT_EQ(named_in_lone_lease(), std::vector<TaskHash>{task(2)});
    store->release(task(2), me);
    EXPECT_TRUE(named_in_lone_lease().empty());
    EXPECT_TRUE(store->list_leases().empty());
  }
  EXPECT_TRUE(locks().empty()) << "given back on exit";
}

TEST_F(FileStoreLoneLease, AnotherWorkerWaitsUntilTheLoneWorkerMakesWay) {
  const LeaseOwner first = worker_owner(1), second = worker_owner(2);
  auto lone = worker();
  auto other = worker();
  ASSERT_TRUE(lone->acquire(task(1), first));
  EXPECT_FALSE(other->acquire(task(2), second)) << "the lone worker holds every task";
  // The waiting worker sees the lone worker's lease as the task's.
  const std::optional<LeaseInfo> blocking = other->lease(task(2));
  ASSERT_TRUE(blocking);
  EXPECT_EQ(blocking->owner, first);

  // Within its 100 ms look, the lone worker makes way: a lock file for its
  // running task, with its name, and its lease gone.
  ASSERT_TRUE(eventually([&] { return !fs_->files().contains(kLone); }));
  EXPECT_EQ(parse_lease(fs_->files().at(kRoot + "/locks/" + task(1).hex() + ".lock")), first);
  ASSERT_TRUE(eventually([&] { return other->acquire(task(2), second); }));
  EXPECT_FALSE(other->acquire(task(1), second)) << "still the first worker's";
  EXPECT_FALSE(lone->acquire(task(2), first)) << "now the second's";

  // Both take a lock file per task from now on, and give them back.
  ASSERT_TRUE(lone->acquire(task(3), first));
  EXPECT_TRUE(locks().contains(task(3).hex() + ".lock"));
  lone->renew(task(1), first);
  lone->release(task(1), first);
  lone->release(task(3), first);
  other->release(task(2), second);
  for (const std::string& name : locks()) EXPECT_TRUE(name.ends_with(".worker")) << name;
  lone.reset();
  other.reset();
  EXPECT_TRUE(locks().empty());
}

TEST_F(FileStoreLoneLease, AWorkerThatMayNotBeLoneStillKeepsTheOthersFromIt) {
  auto shared = worker(FileStore::LoneWorker::never);
  ASSERT_TRUE(shared->acquire(task(1), worker_owner(1)));
  auto would_be_lone = worker();
  ASSERT_TRUE(would_be_lone->acquire(task(2), worker_owner(2)));
  EXPECT_FALSE(fs_->files().contains(kLone));
  EXPECT_TRUE(locks().contains(task(1).hex() + ".lock"));
  EXPECT_TRUE(locks().contains(task(2).hex() + ".lock"));
  EXPECT_FALSE(would_be_lone->acquire(task(1), worker_owner(2)));
}

TEST_F(FileStoreLoneLease, NoTaskIsEverHeldByTwoWorkers) {
  // Four workers, one of which starts alone, take and give back leases of
  // 300 tasks as a scheduler does: each task, once done, is done.
  constexpr int kTasks = 300;
  std::mutex mutex;
  std::map<int, int> holders, runs;
  std::atomic<bool> twice{false};
  const auto run_worker = [&](int n) {
    auto store = worker();
    const LeaseOwner me = worker_owner(n);
    std::vector<int> order(kTasks);
    std::iota(order.begin(), order.end(), 0);
    std::shuffle(order.begin(), order.end(), std::mt19937(n));
    std::set<int> left(order.begin(), order.end());
    while (!left.empty()) {
      for (int i : std::vector<int>(left.begin(), left.end())) {
        {
          std::lock_guard lock(mutex);
          if (runs[i] > 0) {
            left.erase(i);
            continue;
          }
        }
        if (!store->acquire(task(i), me)) continue;
        {
          std::lock_guard lock(mutex);
          if (++holders[i] > 1) twice = true;
          if (runs[i] == 0) ++runs[i];
        }
        std::this_thread::yield();
        {
          std::lock_guard lock(mutex);
          --holders[i];
        }
        store->release(task(i), me);
        left.erase(i);
      }
      std::this_thread::sleep_for(std::chrono::milliseconds(1));
    }
  };
  std::thread first(run_worker, 1);
  std::this_thread::sleep_for(std::chrono::milliseconds(2));
  std::vector<std::thread> others;
  for (int n = 2; n <= 4; ++n) others.emplace_back(run_worker, n);
  first.join();
  for (std::thread& t : others) t.join();
  EXPECT_FALSE(twice);
  EXPECT_EQ(runs.size(), static_cast<std::size_t>(kTasks));
  EXPECT_TRUE(locks().empty());
}

TEST_F(FileStoreLoneLease, ALoneWorkerThatDiedIsBrokenTaskByTaskWithItsCrashes) {
  const LeaseOwner dead = dead_worker_here();
  {
    auto dying = worker();
    ASSERT_TRUE(dying->acquire(task(1), dead));
    ASSERT_TRUE(dying->acquire(task(2), dead));
  }  // left with its tasks named, as a killed worker leaves it
  ASSERT_TRUE(fs_->files().contains(kLone));
  FileStatus st;
  ASSERT_EQ(fs_->status(kLone, &st), 0);
  const auto renewed = st.modified;

  auto next = worker();
  const LeaseOwner me = worker_owner(2);
  EXPECT_FALSE(next->acquire(task(3), me));
  // A task the dead worker was not running: its lease goes, no crash.
  std::optional<LeaseInfo> lease = next->lease(task(3));
  ASSERT_TRUE(lease);
  const auto now = [] { return std::chrono::system_clock::now(); };
  std::optional<std::string> why = abandoned_lease(*lease, LeaseOwner::self(), kLeaseTime, now);
  ASSERT_TRUE(why);
  EXPECT_FALSE(break_abandoned_lease(*next, *lease, *why));
  EXPECT_FALSE(fs_->files().contains(kLone));
  EXPECT_TRUE(next->crashes(task(3)).empty());
  // Its tasks are lock files now, with its name and last renewal: each is
  // broken, and its crash recorded, as any abandoned lease.
  for (int i : {1, 2}) {
    lease = next->lease(task(i));
    ASSERT_TRUE(lease);
    EXPECT_EQ(lease->owner, dead);
    EXPECT_EQ(lease->renewed, renewed);
    why = abandoned_lease(*lease, LeaseOwner::self(), kLeaseTime, now);
    ASSERT_TRUE(why);
    EXPECT_TRUE(break_abandoned_lease(*next, *lease, *why));
    ASSERT_EQ(next->crashes(task(i)).size(), 1u);
    EXPECT_NE(next->crashes(task(i))[0].find("no longer exists"), std::string::npos);
  }
  ASSERT_TRUE(eventually([&] { return next->acquire(task(1), me); }));
  EXPECT_TRUE(next->acquire(task(3), me));
}

TEST_F(FileStoreLoneLease, ItsListedTasksAreBrokenAsListed) {
  // As jug status and cleanup do: list, judge, break each.
  const LeaseOwner dead = dead_worker_here();
  {
    auto dying = worker();
    for (int i = 1; i <= 3; ++i) ASSERT_TRUE(dying->acquire(task(i), dead));
  }
  auto next = worker();
  const auto now = [] { return std::chrono::system_clock::now(); };
  std::size_t broken = 0;
  for (const LeaseInfo& lease : next->list_leases()) {
    const auto why = abandoned_lease(lease, LeaseOwner::self(), kLeaseTime, now);
    ASSERT_TRUE(why);
    if (break_abandoned_lease(*next, lease, *why)) ++broken;
  }
  EXPECT_EQ(broken, 3u);
  for (int i = 1; i <= 3; ++i) EXPECT_EQ(next->crashes(task(i)).size(), 1u);
  EXPECT_TRUE(locks().empty());
}

TEST_F(FileStoreLoneLease, ALoneWorkerWhoseLeaseWasBrokenLosesItsTasksLeases) {
  const LeaseOwner me = worker_owner(1);
  auto lone = worker();
  ASSERT_TRUE(lone->acquire(task(1), me));
  // Judged gone (frozen past the lease time, seen from another machine).
  auto other = worker();
  const std::optional<LeaseInfo> lease = other->lease(task(1));
  ASSERT_TRUE(lease);
  ASSERT_TRUE(other->break_lease(*lease));
  try {
    lone->renew(task(1), me);
    FAIL() << "renewed a lease that was broken";
  } catch (const StoreError& e) {
    EXPECT_NE(std::string(e.what()).find("lease lost"), std::string::npos) << e.what();
  }
  // It takes tasks again only through the protocol: here alone again.
  EXPECT_TRUE(lone->acquire(task(2), me));
  EXPECT_EQ(named_in_lone_lease(), std::vector<TaskHash>{task(2)});
}

TEST_F(FileStoreLoneLease, TheMarkerOfAWorkerHereThatIsGoneIsRemovedNotObeyed) {
  const std::string stale = kRoot + "/locks/" + dead_writers_name("worker") + ".worker";
  {
    auto made = worker();
    made->put(task(0), "a result");  // makes the store
  }
  ASSERT_EQ(fs_->make_directory(kRoot + "/locks"), 0);
  FileHandle file;
  ASSERT_EQ(fs_->create_exclusive(stale, &file), 0);
  fs_->close(file);
  auto store = worker();
  ASSERT_TRUE(store->acquire(task(1), worker_owner(1)));
  EXPECT_EQ(locks(), std::set<std::string>{"lone-worker.lock"});
}

// A worker killed after it made way leaves its marker beside its lock
// files; whoever breaks its lease removes the marker too, and leaves those
// of other workers, and of a live worker whose lease is broken all the
// same (`cleanup --locks-only`).
TEST_F(FileStoreLoneLease, BreakingTheLeaseOfAWorkerThatIsGoneRemovesItsMarker) {
  const LeaseOwner dead = dead_worker_here();
  const std::string dead_marker =
      kRoot + "/locks/" + dead_writers_name("worker", static_cast<pid_t>(dead.pid)) + ".worker";
  // This process's: alive.
  const std::string live_marker =
      kRoot + "/locks/" + dead_writers_name("worker", ::getpid()) + ".worker";
  {
    auto made = worker();
    made->put(task(0), "a result");  // makes the store
  }
  plant_file(*fs_, dead_marker, "");
  plant_file(*fs_, live_marker, "");
  plant_file(*fs_, kRoot + "/locks/" + task(1).hex() + ".lock", lock_file_content(dead));
  plant_file(*fs_, kRoot + "/locks/" + task(2).hex() + ".lock",
             lock_file_content(LeaseOwner::self()));

  auto next = worker();
  const std::optional<LeaseInfo> lease = next->lease(task(1));
  ASSERT_TRUE(lease);
  EXPECT_EQ(lease->owner, dead);
  const auto now = [] { return std::chrono::system_clock::now(); };
  const std::optional<std::string> why =
      abandoned_lease(*lease, LeaseOwner::self(), kLeaseTime, now);
  ASSERT_TRUE(why);
  EXPECT_TRUE(break_abandoned_lease(*next, *lease, *why));
  EXPECT_FALSE(fs_->files().contains(dead_marker));
  EXPECT_TRUE(fs_->files().contains(live_marker));
  EXPECT_EQ(next->crashes(task(1)).size(), 1u);

  const std::optional<LeaseInfo> live = next->lease(task(2));
  ASSERT_TRUE(live);
  EXPECT_TRUE(next->break_lease(*live));
  EXPECT_TRUE(fs_->files().contains(live_marker));
}

TEST_F(FileStoreLoneLease, AStoreOfFormat2KeepsALockFilePerTask) {
  {
    auto before = worker(FileStore::LoneWorker::never);
    before->put(task(0), "a result");
  }
  EXPECT_EQ(fs_->files().at(kRoot + "/jugdata-format"), FileStore::kSegmentsFormatLine);
  auto store = worker();
  ASSERT_TRUE(store->acquire(task(1), worker_owner(1)));
  EXPECT_EQ(locks(), std::set<std::string>{task(1).hex() + ".lock"});
}

TEST_F(FileStoreLoneLease, AWorkerWhoseMarkerWasRemovedGivesBackItsLockAndWaits) {
  // Judged gone while frozen: its marker removed, and another worker lone.
  worker()->put(task(0), "a result");  // a store of format 3
  auto frozen = worker(FileStore::LoneWorker::never);
  ASSERT_TRUE(frozen->acquire(task(1), worker_owner(1)));
  frozen->release(task(1), worker_owner(1));
  std::set<std::string> markers = locks();
  ASSERT_EQ(markers.size(), 1u);
  ASSERT_EQ(fs_->unlink(kRoot + "/locks/" + *markers.begin()), 0);
  auto lone = worker();
  ASSERT_TRUE(lone->acquire(task(2), worker_owner(2)));
  ASSERT_EQ(locks(), std::set<std::string>{"lone-worker.lock"});
  // Thawed: its lock file given back as soon as made, it asks anew.
  EXPECT_FALSE(frozen->acquire(task(2), worker_owner(1)));
  EXPECT_FALSE(frozen->acquire(task(3), worker_owner(1)));
  EXPECT_FALSE(locks().contains(task(3).hex() + ".lock"));
  markers = locks();
  EXPECT_EQ(std::count_if(markers.begin(), markers.end(),
                          [](const std::string& name) { return name.ends_with(".worker"); }),
            1)
      << "a marker of its own again";
}

TEST_F(FileStoreLoneLease, AStoreMadeByAWorkerThatMayNotBeLoneStaysOfFormat2ForAll) {
  auto lone_one = worker();
  auto other = worker(FileStore::LoneWorker::never);
  ASSERT_TRUE(other->acquire(task(1), worker_owner(1)));  // makes the store first
  ASSERT_TRUE(lone_one->acquire(task(2), worker_owner(2)));
  EXPECT_EQ(fs_->files().at(kRoot + "/jugdata-format"), FileStore::kSegmentsFormatLine);
  EXPECT_EQ(locks(), (std::set<std::string>{task(1).hex() + ".lock", task(2).hex() + ".lock"}));
}

}  // namespace
}  // namespace jug::store_test
