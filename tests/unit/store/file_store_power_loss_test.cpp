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
/// The layout of format 1, a file per result (segments: below).
constexpr FileStore::SmallResults kFiles = FileStore::SmallResults::in_files;
constexpr FileStore::SmallResults kSegments = FileStore::SmallResults::in_segments;

TEST(FileStorePowerLoss, ASyncedResultSurvivesEveryOutcome) {
  const auto fs = std::make_shared<MemoryFileSystem>();
  FileStore(kRoot, fs, kFiles).put(task(1), "old");
  FileStore(kRoot, fs, kFiles).sync();
  FileStore store(kRoot, fs, kFiles);
  store.put(task(1), "new");
  store.put(task(2), "two");
  store.sync();
  std::size_t outcomes = 0;
  EveryOutcome walk;
  do {
    const auto crashed = fs->copy();
    crashed->power_loss(walk.choice());
    FileStore reopened(kRoot, crashed, kFiles);
    EXPECT_EQ(reopened.get(task(1)), "new");
    EXPECT_EQ(reopened.get(task(2)), "two");
    ++outcomes;
  } while (walk.next());
  EXPECT_EQ(outcomes, 1u);  // nothing was left to chance
}

TEST(FileStorePowerLoss, AnUnsyncedPutLeavesTheOldResultTheNewOrATornOne) {
  const auto fs = std::make_shared<MemoryFileSystem>();
  FileStore store(kRoot, fs, kFiles);
  store.put(task(1), "the old record");
  store.sync();
  store.put(task(1), "the new record");
  std::size_t outcomes = 0, old_kept = 0, new_whole = 0;
  EveryOutcome walk;
  do {
    const auto crashed = fs->copy();
    crashed->power_loss(walk.choice());
    const std::optional<std::string> found = FileStore(kRoot, crashed, kFiles).get(task(1));
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
  FileStore(kRoot, fs, kFiles).put(task(1), "one");  // makes the store: never synced
  // The cut kept every name and no data: the directories are all there, the
  // format file and the result are empty.
  bool names_chosen = false;
  fs->power_loss([&names_chosen](std::size_t options) -> std::size_t {
    if (names_chosen) return 1;  // a file's data: lost
    names_chosen = true;
    return options - 1;  // every change of names
  });
  ASSERT_EQ(fs->files().at(kRoot + "/jugdata-format"), "");
  FileStore store(kRoot, fs, kFiles);
  store.put(task(1), "one");
  EXPECT_EQ(fs->files().at(kRoot + "/jugdata-format"), FileStore::kFormatLine);
}

TEST(FileStorePowerLoss, ASyncedResultInASegmentSurvivesEveryOutcome) {
  const auto fs = std::make_shared<MemoryFileSystem>();
  FileStore(kRoot, fs, kSegments).put(task(1), "old");
  FileStore store(kRoot, fs, kSegments);
  store.put(task(1), "new");
  store.put(task(2), "two");
  store.sync();
  EveryOutcome walk;
  do {
    const auto crashed = fs->copy();
    crashed->power_loss(walk.choice());
    FileStore reopened(kRoot, crashed, kSegments);
    EXPECT_EQ(reopened.get(task(1)), "new");
    EXPECT_EQ(reopened.get(task(2)), "two");
  } while (walk.next());
}

TEST(FileStorePowerLoss, AnUnsyncedFrameIsWholeOrNotThereNeverTorn) {
  const auto fs = std::make_shared<MemoryFileSystem>();
  FileStore store(kRoot, fs, kSegments);
  store.put(task(1), "the old record");
  store.sync();
  store.put(task(1), "the new record");
  store.put(task(2), "another");
  std::size_t outcomes = 0, old_kept = 0, new_whole = 0;
  EveryOutcome walk;
  do {
    const auto crashed = fs->copy();
    crashed->power_loss(walk.choice());
    // The segment says format 2 whatever the cut kept: a jug from before
    // segments never reads the store without them.
    EXPECT_EQ(crashed->files().at(kRoot + "/jugdata-format"), FileStore::kSegmentsFormatLine);
    FileStore reopened(kRoot, crashed, kSegments);
    const std::optional<std::string> found = reopened.get(task(1));
    ASSERT_TRUE(found.has_value());
    old_kept += *found == "the old record";
    new_whole += *found == "the new record";
    const std::optional<std::string> other = reopened.get(task(2));
    EXPECT_TRUE(!other || *other == "another") << *other;
    ++outcomes;
  } while (walk.next());
  EXPECT_GT(old_kept, 0u);
  EXPECT_GT(new_whole, 0u);
  // Unlike a result file, a frame cut short or zeroed is no frame.
  EXPECT_EQ(outcomes, old_kept + new_whole);
  std::cout << "[ explored ] " << outcomes << " power losses after an unsynced frame\n";
}

}  // namespace
}  // namespace jug::store_test
