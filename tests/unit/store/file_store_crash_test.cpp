/// The file store killed at every step (issue 20): for each operation, the
/// calls it makes are counted, then for every call position the process dies
/// there (FaultyFileSystem::die_at: that call and all after it never happen)
/// and the store is opened again, as the next worker would: once as after a
/// killed process (everything written stays), and once for every way a
/// power cut right then may go (MemoryFileSystem::power_loss). Each time,
/// what the store shows must be what was there before the operation or what
/// it was making, never anything else: a result is the old one or the new
/// one (after a power cut, an unsynced one may come back torn: its record's
/// checksum must then refuse it), a lease is the old holder's, ours, or one
/// with no holder written yet (which expires), and so on; and the store
/// still takes new results. The tests print how many crash states they
/// explored.

#include <gtest/gtest.h>

#include <functional>
#include <iostream>
#include <optional>
#include <string>
#include <vector>

#include "codec/record.hpp"
#include "jug/errors.hpp"
#include "store/file_store.hpp"
#include "store/lease_file.hpp"
#include "unit/store/faulty_file_system.hpp"
#include "unit/store/memory_file_system.hpp"
#include "unit/store/store_test_support.hpp"

namespace jug::store_test {
namespace {

const std::string kRoot = "/jugdir";

/// A result record as the engine writes it: a torn one fails its checksum.
std::string record_of(const TaskHash& hash, std::string_view value) {
  std::string buffer = record::begin();
  buffer += value;
  record::finish(buffer, hash, "std::string");
  return buffer;
}

/// What a reader gets of task `hash`'s stored record: its value, nothing,
/// or "<corrupt>" when the record fails its checks (never handed to a task).
std::optional<std::string> value_read(FileStore& store, const TaskHash& hash) {
  const std::optional<std::string> stored = store.get(hash);
  if (!stored) return std::nullopt;
  try {
    std::string scratch;
    return std::string(record::open(*stored, hash, "std::string", scratch));
  } catch (const CorruptRecord&) {
    return "<corrupt>";
  }
}

const LeaseOwner kOther{"node7", 4242, 1, "another-machine/1"};

/// Whatever the crash left, the store goes on: it takes and gives a new
/// result.
void check_usable(FileStore& store) {
  const TaskHash other = task(99);
  store.put(other, record_of(other, "after"));
  EXPECT_EQ(value_read(store, other), "after");
}

/// One operation of the store, on a state `prepare` made (and synced).
struct Operation {
  std::string name;
  std::function<void(FileStore&)> prepare;
  std::function<void(FileStore&)> run;
  /// Checks the store as a worker opening it after the crash finds it.
  /// `completed`: the operation returned before the crash.
  std::function<void(FileStore&, bool completed)> check;
};

class FileStoreCrashes : public ::testing::TestWithParam<Operation> {
 protected:
  static std::shared_ptr<MemoryFileSystem> prepared(const Operation& op) {
    auto fs = std::make_shared<MemoryFileSystem>();
    FileStore store(kRoot, fs);
    op.prepare(store);
    store.sync();
    return fs;
  }

