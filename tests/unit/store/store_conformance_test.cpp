/// What every store backend must do: the same tests run against each one.
/// A new backend joins by adding a line to every_store_backend()
/// (store_backends.cpp).

#include <gtest/gtest.h>
#include <fmt/format.h>

#include <algorithm>
#include <array>
#include <atomic>
#include <functional>
#include <memory>
#include <thread>

#include "jug/errors.hpp"
#include "unit/store/store_backends.hpp"
#include "unit/store/store_test_support.hpp"

namespace jug::store_test {
namespace {

using std::chrono::system_clock;

class StoreConformance : public ::testing::TestWithParam<StoreBackend> {
 protected:
  TempDirectory scratch_;
  std::unique_ptr<Store> store_ = GetParam().open(scratch_.path());
};

const LeaseOwner kAlice{"host-a", 101, 1'700'000'000'000'000'000, "machine-a"};
const LeaseOwner kBob{"host-b", 202, 1'700'000'000'000'000'001, "machine-b"};

std::vector<TaskHash> sorted(std::vector<TaskHash> hashes) {
  std::sort(hashes.begin(), hashes.end());
  return hashes;
}

// ---- results -----------------------------------------------------------------

/// A Python jugfile's task: the 20-byte SHA-1 Python jug gives it.
TaskHash python_jug_task(int i) {
  const TaskHash full = task(1000 + i);
  std::array<std::uint8_t, TaskHash::kPythonJugSize> sha1;
  std::copy_n(full.bytes.begin(), sha1.size(), sha1.begin());
  return TaskHash::python_jug(sha1);
}

TEST_P(StoreConformance, PythonJugHashesAreStoredListedLeasedAndFailedAsAnyOther) {
  const std::vector<TaskHash> hashes{task(1), python_jug_task(1), task(2), python_jug_task(2)};
  for (const TaskHash& h : {hashes[0], hashes[1], hashes[3]}) store_->put(h, "r " + h.hex());
  EXPECT_EQ(store_->get(hashes[1]), "r " + hashes[1].hex());
  EXPECT_EQ(sorted(store_->list()), sorted({hashes[0], hashes[1], hashes[3]}));
  EXPECT_EQ(store_->contains_all(hashes), (std::vector<bool>{true, true, false, true}));
  EXPECT_TRUE(store_->remove(hashes[3]));
  EXPECT_FALSE(store_->contains(hashes[3]));

  ASSERT_TRUE(store_->acquire(hashes[1], kAlice));
  EXPECT_FALSE(store_->acquire(hashes[1], kBob));
  const auto leases = store_->list_leases();
  ASSERT_EQ(leases.size(), 1u);
  EXPECT_EQ(leases[0].hash, hashes[1]);
  store_->release(hashes[1], kAlice);
  EXPECT_TRUE(store_->list_leases().empty());

  store_->record_failure(hashes[3], "boom");
  const auto failures = store_->list_failures();
  ASSERT_EQ(failures.size(), 1u);
  EXPECT_EQ(failures[0].hash, hashes[3]);
  // Named by its 40 digits, or (a frame in a segment) by where it is.
  const std::string where = store_->location(hashes[1]);
  const std::optional<Store::RecordPlace> place = store_->record_place(hashes[1]);
  if (place && where.find("/segments/") != std::string::npos) {
    EXPECT_EQ(where, fmt::format("{} at byte {}", place->file, place->offset));
  } else {
    EXPECT_NE(where.find(hashes[1].hex().substr(2)), std::string::npos) << where;
  }
}

TEST_P(StoreConformance, GetReturnsWhatPutStored) {
  const std::string record("binary\0record\xff with zeros", 26);
  store_->put(task(1), record);
  EXPECT_EQ(store_->get(task(1)), record);
}

TEST_P(StoreConformance, GetOfAnUnknownTaskIsEmpty) {
  EXPECT_EQ(store_->get(task(1)), std::nullopt);
  store_->put(task(1), "one");
  EXPECT_EQ(store_->get(task(2)), std::nullopt);
}

TEST_P(StoreConformance, StoresEmptyAndLargeRecords) {
  std::string large(3 << 20, '\0');
  for (std::size_t i = 0; i < large.size(); ++i) large[i] = static_cast<char>(i * 7 + i / 4096);
  store_->put(task(1), "");
  store_->put(task(2), large);
  EXPECT_EQ(store_->get(task(1)), "");
  EXPECT_EQ(store_->get(task(2)), large);
  EXPECT_TRUE(store_->contains(task(1)));
}

TEST_P(StoreConformance, PutReplacesAnEarlierRecord) {
  store_->put(task(1), "first");
  store_->put(task(1), "second");
  EXPECT_EQ(store_->get(task(1)), "second");
  EXPECT_EQ(store_->list(), std::vector<TaskHash>{task(1)});
}

TEST_P(StoreConformance, ContainsFollowsPutAndRemove) {
  EXPECT_FALSE(store_->contains(task(1)));
  store_->put(task(1), "r");
  EXPECT_TRUE(store_->contains(task(1)));
  EXPECT_FALSE(store_->contains(task(2)));
  EXPECT_TRUE(store_->remove(task(1)));
  EXPECT_FALSE(store_->contains(task(1)));
  EXPECT_EQ(store_->get(task(1)), std::nullopt);
}

TEST_P(StoreConformance, RemoveSaysWhetherThereWasAResult) {
  EXPECT_FALSE(store_->remove(task(1)));
  store_->put(task(1), "r");
  EXPECT_TRUE(store_->remove(task(1)));
  EXPECT_FALSE(store_->remove(task(1)));
}

// What status --cache trusts (commands/status_cache.hpp): a look at the
// store stays true while the removal generation is the same.
TEST_P(StoreConformance, TheRemovalGenerationChangesWithRemovalsAndOnlyWithThem) {
  store_->put(task(1), "r");
  store_->put(task(2), "r");
  const std::optional<Store::RemovalGeneration> before = store_->removal_generation();
  ASSERT_TRUE(before.has_value());
  EXPECT_TRUE(before->removers.empty());

  store_->put(task(3), "r");
  ASSERT_TRUE(store_->acquire(task(4), kAlice));
  store_->put_and_release(task(4), std::string("r"), kAlice, {});
  store_->record_failure(task(5), "boom");
  EXPECT_TRUE(store_->clear_failure(task(5)));
  store_->removals_done();
  EXPECT_EQ(store_->removal_generation()->token, before->token) << "nothing was removed";

  ASSERT_TRUE(store_->remove(task(2)));
  // Under way: the remover is listed, or the token has changed already.
  const std::optional<Store::RemovalGeneration> during = store_->removal_generation();
  EXPECT_TRUE(!during->removers.empty() || during->token != before->token);
  store_->removals_done();
  const std::optional<Store::RemovalGeneration> after = store_->removal_generation();
  EXPECT_TRUE(after->removers.empty());
  EXPECT_NE(after->token, before->token);
}

TEST_P(StoreConformance, ListReturnsExactlyTheStoredResults) {
  EXPECT_TRUE(store_->list().empty());
  const auto hashes = tasks(300);
  for (const auto& hash : hashes) store_->put(hash, "r");
  store_->remove(hashes[7]);
  auto expected = hashes;
  expected.erase(expected.begin() + 7);
  EXPECT_EQ(sorted(store_->list()), sorted(expected));
}

/// Half of `hashes` stored (every other one), and the answers expected.
std::vector<bool> store_every_other(Store& store, const std::vector<TaskHash>& hashes) {
  std::vector<bool> expected(hashes.size());
  for (std::size_t i = 0; i < hashes.size(); i += 2) {
    store.put(hashes[i], "r");
    expected[i] = true;
  }
  return expected;
}

TEST_P(StoreConformance, ContainsAllAnswersForAFewHashes) {
  const auto hashes = tasks(10);
  const auto expected = store_every_other(*store_, hashes);
  EXPECT_EQ(store_->contains_all(hashes), expected);
  EXPECT_TRUE(store_->contains_all({}).empty());
}

TEST_P(StoreConformance, ContainsAllAnswersForManyHashes) {
  const auto hashes = tasks(5000);
  const auto expected = store_every_other(*store_, hashes);
  // A result stored that nobody asks about must not confuse the answer.
  store_->put(task(-1), "r");
  EXPECT_EQ(store_->contains_all(hashes), expected);
}

TEST_P(StoreConformance, ReadersSeeACompleteRecordOrNone) {
  // Each record is one letter repeated a length that letter determines, so
  // a torn or mixed record is recognisable.
  const auto record_of = [](int k) {
    return std::string(1000 * (k + 1), static_cast<char>('a' + k));
  };
  const auto is_whole = [](const std::string& r) {
    const int k = r.empty() ? -1 : r[0] - 'a';
    return k >= 0 && k < 26 && r == std::string(1000 * (k + 1), r[0]);
  };
  std::atomic<bool> done{false};
  std::atomic<int> torn{0};
  std::thread reader([&] {
    while (!done) {
      if (auto r = store_->get(task(1)); r && !is_whole(*r)) ++torn;
    }
  });
  std::vector<std::thread> writers;
  for (int w = 0; w < 3; ++w) {
    writers.emplace_back([&, w] {
      for (int i = 0; i < 100; ++i) store_->put(task(1), record_of((w * 7 + i) % 26));
    });
  }
  for (auto& writer : writers) writer.join();
  done = true;
  reader.join();
  EXPECT_EQ(torn, 0);
  EXPECT_TRUE(is_whole(store_->get(task(1)).value()));
}

// ---- leases ----------------------------------------------------------------

TEST_P(StoreConformance, OnlyTheFirstAcquireWins) {
  EXPECT_TRUE(store_->acquire(task(1), kAlice));
  EXPECT_FALSE(store_->acquire(task(1), kBob));
  EXPECT_FALSE(store_->acquire(task(1), kAlice));
  EXPECT_TRUE(store_->acquire(task(2), kBob));
}

TEST_P(StoreConformance, TakingATaskReadsWhatTheStoreHoldsOfIt) {
  EXPECT_EQ(store_->acquire_and_read(task(1), kAlice)->stored, false);
  EXPECT_EQ(store_->acquire_and_read(task(1), kBob), std::nullopt) << "Alice holds it";
  store_->record_failure(task(2), "boom");
  store_->record_crash(task(2), "died once");
  const std::optional<LeasedTask> troubled = store_->acquire_and_read(task(2), kBob);
  ASSERT_TRUE(troubled.has_value());
  EXPECT_FALSE(troubled->stored);
  EXPECT_EQ(troubled->troubles.failure, "boom");
  EXPECT_EQ(troubled->troubles.crashes, std::vector<std::string>{"died once"});
  store_->put(task(3), "r");
  EXPECT_TRUE(store_->acquire_and_read(task(3), kBob)->stored);
}

TEST_P(StoreConformance, FinishingATaskStoresClearsAndReleasesAtOnce) {
  store_->record_failure(task(1), "boom");
  store_->record_crash(task(1), "died once");
  const std::optional<LeasedTask> taken = store_->acquire_and_read(task(1), kAlice);
  ASSERT_TRUE(taken.has_value());
  store_->put_and_release(task(1), "r", kAlice, taken->troubles);
  EXPECT_EQ(store_->get(task(1)), "r");
  EXPECT_EQ(store_->failure(task(1)), std::nullopt);
  EXPECT_TRUE(store_->crashes(task(1)).empty());
  EXPECT_TRUE(store_->list_crashed().empty());
  EXPECT_EQ(store_->lease(task(1)), std::nullopt);
  // Only the troubles said to be recorded are cleared (others are left to
  // whoever recorded them meanwhile).
  store_->record_failure(task(2), "boom");
  ASSERT_TRUE(store_->acquire(task(2), kAlice));
  store_->put_and_release(task(2), "r", kAlice, TaskTroubles{});
  EXPECT_EQ(store_->failure(task(2)), "boom");
  EXPECT_EQ(store_->lease(task(2)), std::nullopt);
  // A lease taken over meanwhile is left to its new holder.
  ASSERT_TRUE(store_->acquire(task(3), kBob));
  store_->put_and_release(task(3), "r", kAlice, TaskTroubles{});
  EXPECT_EQ(store_->get(task(3)), "r");
  ASSERT_TRUE(store_->lease(task(3)).has_value());
  EXPECT_EQ(store_->lease(task(3))->owner, kBob);
}

TEST_P(StoreConformance, FinishingATaskTakesTheNextOne) {
  store_->record_crash(task(2), "died once");
  ASSERT_TRUE(store_->acquire(task(1), kAlice));
  const std::optional<LeasedTask> next =
      store_->put_release_and_acquire(task(1), "r", kAlice, TaskTroubles{}, task(2));
  EXPECT_EQ(store_->get(task(1)), "r");
  EXPECT_EQ(store_->lease(task(1)), std::nullopt);
  ASSERT_TRUE(next.has_value());
  EXPECT_FALSE(next->stored);
  EXPECT_EQ(next->troubles.crashes, std::vector<std::string>{"died once"});
  ASSERT_TRUE(store_->lease(task(2)).has_value());
  EXPECT_EQ(store_->lease(task(2))->owner, kAlice);
  // The next one held by another: the result is stored all the same.
  ASSERT_TRUE(store_->acquire(task(3), kBob));
  EXPECT_EQ(store_->put_release_and_acquire(task(2), "s", kAlice, next->troubles, task(3)),
            std::nullopt);
  EXPECT_EQ(store_->get(task(2)), "s");
  EXPECT_TRUE(store_->crashes(task(2)).empty());
  EXPECT_EQ(store_->lease(task(2)), std::nullopt);
  EXPECT_EQ(store_->lease(task(3))->owner, kBob);
}

TEST_P(StoreConformance, AReleasedLeaseCanBeTakenAgain) {
  ASSERT_TRUE(store_->acquire(task(1), kAlice));
  store_->release(task(1), kAlice);
  EXPECT_TRUE(store_->acquire(task(1), kBob));
  ASSERT_EQ(store_->list_leases().size(), 1u);
  EXPECT_EQ(store_->list_leases()[0].owner, kBob);
}

TEST_P(StoreConformance, ReleasingAnUnheldLeaseDoesNothing) {
  store_->release(task(1), kAlice);
  ASSERT_TRUE(store_->acquire(task(2), kAlice));
  store_->release(task(1), kAlice);
  EXPECT_EQ(store_->list_leases().size(), 1u);
}

TEST_P(StoreConformance, ReleasingSomeoneElsesLeaseLeavesIt) {
  // Alice's lease was broken while she was frozen, and Bob took the task:
  // Alice giving "her" lease back must not free Bob's.
  ASSERT_TRUE(store_->acquire(task(1), kBob));
  store_->release(task(1), kAlice);
  ASSERT_EQ(store_->list_leases().size(), 1u);
  EXPECT_EQ(store_->list_leases()[0].owner, kBob);
}

TEST_P(StoreConformance, LeaseOfOneTask) {
  EXPECT_EQ(store_->lease(task(1)), std::nullopt);
  ASSERT_TRUE(store_->acquire(task(1), kAlice));
  const std::optional<LeaseInfo> lease = store_->lease(task(1));
  ASSERT_TRUE(lease.has_value());
  EXPECT_EQ(lease->hash, task(1));
  EXPECT_EQ(lease->owner, kAlice);
  EXPECT_EQ(lease->renewed, store_->list_leases().at(0).renewed);
}

TEST_P(StoreConformance, BreakingALeaseAsSeenRemovesIt) {
  ASSERT_TRUE(store_->acquire(task(1), kAlice));
  const LeaseInfo seen = store_->lease(task(1)).value();
  EXPECT_TRUE(store_->break_lease(seen));
  EXPECT_EQ(store_->lease(task(1)), std::nullopt);
  EXPECT_FALSE(store_->break_lease(seen)) << "broken twice";
  EXPECT_TRUE(store_->acquire(task(1), kBob));
}

TEST_P(StoreConformance, BreakingLeavesALeaseTakenSince) {
  // Seen abandoned, but meanwhile broken by another worker and taken anew:
  // the new holder's lease stays.
  ASSERT_TRUE(store_->acquire(task(1), kAlice));
  const LeaseInfo seen = store_->lease(task(1)).value();
  ASSERT_TRUE(store_->break_lease(seen));
  ASSERT_TRUE(store_->acquire(task(1), kBob));
  EXPECT_FALSE(store_->break_lease(seen));
  ASSERT_TRUE(store_->lease(task(1)).has_value());
  EXPECT_EQ(store_->lease(task(1))->owner, kBob);
}

TEST_P(StoreConformance, BreakingLeavesALeaseRenewedSince) {
  ASSERT_TRUE(store_->acquire(task(1), kAlice));
  const LeaseInfo seen = store_->lease(task(1)).value();
  std::this_thread::sleep_for(std::chrono::milliseconds(20));
  store_->renew(task(1), kAlice);
  EXPECT_FALSE(store_->break_lease(seen));
  EXPECT_EQ(store_->lease(task(1)).value().owner, kAlice);
}

TEST_P(StoreConformance, OfManyBreakingOneLeaseAtOnceExactlyOneSucceeds) {
  for (int round = 0; round < 20; ++round) {
    const TaskHash hash = task(100 + round);
    ASSERT_TRUE(store_->acquire(hash, kAlice));
    const LeaseInfo seen = store_->lease(hash).value();
    std::atomic<int> broke{0}, took{0};
    std::vector<std::thread> breakers;
    for (int t = 0; t < 6; ++t) {
      breakers.emplace_back([&, t] {
        const LeaseOwner me{"breaker", 1000 + t, 1, "m"};
        // Break, then take: what a worker finding a dead lease does.
        if (store_->break_lease(seen)) ++broke;
        if (store_->acquire(hash, me)) ++took;
      });
    }
    for (auto& b : breakers) b.join();
    EXPECT_EQ(broke.load(), 1) << "round " << round;
    EXPECT_EQ(took.load(), 1) << "round " << round;
  }
}

TEST_P(StoreConformance, CrashesAddUpUntilCleared) {
  EXPECT_TRUE(store_->crashes(task(1)).empty());
  EXPECT_TRUE(store_->list_crashed().empty());
  EXPECT_EQ(store_->record_crash(task(1), "pid 1 died"), std::vector<std::string>{"pid 1 died"});
  EXPECT_EQ(store_->record_crash(task(1), "pid 2\ndied"),
            (std::vector<std::string>{"pid 1 died", "pid 2 died"}));
  EXPECT_EQ(store_->crashes(task(1)), (std::vector<std::string>{"pid 1 died", "pid 2 died"}));
  EXPECT_EQ(store_->list_crashed(), std::vector<TaskHash>{task(1)});
  EXPECT_TRUE(store_->crashes(task(2)).empty());
  EXPECT_TRUE(store_->clear_crashes(task(1)));
  EXPECT_FALSE(store_->clear_crashes(task(1)));
  EXPECT_TRUE(store_->crashes(task(1)).empty());
}

TEST_P(StoreConformance, ListLeasesShowsOwnerAndTime) {
  EXPECT_TRUE(store_->list_leases().empty());
  const auto before = system_clock::now();
  ASSERT_TRUE(store_->acquire(task(1), kAlice));
  ASSERT_TRUE(store_->acquire(task(2), kBob));
  const auto after = system_clock::now();

  auto leases = store_->list_leases();
  ASSERT_EQ(leases.size(), 2u);
  std::sort(leases.begin(), leases.end(),
            [](const LeaseInfo& a, const LeaseInfo& b) { return a.owner.pid < b.owner.pid; });
  EXPECT_EQ(leases[0].hash, task(1));
  EXPECT_EQ(leases[0].owner, kAlice);
  EXPECT_EQ(leases[1].hash, task(2));
  EXPECT_EQ(leases[1].owner, kBob);
  // Filesystem clocks tick coarsely: allow a second either way.
  for (const auto& lease : leases) {
    EXPECT_GE(lease.renewed, before - std::chrono::seconds(1));
    EXPECT_LE(lease.renewed, after + std::chrono::seconds(1));
  }
}

TEST_P(StoreConformance, RenewMovesTheLeaseTimeForward) {
  ASSERT_TRUE(store_->acquire(task(1), kAlice));
  const auto taken = store_->list_leases().at(0).renewed;
  std::this_thread::sleep_for(std::chrono::milliseconds(60));
  store_->renew(task(1), kAlice);
  const auto lease = store_->list_leases().at(0);
  EXPECT_GT(lease.renewed, taken);
  EXPECT_EQ(lease.owner, kAlice);
}

TEST_P(StoreConformance, RenewingALeaseNoLongerHeldIsAnError) {
  EXPECT_THROW(store_->renew(task(1), kAlice), StoreError);
  ASSERT_TRUE(store_->acquire(task(1), kAlice));
  store_->release(task(1), kAlice);
  ASSERT_TRUE(store_->acquire(task(1), kBob));
  try {
    store_->renew(task(1), kAlice);
    FAIL() << "renewing Bob's lease as Alice succeeded";
  } catch (const StoreError& e) {
    EXPECT_NE(std::string(e.what()).find("lease lost"), std::string::npos) << e.what();
    EXPECT_NE(std::string(e.what()).find(task(1).hex()), std::string::npos) << e.what();
  }
  EXPECT_EQ(store_->list_leases().at(0).owner, kBob);
}

TEST_P(StoreConformance, ThreadsRacingForLeasesWinEachOnce) {
  constexpr int kThreads = 8, kLeases = 200;
  const auto hashes = tasks(kLeases);
  std::vector<std::vector<int>> won(kThreads);
  std::atomic<bool> go{false};
  std::vector<std::thread> threads;
  for (int t = 0; t < kThreads; ++t) {
    threads.emplace_back([&, t] {
      const LeaseOwner owner{"racer", t, 0, "m"};
      while (!go) std::this_thread::yield();
      for (int i = 0; i < kLeases; ++i) {
        if (store_->acquire(hashes[i], owner)) won[t].push_back(i);
      }
    });
  }
  go = true;
  for (auto& thread : threads) thread.join();
  std::vector<int> winners(kLeases, 0);
  for (const auto& list : won) {
    for (int i : list) ++winners[i];
  }
  EXPECT_EQ(winners, std::vector<int>(kLeases, 1));
  EXPECT_EQ(store_->list_leases().size(), static_cast<std::size_t>(kLeases));
}

// ---- failures --------------------------------------------------------------

TEST_P(StoreConformance, FailuresAreRecordedListedAndCleared) {
  EXPECT_TRUE(store_->list_failures().empty());
  store_->record_failure(task(1), "std::runtime_error: boom\nin task f");
  store_->record_failure(task(2), "first");
  store_->record_failure(task(2), "second");

  auto failures = store_->list_failures();
  ASSERT_EQ(failures.size(), 2u);
  std::sort(failures.begin(), failures.end(),
            [](const FailureInfo& a, const FailureInfo& b) { return a.message < b.message; });
  EXPECT_EQ(failures[0].hash, task(2));
  EXPECT_EQ(failures[0].message, "second");
  EXPECT_EQ(failures[1].hash, task(1));
  EXPECT_EQ(failures[1].message, "std::runtime_error: boom\nin task f");

  EXPECT_TRUE(store_->clear_failure(task(1)));
  EXPECT_FALSE(store_->clear_failure(task(1)));
  ASSERT_EQ(store_->list_failures().size(), 1u);
  EXPECT_EQ(store_->list_failures()[0].hash, task(2));
}

TEST_P(StoreConformance, ResultsLeasesAndFailuresAreIndependent) {
  store_->put(task(1), "r");
  ASSERT_TRUE(store_->acquire(task(1), kAlice));
  store_->record_failure(task(1), "f");
  store_->release(task(1), kAlice);
  EXPECT_TRUE(store_->contains(task(1)));
  EXPECT_EQ(store_->list_failures().size(), 1u);
  EXPECT_TRUE(store_->remove(task(1)));
  EXPECT_EQ(store_->list_failures().size(), 1u);
  EXPECT_TRUE(store_->list_leases().empty());
}

TEST_P(StoreConformance, SyncKeepsEverything) {
  store_->sync();  // on an empty store too
  store_->put(task(1), "r");
  store_->sync();
  EXPECT_EQ(store_->get(task(1)), "r");
}

// ---- users -------------------------------------------------------------------

TEST_P(StoreConformance, UsersAreNotedOnceAndListedSorted) {
  EXPECT_TRUE(store_->list_users().empty());
  store_->note_user("/home/me/b/jugfile.cpp");
  store_->note_user("/home/me/a/analysis.cpp");
  store_->note_user("/home/me/b/jugfile.cpp");
  EXPECT_EQ(store_->list_users(),
            (std::vector<std::string>{"/home/me/a/analysis.cpp", "/home/me/b/jugfile.cpp"}));
}

TEST_P(StoreConformance, UsersKeepUnusualPathsWhole) {
  const std::string spaced = "/data/my project/jug file (v2).cpp";
  const std::string long_path = "/" + std::string(300, 'x') + "/jugfile.cpp";
  store_->note_user(spaced);
  store_->note_user(long_path);
  EXPECT_EQ(store_->list_users(), (std::vector<std::string>{spaced, long_path}));
}

TEST_P(StoreConformance, UsersAreApartFromResultsLeasesAndFailures) {
  store_->note_user("/home/me/jugfile.cpp");
  EXPECT_TRUE(store_->list().empty());
  EXPECT_TRUE(store_->list_leases().empty());
  EXPECT_TRUE(store_->list_failures().empty());
  store_->put(task(1), "r");
  EXPECT_EQ(store_->list_users(), std::vector<std::string>{"/home/me/jugfile.cpp"});
}

TEST_P(StoreConformance, ThreadsNotingOneUserAtOnceListItOnce) {
  std::vector<std::thread> threads;
  for (int i = 0; i < 8; ++i) {
    threads.emplace_back([this, i] {
      store_->note_user("/shared/jugfile.cpp");
      store_->note_user("/own/" + std::to_string(i) + ".cpp");
    });
  }
  for (auto& t : threads) t.join();
  const std::vector<std::string> users = store_->list_users();
  EXPECT_EQ(std::count(users.begin(), users.end(), "/shared/jugfile.cpp"), 1);
  EXPECT_EQ(users.size(), 9u);
}

TEST_P(StoreConformance, DescribesItselfAndWhereAResultLives) {
  EXPECT_FALSE(store_->describe().empty());
  EXPECT_NE(store_->location(task(1)).find(task(1).hex().substr(2)), std::string::npos);
}

INSTANTIATE_TEST_SUITE_P(Backends, StoreConformance, ::testing::ValuesIn(every_store_backend()),
                         backend_name);

}  // namespace
}  // namespace jug::store_test
