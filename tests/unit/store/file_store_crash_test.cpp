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

#include <iostream>
#include <string>

#include "jug/errors.hpp"
#include "store/file_store.hpp"
#include "unit/store/faulty_file_system.hpp"
#include "unit/store/file_store_operations.hpp"
#include "unit/store/memory_file_system.hpp"

namespace jug::store_test {
namespace {

class FileStoreCrashes : public ::testing::TestWithParam<StoreOperation> {
 protected:
  static std::shared_ptr<MemoryFileSystem> prepared(const StoreOperation& op) {
    auto fs = std::make_shared<MemoryFileSystem>();
    FileStore store(kStoreRoot, fs);
    op.prepare(store, *fs);
    store.sync();
    return fs;
  }

  /// How many file system calls the operation makes, uninterrupted.
  static std::size_t calls_of(const StoreOperation& op) {
    const auto faulty = std::make_shared<FaultyFileSystem>(prepared(op));
    FileStore store(kStoreRoot, faulty);
    faulty->heal();
    op.run(store);
    return faulty->calls();
  }
};

TEST_P(FileStoreCrashes, AtEveryCallAsAKilledProcessAndAsAPowerCut) {
  const StoreOperation& op = GetParam();
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
      FileStore store(kStoreRoot, faulty);
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
      FileStore reopened(kStoreRoot, survivor);
      op.check(reopened, Ended{.completed = completed});
      check_usable(reopened);
      ++killed;
    }
    EveryOutcome walk;
    do {
      const auto cut = fs->copy();
      cut->power_loss(walk.choice());
      FileStore reopened(kStoreRoot, cut);
      op.check(reopened, Ended{.completed = false, .power_cut = true});  // may be undone
      check_usable(reopened);
      ++power_cuts;
    } while (walk.next() && !HasFatalFailure());
    if (HasFatalFailure()) return;
  }
  std::cout << "[ explored ] " << op.name << ": " << calls << " calls, " << killed
            << " killed processes, " << power_cuts << " power cuts\n";
}

INSTANTIATE_TEST_SUITE_P(Operations, FileStoreCrashes, ::testing::ValuesIn(file_store_operations()),
                         [](const ::testing::TestParamInfo<StoreOperation>& info) {
                           return test_name_of(info.param.name);
                         });

}  // namespace
}  // namespace jug::store_test
