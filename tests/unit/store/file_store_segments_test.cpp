// The file store's segments (docs/store-layout.md, `segments/`): small
// results appended to one file per process, read by every other process,
// removed by removal frames, and packed (FileStore::pack).

#include <gtest/gtest.h>
#include <fmt/format.h>

#include <algorithm>
#include <map>
#include <set>
#include <thread>

#include "jug/errors.hpp"
#include "store/file_store.hpp"
#include "store/segment_frame.hpp"
#include "unit/dead_process.hpp"
#include "unit/store/faulty_file_system.hpp"
#include "unit/store/memory_file_system.hpp"
#include "unit/store/store_test_support.hpp"

namespace jug::store_test {
namespace {

const std::string kRoot = "/jugdir";
constexpr std::chrono::seconds kLeaseTime{300};

/// The files of the store under `directory` (a path below the root).
std::map<std::string, std::string> files_in(const MemoryFileSystem& fs,
                                            const std::string& directory) {
  std::map<std::string, std::string> found;
  for (const auto& [path, content] : fs.files()) {
    if (path.starts_with(kRoot + "/" + directory + "/")) found.emplace(path, content);
  }
  return found;
}

/// The segment files of the store (not their index files).
std::map<std::string, std::string> segment_files(const MemoryFileSystem& fs) {
  std::map<std::string, std::string> found;
  for (const auto& [path, content] : files_in(fs, "segments")) {
    if (path.starts_with(kRoot + "/segments/seg.")) found.emplace(path, content);
  }
  return found;
}

/// The index files of the segments (segment_index_file.hpp).
std::map<std::string, std::string> index_files(const MemoryFileSystem& fs) {
  std::map<std::string, std::string> found;
  for (const auto& [path, content] : files_in(fs, "segments")) {
    if (path.starts_with(kRoot + "/segments/index.")) found.emplace(path, content);
  }
  return found;
}

std::string value_of(int i) { return "result " + std::to_string(i); }

class FileStoreSegments : public ::testing::Test {
 protected:
  std::shared_ptr<MemoryFileSystem> fs_ = std::make_shared<MemoryFileSystem>();
  /// A worker: a store opened on the same file system, as another process.
  std::unique_ptr<FileStore> worker() {
    return std::make_unique<FileStore>(kRoot, fs_, FileStore::SmallResults::in_segments);
  }
  /// Where the second frame of three_results_in_a_segment() starts.
  static constexpr std::size_t kSecondFrame = segment::kFileHeader.size() +
                                              segment::kFrameHeaderSize +
                                              std::string_view("result 0").size();
  /// The path of a sealed segment holding the results value_of(0..2).
  std::string three_results_in_a_segment() {
    {
      auto store = worker();
      for (int i = 0; i < 3; ++i) store->put(task(i), value_of(i));
    }
    return segment_files(*fs_).begin()->first;
  }
};

TEST_F(FileStoreSegments, SmallResultsShareOneFileAndAreReadBackByAnyone) {
  {
    auto store = worker();
    for (int i = 0; i < 500; ++i) store->put(task(i), value_of(i));
    for (int i = 0; i < 500; ++i) ASSERT_EQ(store->get(task(i)), value_of(i));
  }
  EXPECT_EQ(segment_files(*fs_).size(), 1u);
  EXPECT_TRUE(files_in(*fs_, "results").empty());
  EXPECT_EQ(fs_->files().at(kRoot + "/jugdata-format"), FileStore::kSegmentsFormatLine);
  auto reader = worker();
  const std::vector<TaskHash> listed = reader->list();
  EXPECT_EQ(std::set<TaskHash>(listed.begin(), listed.end()).size(), 500u);
  EXPECT_EQ(listed.size(), 500u);
  for (int i = 0; i < 500; ++i) {
    ASSERT_TRUE(reader->contains(task(i)));
    ASSERT_EQ(reader->get(task(i)), value_of(i));
  }
  std::vector<TaskHash> asked = tasks(600);
  const std::vector<bool> found = reader->contains_all(asked);
  EXPECT_EQ(std::count(found.begin(), found.end(), true), 500);
  EXPECT_FALSE(found[550]);
}

TEST_F(FileStoreSegments, ManyHashesAskedOfAStoreNotReadYetAreAnsweredAsOneByOne) {
  // A store not read yet answers many hashes from an index of those alone
  // (FileStore::contains_all): the same answers as the store's own index,
  // through removals, results put again, packed copies and result files,
  // whatever the order of the question.
  {
    auto first = worker();
    for (int i = 0; i < 3000; ++i) first->put(task(i), value_of(i));
    first->put(task(3001), std::string(FileStore::kSegmentRecordLimit + 1, 'x'));  // a file
  }
  {
    auto remover = worker();
    for (int i = 0; i < 3000; i += 7) EXPECT_TRUE(remover->remove(task(i)));
    remover->removals_done();
  }
  {
    auto second = worker();
    for (int i = 0; i < 3000; i += 14) second->put(task(i), "again");  // removed, put again
    for (int i = 3002; i < 3500; ++i) second->put(task(i), value_of(i));
    second->pack(kLeaseTime);  // copies the segments of the first and the remover
    EXPECT_TRUE(second->remove(task(3100)));  // after the pack, in its own segment
  }
  std::vector<TaskHash> asked = tasks(4000);
  asked.push_back(task(-5));  // never stored
  std::vector<bool> expected;
  {
    auto one_by_one = worker();
    for (const TaskHash& hash : asked) expected.push_back(one_by_one->contains(hash));
  }
  EXPECT_EQ(std::count(expected.begin(), expected.end(), true), 3000 - 429 + 215 + 1 + 498 - 1);
  EXPECT_EQ(worker()->contains_all(asked), expected);
  std::reverse(asked.begin(), asked.end());
  std::reverse(expected.begin(), expected.end());
  EXPECT_EQ(worker()->contains_all(asked), expected) << "asked in the other order";
  auto reader = worker();
  EXPECT_FALSE(reader->contains(task(7)));  // the reader's own index is read now
  EXPECT_EQ(reader->contains_all(asked), expected);
}

TEST_F(FileStoreSegments, AWorkerSeesWhatAnotherAppendsWhileBothRun) {
  auto first = worker();
  auto second = worker();
  EXPECT_FALSE(second->contains(task(1)));
  first->put(task(1), "one");
  EXPECT_TRUE(second->contains(task(1)));
  EXPECT_EQ(second->get(task(1)), "one");
  second->put(task(2), "two");
  EXPECT_EQ(first->get(task(2)), "two");
  EXPECT_EQ(segment_files(*fs_).size(), 2u) << "one segment per writer";
}

TEST_F(FileStoreSegments, BigResultsStayAFileEach) {
  auto store = worker();
  const std::string big(FileStore::kSegmentRecordLimit + 1, 'x');
  store->put(task(1), big);
  store->put(task(2), "small");
  EXPECT_EQ(files_in(*fs_, "results").size(), 1u);
  EXPECT_EQ(store->get(task(1)), big);
  EXPECT_EQ(worker()->get(task(1)), big);
  EXPECT_NE(store->location(task(1)).find("/results/"), std::string::npos);
  EXPECT_NE(store->location(task(2)).find("/segments/"), std::string::npos);
  // Where its record starts, as record_place says.
  const std::optional<Store::RecordPlace> place = store->record_place(task(2));
  ASSERT_TRUE(place.has_value());
  EXPECT_EQ(store->location(task(2)), fmt::format("{} at byte {}", place->file, place->offset));
  EXPECT_EQ(fs_->files().at(place->file).substr(place->offset, 5), "small");
}

TEST_F(FileStoreSegments, ARemovalIsSeenByEveryoneAndAPutAfterItStands) {
  auto first = worker();
  first->put(task(1), "one");
  first->put(task(2), "two");
  auto remover = worker();
  EXPECT_TRUE(remover->remove(task(1)));
  EXPECT_FALSE(remover->remove(task(1))) << "nothing left to remove";
  remover->removals_done();
  // A worker trusts what it found for 100 ms (file_store_segments.cpp).
  std::this_thread::sleep_for(std::chrono::milliseconds(150));
  EXPECT_FALSE(first->contains(task(1)));
  EXPECT_EQ(first->get(task(1)), std::nullopt);
  EXPECT_EQ(first->get(task(2)), "two");
  first->put(task(1), "one again");
  EXPECT_EQ(worker()->get(task(1)), "one again");
  EXPECT_EQ(remover->get(task(1)), "one again");
}

TEST_F(FileStoreSegments, APutReplacesTheResultBefore) {
  auto store = worker();
  store->put(task(1), "first");
  store->put(task(1), "second");
  EXPECT_EQ(store->get(task(1)), "second");
  EXPECT_EQ(store->list().size(), 1u);
  EXPECT_TRUE(store->remove(task(1)));
  EXPECT_FALSE(store->contains(task(1))) << "every copy removed";
  EXPECT_FALSE(worker()->contains(task(1)));
}

TEST_F(FileStoreSegments, AStoreOfResultFilesStaysSoUntilPacked) {
  FileStore(kRoot, fs_, FileStore::SmallResults::in_files).put(task(1), "in a file");
  EXPECT_EQ(fs_->files().at(kRoot + "/jugdata-format"), FileStore::kFormatLine);
  // A jug from before segments may share it: a new jug keeps its layout.
  worker()->put(task(2), "in a file too");
  EXPECT_EQ(fs_->files().at(kRoot + "/jugdata-format"), FileStore::kFormatLine);
  EXPECT_EQ(files_in(*fs_, "results").size(), 2u);
  EXPECT_TRUE(segment_files(*fs_).empty());
  worker()->pack(kLeaseTime);
  EXPECT_EQ(fs_->files().at(kRoot + "/jugdata-format"), FileStore::kSegmentsFormatLine)
      << "a jug from before segments must refuse the store, not miss them";
  EXPECT_TRUE(files_in(*fs_, "results").empty());
  auto store = worker();
  store->put(task(3), "in a segment");
  EXPECT_EQ(store->get(task(1)), "in a file");
  EXPECT_EQ(store->list().size(), 3u);
  EXPECT_TRUE(store->remove(task(1)));
  // Once the store has segments, every jug puts small results there.
  FileStore(kRoot, fs_, FileStore::SmallResults::in_files).put(task(4), "four");
  EXPECT_TRUE(files_in(*fs_, "results").empty());
  EXPECT_EQ(worker()->list().size(), 3u);
}

TEST_F(FileStoreSegments, ANewStoreSaysFormat2BeforeAnythingIsInIt) {
  // Its first file is a lease's: the format is written then, synced.
  EXPECT_TRUE(worker()->acquire(task(1), LeaseOwner::self()));
  EXPECT_EQ(fs_->files().at(kRoot + "/jugdata-format"), FileStore::kSegmentsFormatLine);
}

/// The segment's path, renamed as if written by a process that is gone.
std::string as_dead_writers(MemoryFileSystem& fs) {
  const auto segments = segment_files(fs);
  EXPECT_EQ(segments.size(), 1u);
  const std::string old_path = segments.begin()->first;
  const std::string dead = kRoot + "/segments/" + testing_support::dead_writers_name("seg");
  EXPECT_EQ(fs.rename(old_path, dead), 0);
  return dead;
}

/// Writes `content` as the file `path`, in place of what it held.
void replace_file(MemoryFileSystem& fs, const std::string& path, const std::string& content) {
  ASSERT_EQ(fs.unlink(path), 0);
  FileHandle file;
  ASSERT_EQ(fs.create_exclusive(path, &file), 0);
  std::size_t written = 0;
  ASSERT_EQ(fs.write(file, content, &written), 0);
  ASSERT_EQ(written, content.size());
  fs.close(file);
}

TEST_F(FileStoreSegments, ATornTailIsIgnoredAndReportedOnceItsWriterIsGone) {
  {
    auto store = worker();
    store->put(task(1), "one");
    store->put(task(2), "two");
  }
  // Its writer died appending a third: half its frame is there, no seal.
  const std::string segment = as_dead_writers(*fs_);
  std::string content = fs_->files().at(segment);
  content.resize(content.size() - segment::kFrameHeaderSize);  // the seal
  std::string torn;
  segment::FrameHeader header;
  header.hash = task(3);
  segment::append_frame(torn, header, "three");
  replace_file(*fs_, segment, content + torn.substr(0, torn.size() / 2));

  auto reader = worker();
  EXPECT_EQ(reader->get(task(1)), "one");
  EXPECT_EQ(reader->get(task(2)), "two");
  EXPECT_FALSE(reader->contains(task(3)));
  const std::vector<std::string> damage = reader->damage(kLeaseTime);
  ASSERT_EQ(damage.size(), 1u);
  EXPECT_NE(damage[0].find("cut short"), std::string::npos) << damage[0];
  // The reader's own results go on in a segment of its own.
  reader->put(task(3), "three");
  EXPECT_EQ(worker()->get(task(3)), "three");
}

TEST_F(FileStoreSegments, AFlippedRecordByteIsReadForTheRecordToRefuse) {
  const std::string segment = three_results_in_a_segment();
  std::string content = fs_->files().at(segment);
  content[kSecondFrame + segment::kFrameHeaderSize + 2] = 'X';  // in its body
  replace_file(*fs_, segment, content);
  auto reader = worker();
  // As a damaged result file is: there, and its record's checksum refuses
  // it when decoded (these test records have none), so that status reports
  // it and execute --verify computes it again.
  EXPECT_EQ(reader->get(task(1)), "reXult 1");
  EXPECT_TRUE(reader->damage(kLeaseTime).empty());
}

TEST_F(FileStoreSegments, AFlippedFrameHeaderByteLosesOneResultAndIsReported) {
  const std::string segment = three_results_in_a_segment();
  // Read from its frames: without its index file (segment_index_file.hpp).
  ASSERT_EQ(index_files(*fs_).size(), 1u);
  ASSERT_EQ(fs_->unlink(index_files(*fs_).begin()->first), 0);
  std::string content = fs_->files().at(segment);
  content[kSecondFrame + 9] ^= 0x01;  // its length
  replace_file(*fs_, segment, content);
  auto reader = worker();
  EXPECT_EQ(reader->get(task(0)), value_of(0));
  EXPECT_FALSE(reader->contains(task(1))) << "computed again, never read";
  EXPECT_EQ(reader->get(task(2)), value_of(2));
  const std::vector<std::string> damage = reader->damage(kLeaseTime);
  ASSERT_EQ(damage.size(), 1u);
  EXPECT_NE(damage[0].find("damaged"), std::string::npos) << damage[0];
  EXPECT_NE(damage[0].find(segment), std::string::npos) << damage[0];
}

TEST_F(FileStoreSegments, ASealedSegmentIsReadFromItsIndexFileWhileItMatches) {
  const std::string segment = three_results_in_a_segment();
  const auto indexes = index_files(*fs_);
  ASSERT_EQ(indexes.size(), 1u);
  const std::string index = indexes.begin()->first;
  EXPECT_EQ(index, kRoot + "/segments/index." + segment.substr(segment.rfind('/') + 1));
  // Every result's frame header damaged (not the seal): only the index
  // tells where the records are, and they are read from there (each
  // checks itself), and packed from there.
  std::string content = fs_->files().at(segment);
  const std::size_t seal = content.size() - segment::kFrameHeaderSize;
  for (std::size_t at = content.find("JUGF"); at < seal; at = content.find("JUGF", at + 1)) {
    content[at] = 'X';
  }
  replace_file(*fs_, segment, content);
  {
    auto reader = worker();
    for (int i = 0; i < 3; ++i) EXPECT_EQ(reader->get(task(i)), value_of(i));
  }
  const std::string packed_away = fs_->files().at(segment);
  const std::string good_index = fs_->files().at(index);
  worker()->put(task(9), value_of(9));  // a second segment: both are packed
  worker()->pack(kLeaseTime);
  EXPECT_FALSE(fs_->files().contains(segment));
  {
    auto reader = worker();
    for (int i = 0; i < 3; ++i) EXPECT_EQ(reader->get(task(i)), value_of(i));
    EXPECT_EQ(reader->get(task(9)), value_of(9));
  }
  // The damaged segment back as it was, for what follows.
  for (const auto& [path, bytes] : segment_files(*fs_)) ASSERT_EQ(fs_->unlink(path), 0);
  for (const auto& [path, bytes] : index_files(*fs_)) ASSERT_EQ(fs_->unlink(path), 0);
  FileHandle restored;
  ASSERT_EQ(fs_->create_exclusive(segment, &restored), 0);
  std::size_t written = 0;
  ASSERT_EQ(fs_->write(restored, packed_away, &written), 0);
  fs_->close(restored);
  ASSERT_EQ(fs_->create_exclusive(index, &restored), 0);
  ASSERT_EQ(fs_->write(restored, good_index, &written), 0);
  fs_->close(restored);
  {
    auto reader = worker();
    for (int i = 0; i < 3; ++i) EXPECT_EQ(reader->get(task(i)), value_of(i));
  }
  // An index whose checksum fails, or that is not of a segment of this
  // size, is not believed: the segment is read instead, and the damaged
  // frames in it hold no result.
  ASSERT_GT(good_index.size(), 40u);
  std::string damaged_index = good_index;
  damaged_index[40] ^= 0x01;
  for (const std::string& bad : {damaged_index, std::string("jug-cpp segment index 1\n")}) {
    replace_file(*fs_, index, bad);
    auto reader = worker();
    for (int i = 0; i < 3; ++i) EXPECT_FALSE(reader->contains(task(i)));
  }
  replace_file(*fs_, index, good_index);
  replace_file(*fs_, segment, content + "more");
  EXPECT_FALSE(worker()->contains(task(0)));
}

TEST_F(FileStoreSegments, PackWritesTheIndexOfItsSegmentsAndRemovesThoseOfWhatItDeletes) {
  for (int w = 0; w < 3; ++w) {
    auto store = worker();
    for (int i = 10 * w; i < 10 * w + 10; ++i) store->put(task(i), value_of(i));
  }
  ASSERT_EQ(index_files(*fs_).size(), 3u);
  // One left by a pack that died before it deleted it.
  const std::string orphan = kRoot + "/segments/index.seg.1.2.3.4";
  FileHandle file;
  ASSERT_EQ(fs_->create_exclusive(orphan, &file), 0);
  fs_->close(file);
  worker()->pack(kLeaseTime);
  const auto segments = segment_files(*fs_);
  const auto indexes = index_files(*fs_);
  ASSERT_EQ(segments.size(), 1u);
  ASSERT_EQ(indexes.size(), 1u);
  EXPECT_EQ(indexes.begin()->first,
            kRoot + "/segments/index." + segments.begin()->first.substr(kRoot.size() + 10));
  auto reader = worker();
  for (int i = 0; i < 30; ++i) EXPECT_EQ(reader->get(task(i)), value_of(i));
}

TEST_F(FileStoreSegments, AFailedAppendLeavesTheSegmentUsable) {
  const auto faulty = std::make_shared<FaultyFileSystem>(fs_);
  {
    FileStore store(kRoot, faulty, FileStore::SmallResults::in_segments);
    store.put(task(1), "one");
    faulty->shorten_write(0);
    store.put(task(2), "two");  // short writes are completed
    faulty->fail(0, ENOSPC, Call::write);
    EXPECT_THROW(store.put(task(3), "three"), StoreError);
    faulty->heal();
    store.put(task(4), "four");
  }
  auto reader = worker();
  EXPECT_EQ(reader->get(task(1)), "one");
  EXPECT_EQ(reader->get(task(2)), "two");
  EXPECT_FALSE(reader->contains(task(3)));
  EXPECT_EQ(reader->get(task(4)), "four");
  EXPECT_TRUE(reader->damage(kLeaseTime).empty()) << "the failed frame was cut off";
}

TEST_F(FileStoreSegments, PackGathersFilesAndSegmentsAndDropsWhatWasRemoved) {
  {
    FileStore files(kRoot, fs_, FileStore::SmallResults::in_files);
    for (int i = 0; i < 10; ++i) files.put(task(i), value_of(i));
  }
  // Format 2 with small result files in it: as a pack killed before it
  // deleted the files it copied leaves it.
  replace_file(*fs_, kRoot + "/jugdata-format", std::string(FileStore::kSegmentsFormatLine));
  for (int w = 0; w < 3; ++w) {
    auto store = worker();
    for (int i = 10 + 10 * w; i < 20 + 10 * w; ++i) store->put(task(i), value_of(i));
  }
  {
    auto remover = worker();
    EXPECT_TRUE(remover->remove(task(3)));   // a file
    EXPECT_TRUE(remover->remove(task(15)));  // in a segment
  }
  ASSERT_EQ(files_in(*fs_, "results").size(), 9u);
  ASSERT_EQ(segment_files(*fs_).size(), 4u);
  FileStore::PackSummary packed;
  {
    auto packer = worker();
    packed = packer->pack(kLeaseTime);
  }
  EXPECT_EQ(packed.results, 38u);
  EXPECT_EQ(packed.result_files, 9u);
  EXPECT_EQ(packed.segments, 4u);
  EXPECT_EQ(packed.segments_in_use, 0u);
  EXPECT_TRUE(files_in(*fs_, "results").empty());
  EXPECT_EQ(segment_files(*fs_).size(), 1u);
  auto reader = worker();
  EXPECT_EQ(reader->list().size(), 38u);
  for (int i = 0; i < 40; ++i) {
    if (i == 3 || i == 15) {
      EXPECT_FALSE(reader->contains(task(i))) << i;
    } else {
      EXPECT_EQ(reader->get(task(i)), value_of(i)) << i;
    }
  }
  EXPECT_FALSE(fs_->files().contains(kRoot + "/locks/" + TaskHash::of("jug pack").hex() + ".lock"));
}

TEST_F(FileStoreSegments, PackKeepsEachOfResultsThatShareAPutId) {
  // A put id is a millisecond and 20 random bits: a worker storing
  // thousands of results a millisecond draws one twice now and then, for
  // two tasks. Pack took such a copy for one already made, and lost it.
  for (int w = 0; w < 2; ++w) {
    auto store = worker();
    for (int i = 2 * w; i < 2 * w + 2; ++i) store->put(task(i), value_of(i));
  }
  for (const auto& [path, content] : segment_files(*fs_)) {
    std::string same_ids(segment::kFileHeader);
    std::string_view rest = std::string_view(content).substr(same_ids.size());
    while (!rest.empty()) {
      segment::FrameRead frame = segment::read_frame(rest);
      ASSERT_EQ(frame.state, segment::FrameState::whole);
      frame.header.put_id = 42;
      segment::append_frame(same_ids, frame.header, frame.body);
      rest.remove_prefix(frame.size);
    }
    replace_file(*fs_, path, same_ids);
  }
  // (Else read, with the put ids they were written with.)
  for (const auto& [path, content] : index_files(*fs_)) ASSERT_EQ(fs_->unlink(path), 0);
  EXPECT_EQ(worker()->pack(kLeaseTime).results, 4u);
  EXPECT_EQ(segment_files(*fs_).size(), 1u);
  auto reader = worker();
  for (int i = 0; i < 4; ++i) EXPECT_EQ(reader->get(task(i)), value_of(i)) << i;
}

TEST_F(FileStoreSegments, PackLeavesSegmentsInUseAndARemovalOfTheirsStands) {
  auto running = worker();  // a worker still appending
  running->put(task(1), "one");
  running->put(task(2), "two");
  {
    auto remover = worker();
    EXPECT_TRUE(remover->remove(task(1)));
  }
  const FileStore::PackSummary packed = worker()->pack(kLeaseTime);
  EXPECT_EQ(packed.segments_in_use, 1u);
  EXPECT_EQ(packed.segments, 1u) << "the remover's";
  auto reader = worker();
  EXPECT_FALSE(reader->contains(task(1))) << "its removal was kept";
  EXPECT_EQ(reader->get(task(2)), "two");
  running->put(task(3), "three");
  EXPECT_EQ(reader->get(task(3)), "three");
}

// A removal frame whose header was damaged after its segment's index file
// was written: the index file still says what it removes, and a pack
// copies it from there (dropped, it would bring the result back).
TEST_F(FileStoreSegments, ARemovalWhoseHeaderWasDamagedSinceItsIndexFileStandsThroughAPack) {
  auto running = worker();  // a worker still appending: its segment is not packed
  running->put(task(1), "one");
  running->put(task(2), "two");
  std::set<std::string> before;
  for (const auto& [path, bytes] : segment_files(*fs_)) before.insert(path);
  {
    auto remover = worker();
    EXPECT_TRUE(remover->remove(task(1)));
  }
  std::string removals;
  for (const auto& [path, bytes] : segment_files(*fs_)) {
    if (!before.contains(path)) removals = path;
  }
  ASSERT_FALSE(removals.empty());
  ASSERT_EQ(index_files(*fs_).count(kRoot + "/segments/index." +
                                    removals.substr(removals.rfind('/') + 1)),
            1u);
  std::string content = fs_->files().at(removals);
  const std::size_t removal = content.find("JUGF");
  ASSERT_EQ(removal, segment::kFileHeader.size());
  content[removal] = 'X';
  replace_file(*fs_, removals, content);
  EXPECT_FALSE(worker()->contains(task(1))) << "read from the index file";

  const FileStore::PackSummary packed = worker()->pack(kLeaseTime);
  EXPECT_EQ(packed.segments, 1u) << "the remover's";
  EXPECT_FALSE(fs_->files().contains(removals));
  auto reader = worker();
  EXPECT_FALSE(reader->contains(task(1))) << "its removal was copied";
  EXPECT_EQ(reader->get(task(2)), "two");
}

TEST_F(FileStoreSegments, AReaderOfASegmentPackedAwayFindsTheCopy) {
  {
    auto store = worker();
    store->put(task(1), "one");
  }
  auto reader = worker();
  ASSERT_TRUE(reader->contains(task(1)));  // indexed in the old segment
  worker()->pack(kLeaseTime);
  EXPECT_EQ(reader->get(task(1)), "one");
  EXPECT_TRUE(reader->remove(task(1)));
  EXPECT_FALSE(worker()->contains(task(1)));
}

TEST_F(FileStoreSegments, OnePackAtATime) {
  auto first = worker();
  ASSERT_TRUE(first->acquire(TaskHash::of("jug pack"), LeaseOwner::self()));
  // No task's lease: cleanup (which breaks the leases of tasks not in its
  // graph) and status do not see it.
  EXPECT_TRUE(first->list_leases().empty());
  try {
    worker()->pack(kLeaseTime);
    ADD_FAILURE() << "packed beside another pack";
  } catch (const StoreError& e) {
    EXPECT_NE(std::string(e.what()).find("another jug pack"), std::string::npos) << e.what();
  }
}

TEST_F(FileStoreSegments, APackCutShortAtAnyDeletionBringsNoRemovedResultBack) {
  for (std::size_t failing = 0; failing < 4; ++failing) {
    SCOPED_TRACE("the deletion that fails: " + std::to_string(failing));
    fs_ = std::make_shared<MemoryFileSystem>();
    for (int w = 0; w < 2; ++w) {
      auto store = worker();
      for (int i = 10 * w; i < 10 * w + 10; ++i) store->put(task(i), value_of(i));
    }
    {
      auto remover = worker();  // its removals in a segment of their own
      EXPECT_TRUE(remover->remove(task(3)));
      EXPECT_TRUE(remover->remove(task(13)));
    }
    // The removals' segment (the smallest) is deleted first: listed first.
    std::string removals;
    for (const auto& [path, content] : segment_files(*fs_)) {
      if (removals.empty() || content.size() < fs_->files().at(removals).size()) removals = path;
    }
    ASSERT_EQ(fs_->rename(removals, kRoot + "/segments/seg.0"), 0);
    const auto faulty = std::make_shared<FaultyFileSystem>(fs_);
    {
      FileStore packer(kRoot, faulty);
      faulty->fail(failing, EIO, Call::unlink);
      try {
        packer.pack(kLeaseTime);
      } catch (const StoreError&) {
        // What was deleted before the failure is deleted.
      }
      faulty->heal();
    }
    // Its process is gone (the failed unlink may have been its lease's).
    if (const auto lease = worker()->lease(TaskHash::of("jug pack"))) {
      worker()->break_lease(*lease);
    }
    auto reader = worker();
    for (int i = 0; i < 20; ++i) {
      if (i == 3 || i == 13) {
        EXPECT_FALSE(reader->contains(task(i))) << i << " came back";
      } else {
        EXPECT_EQ(reader->get(task(i)), value_of(i)) << i;
      }
    }
    // A pack that goes through afterwards drops the removals too.
    worker()->pack(kLeaseTime);
    EXPECT_EQ(worker()->list().size(), 18u);
  }
}

TEST_F(FileStoreSegments, ASegmentCutShorterWhileReadIsReadToItsNewEnd) {
  {
    auto writer = worker();
    writer->put(task(1), "one");
    writer->put(task(2), "two");
  }
  // The same segment, unsealed, held open by its "writer" (this test).
  const std::string segment = segment_files(*fs_).begin()->first;
  std::string content = fs_->files().at(segment);
  content.resize(content.size() - segment::kFrameHeaderSize);
  ASSERT_EQ(fs_->unlink(segment), 0);
  FileHandle file;
  ASSERT_EQ(fs_->create_exclusive(segment, &file), 0);
  std::size_t written = 0;
  ASSERT_EQ(fs_->write(file, content, &written), 0);
  const std::size_t first_end =
      segment::kFileHeader.size() + segment::kFrameHeaderSize + std::string("one").size();
  const auto faulty = std::make_shared<FaultyFileSystem>(fs_);
  FileStore reader(kRoot, faulty);
  // Between the reader's look at the segment's size and its read, the
  // writer cuts off a frame it failed to append.
  faulty->before(0, Call::read, [&] { ASSERT_EQ(fs_->truncate(file, first_end), 0); });
  EXPECT_TRUE(reader.contains(task(1)));
  EXPECT_FALSE(reader.contains(task(2)));
  fs_->close(file);
}

}  // namespace
}  // namespace jug::store_test
