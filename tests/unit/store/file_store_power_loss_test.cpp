/// The file store through a power loss (MemoryFileSystem's crash model): what
/// sync() made durable survives every outcome; what it did not may be lost or
/// torn, which only the record's checksum catches (record.hpp).

#include <gtest/gtest.h>

#include <iostream>

#include "store/file_store.hpp"
#include "unit/store/memory_file_system.hpp"
#include "unit/store/store_test_support.hpp"

namespace jug::store_test {
namespace {

const std::string kRoot = "/jugdir";

TEST(FileStorePowerLoss, ASyncedResultSurvivesEveryOutcome) {
  const auto fs = std::make_shared<MemoryFileSystem>();
  FileStore(kRoot, fs).put(task(1), "old");
  FileStore(kRoot, fs).sync();
  FileStore store(kRoot, fs);
  store.put(task(1), "new");
  store.put(task(2), "two");
  store.sync();
  std::size_t outcomes = 0;
  EveryOutcome walk;
  do {
    const auto crashed = fs->copy();
    crashed->power_loss(walk.choice());
    FileStore reopened(kRoot, crashed);
    EXPECT_EQ(reopened.get(task(1)), "new");
    EXPECT_EQ(reopened.get(task(2)), "two");
    ++outcomes;
  } while (walk.next());
  EXPECT_EQ(outcomes, 1u);  // nothing was left to chance
}

TEST(FileStorePowerLoss, AnUnsyncedPutLeavesTheOldResultTheNewOrATornOne) {
  const auto fs = std::make_shared<MemoryFileSystem>();
  FileStore store(kRoot, fs);
  store.put(task(1), "the old record");
  store.sync();
  store.put(task(1), "the new record");
  std::size_t outcomes = 0, old_kept = 0, new_whole = 0;
  EveryOutcome walk;
  do {
    const auto crashed = fs->copy();
    crashed->power_loss(walk.choice());
    const std::optional<std::string> found = FileStore(kRoot, crashed).get(task(1));
    ASSERT_TRUE(found.has_value());  // the old one was durable: never nothing
    old_kept += *found == "the old record";
    new_whole += *found == "the new record";
    ++outcomes;
  } while (walk.next());
  EXPECT_GT(old_kept, 0u);
  EXPECT_GT(new_whole, 0u);
  // The rest: the new name with its data lost or torn, for checksums to catch.
  EXPECT_GT(outcomes, old_kept + new_whole);
  std::cout << "[ explored ] " << outcomes << " power losses after an unsynced put\n";
}

TEST(FileStorePowerLoss, AFormatFileTornWhileTheStoreWasMadeIsWrittenAgain) {
  const auto fs = std::make_shared<MemoryFileSystem>();
  FileStore(kRoot, fs).put(task(1), "one");  // makes the store: never synced
  // The cut kept every name and no data: the directories are all there, the
  // format file and the result are empty.
  bool names_chosen = false;
  fs->power_loss([&names_chosen](std::size_t options) -> std::size_t {
    if (names_chosen) return 1;  // a file's data: lost
    names_chosen = true;
    return options - 1;  // every change of names
  });
  ASSERT_EQ(fs->files().at(kRoot + "/jugdata-format"), "");
  FileStore store(kRoot, fs);
  store.put(task(1), "one");
  EXPECT_EQ(fs->files().at(kRoot + "/jugdata-format"), FileStore::kFormatLine);
}

}  // namespace
}  // namespace jug::store_test
