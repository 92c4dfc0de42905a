/// Big records in the file store (issue 16): written to the file as they are
/// encoded and read from it in pieces. What a user moving a 10 GB array
/// through a pipeline relies on: the result read is the one stored, even
/// when it is invalidated or replaced while being read; a failing disk is
/// an error naming the task, never a value; a full disk leaves nothing.
/// The crash and fault sweeps (file_store_operations.cpp) cover "put a big
/// result over an old one" at every file system call.

#include <gtest/gtest.h>

#include <cstring>
#include <memory>
#include <optional>
#include <random>
#include <string>
#include <vector>

#include "codec/record.hpp"
#include "jug/codec.hpp"
#include "jug/errors.hpp"
#include "store/file_store.hpp"
#include "unit/store/faulty_file_system.hpp"
#include "unit/store/file_store_operations.hpp"
#include "unit/store/memory_file_system.hpp"
#include "unit/store/store_test_support.hpp"

namespace jug::store_test {
namespace {

constexpr std::string_view kType = "std::vector<double>";

class FileStoreBigRecords : public ::testing::Test {
 protected:
  void SetUp() override { record::set_big_record_size(64 * 1024); }
  void TearDown() override { record::set_big_record_size(0); }
};

std::vector<double> doubles(std::size_t n, unsigned seed) {
  std::mt19937_64 rng(seed);
  std::vector<double> v(n);
  for (double& x : v) x = static_cast<double>(rng() >> 11);
  return v;
}

RecordBytes big_record(const TaskHash& hash, const std::vector<double>& value) {
  RecordBytes record =
      record::make(hash, kType, [&value](OutputArchive& ar) { ar(value); });
  EXPECT_FALSE(record.whole()) << "not a big record";
  return record;
}

std::vector<double> read_from(RecordSource& source, const TaskHash& hash) {
  std::vector<double> value;
  record::read(source, hash, kType,
               [&value](InputArchive& ar) { value = decode_from<std::vector<double>>(ar); });
  return value;
}

TEST_F(FileStoreBigRecords, ARecordReadWhileItIsInvalidatedAndReplacedIsReadWhole) {
  TempDirectory dir;
  FileStore store(dir.path());
  const TaskHash t = task(1);
  const std::vector<double> first = doubles(300'000, 1), second = doubles(300'000, 2);
  store.put(t, big_record(t, first));
  const std::unique_ptr<RecordSource> reading = store.open_record(t);
  ASSERT_TRUE(reading);
  // jug invalidate, then another worker computes it again (another value:
  // the code changed), all while the first reader is still at it.
  ASSERT_TRUE(store.remove(t));
  store.put(t, big_record(t, second));
  EXPECT_EQ(read_from(*reading, t), first) << "the record as it was when opened";
  const std::unique_ptr<RecordSource> after = store.open_record(t);
  ASSERT_TRUE(after);
  EXPECT_EQ(read_from(*after, t), second);
}

TEST_F(FileStoreBigRecords, AReadFailingHalfWayIsAStoreErrorNamingTheTask) {
  const auto memory = std::make_shared<MemoryFileSystem>();
  const TaskHash t = task(2);
  {
    FileStore store(kStoreRoot, memory);
    store.put(t, big_record(t, doubles(100'000, 3)));
  }
  const auto faulty = std::make_shared<FaultyFileSystem>(memory);
  FileStore store(kStoreRoot, faulty);
  const std::unique_ptr<RecordSource> source = store.open_record(t);
  ASSERT_TRUE(source);
  faulty->fail(2, EIO, Call::read);  // the header and a first piece read
  try {
    (void)read_from(*source, t);
    FAIL() << "read a value through a failing disk";
  } catch (const StoreError& e) {
    const std::string message = e.what();
    EXPECT_NE(message.find("cannot read the result of task " + t.hex()), std::string::npos)
        << message;
    EXPECT_NE(message.find(std::strerror(EIO)), std::string::npos) << message;
  }
}

TEST_F(FileStoreBigRecords, AFullDiskHalfWayLeavesNoResultAndNoTemporaryFile) {
  const auto memory = std::make_shared<MemoryFileSystem>();
  const auto faulty = std::make_shared<FaultyFileSystem>(memory);
  FileStore store(kStoreRoot, faulty);
  const TaskHash t = task(3);
  const std::vector<double> value = doubles(400'000, 4);
  faulty->fail(1, ENOSPC, Call::write);  // the header's place written, not the payload
  EXPECT_THROW(store.put(t, big_record(t, value)), StoreError);
  EXPECT_FALSE(store.contains(t));
  for (const auto& [path, content] : memory->files()) {
    EXPECT_EQ(path.find("/tmp/"), std::string::npos) << "a temporary file was left: " << path;
  }
  faulty->heal();
  store.put(t, big_record(t, value));
  const std::unique_ptr<RecordSource> source = store.open_record(t);
  ASSERT_TRUE(source);
  EXPECT_EQ(read_from(*source, t), value);
}

}  // namespace
}  // namespace jug::store_test