  /// How many file system calls the operation makes, uninterrupted.
  static std::size_t calls_of(const Operation& op) {
    const auto faulty = std::make_shared<FaultyFileSystem>(prepared(op));
    FileStore store(kRoot, faulty);
    faulty->heal();
    op.run(store);
    return faulty->calls();
  }
};

TEST_P(FileStoreCrashes, AtEveryCallAsAKilledProcessAndAsAPowerCut) {
  const Operation& op = GetParam();
  const std::size_t calls = calls_of(op);
  ASSERT_GT(calls, 0u);
  std::size_t killed = 0, power_cuts = 0;
  // Position `calls` is the operation done, then the crash.
  for (std::size_t at = 0; at <= calls; ++at) {
    SCOPED_TRACE(op.name + ": died at call " + std::to_string(at) + " of " +
                 std::to_string(calls));
    const auto fs = prepared(op);
    const auto faulty = std::make_shared<FaultyFileSystem>(fs);
    bool completed = false;
    {
      FileStore store(kRoot, faulty);
      faulty->die_at(at);
      try {
        op.run(store);
        completed = !faulty->dead();
      } catch (const StoreError&) {
        ASSERT_TRUE(faulty->dead()) << "failed with no fault";
      }
    }
    fs->process_crash();
    {
      const auto survivor = fs->copy();
      FileStore reopened(kRoot, survivor);
      op.check(reopened, completed);
      check_usable(reopened);
      ++killed;
    }
    EveryOutcome walk;
    do {
      const auto cut = fs->copy();
      cut->power_loss(walk.choice());
      FileStore reopened(kRoot, cut);
      op.check(reopened, /*completed=*/false);  // not synced: may be undone
      check_usable(reopened);
      ++power_cuts;
    } while (walk.next() && !HasFatalFailure());
    if (HasFatalFailure()) return;
  }
  std::cout << "[ explored ] " << op.name << ": " << calls << " calls, " << killed
            << " killed processes, " << power_cuts << " power cuts\n";
}

std::vector<Operation> operations() {
  const TaskHash t = task(1);
  const std::string old_record = record_of(t, "old"), new_record = record_of(t, "new");
  const auto old_or_new = [t](FileStore& s, bool completed) {
    const std::optional<std::string> v = value_read(s, t);
    if (completed) {
      EXPECT_EQ(v, "new");
    } else {
      EXPECT_TRUE(v == "old" || v == "new" || v == "<corrupt>") << (v ? *v : "nothing");
    }
  };
  // Given back or broken: gone once done, else still the other worker's.
  const auto other_holds_or_none = [t](FileStore& s, bool completed) {
    const std::optional<LeaseInfo> lease = s.lease(t);
    if (completed) {
      EXPECT_FALSE(lease);
    } else if (lease) {
      EXPECT_EQ(lease->owner, kOther);
    }
  };
  return {
      {"put over an old result", [=](FileStore& s) { s.put(t, old_record); },
       [=](FileStore& s) { s.put(t, new_record); },
       [=](FileStore& s, bool completed) {
         old_or_new(s, completed);
         // The old record was synced: it is never lost for nothing.
         EXPECT_TRUE(value_read(s, t).has_value());
       }},
      {"put in a fresh store", [](FileStore&) {}, [=](FileStore& s) { s.put(t, new_record); },
       [=](FileStore& s, bool completed) {
         const std::optional<std::string> v = value_read(s, t);
         if (completed) {
           EXPECT_EQ(v, "new");
         } else {
           EXPECT_TRUE(!v || v == "new" || v == "<corrupt>") << *v;
         }
       }},
      {"remove", [=](FileStore& s) { s.put(t, old_record); }, [=](FileStore& s) { s.remove(t); },
       [=](FileStore& s, bool completed) {
         const std::optional<std::string> v = value_read(s, t);
         if (completed) {
           EXPECT_EQ(v, std::nullopt);
         } else {
           EXPECT_TRUE(!v || v == "old") << *v;
         }
       }},
      {"acquire", [](FileStore&) {}, [=](FileStore& s) { s.acquire(t, kOther); },
       [=](FileStore& s, bool completed) {
         const std::optional<LeaseInfo> lease = s.lease(t);
         if (completed) {
           ASSERT_TRUE(lease);
           EXPECT_EQ(lease->owner, kOther);
         } else if (lease) {
           // Taken, or taken with its holder not yet written: a lease no
           // one holds, which expires (lease_judge.hpp) and can be broken.
           EXPECT_TRUE(lease->owner == kOther || lease->owner.pid == 0);
         }
       }},
      {"release", [=](FileStore& s) { s.acquire(t, kOther); },
       [=](FileStore& s) { s.release(t, kOther); },
       other_holds_or_none},
      {"break a lease", [=](FileStore& s) { s.acquire(t, kOther); },
       [=](FileStore& s) { s.break_lease(*s.lease(t)); },
       other_holds_or_none},
      {"record a crash", [=](FileStore& s) { s.record_crash(t, "first"); },
       [=](FileStore& s) { s.record_crash(t, "second"); },
       [=](FileStore& s, bool completed) {
         const std::vector<std::string> crashes = s.crashes(t);
         if (completed) {
           EXPECT_EQ(crashes.size(), 2u);
         }
         // The first was synced; the second is there whole or not at all
         // (a torn line would be a garbled crash, not a lost one).
         EXPECT_LE(crashes.size(), 2u);
       }},
      {"record a failure", [](FileStore&) {}, [=](FileStore& s) { s.record_failure(t, "boom"); },
       [=](FileStore& s, bool completed) {
         const std::optional<std::string> failure = s.failure(t);
         if (completed) {
           EXPECT_EQ(failure, "boom");
         }
       }},
      {"clear a failure", [=](FileStore& s) { s.record_failure(t, "boom"); },
       [=](FileStore& s) { s.clear_failure(t); },
       [=](FileStore& s, bool completed) {
         const std::optional<std::string> failure = s.failure(t);
         if (completed) {
           EXPECT_EQ(failure, std::nullopt);
         } else if (failure) {
           EXPECT_EQ(*failure, "boom");
         }
       }},
  };
}

INSTANTIATE_TEST_SUITE_P(Operations, FileStoreCrashes, ::testing::ValuesIn(operations()),
                         [](const ::testing::TestParamInfo<Operation>& info) {
                           std::string name;
                           for (char c : info.param.name) {
                             if (std::isalnum(static_cast<unsigned char>(c))) name += c;
                           }
                           return name;
                         });

}  // namespace
}  // namespace jug::store_test
