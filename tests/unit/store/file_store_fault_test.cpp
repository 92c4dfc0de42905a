/// The file store under injected faults: every file system call a put makes
/// fails in turn (FaultyFileSystem over MemoryFileSystem), and each time the
/// put either fails with a StoreError that says what it was doing, leaving the
/// old result or none and no temporary file, or (a retried EINTR, a short
/// write, a failed close of a file read whole) stores the new result; a retry
/// once the fault is gone always succeeds.

#include <gtest/gtest.h>

#include <cstring>
#include <iostream>
#include <optional>

#include "jug/errors.hpp"
#include "store/file_store.hpp"
#include "unit/store/faulty_file_system.hpp"
#include "unit/store/memory_file_system.hpp"
#include "unit/store/store_test_support.hpp"

namespace jug::store_test {
namespace {

const std::string kRoot = "/jugdir";

struct Fault {
  std::size_t call;
  Errno err;
  std::optional<Call> kind;
  bool short_write = false;
};

std::string describe(const Fault& fault) {
  return fault.short_write ? "a short write " + std::to_string(fault.call)
                           : std::string(std::strerror(fault.err)) + " at call " +
                                 std::to_string(fault.call) + (fault.kind ? " of its kind" : "");
}

class FileStoreFaults : public ::testing::Test {
 protected:
  /// A file system holding `old` (when set) as task 1's result.
  static std::shared_ptr<MemoryFileSystem> store_holding(const std::optional<std::string>& old) {
    auto memory = std::make_shared<MemoryFileSystem>();
    if (old) FileStore(kRoot, memory).put(task(1), *old);
    return memory;
  }

  /// Runs put(task 1, kNew) under `fault` and checks what it leaves.
  void put_under(const Fault& fault, const std::optional<std::string>& old) {
    SCOPED_TRACE(describe(fault) + (old ? " over an old result" : " in a fresh store"));
    const auto memory = store_holding(old);
    const auto faulty = std::make_shared<FaultyFileSystem>(memory);
    FileStore store(kRoot, faulty);
    if (fault.short_write) {
      faulty->shorten_write(fault.call);
    } else {
      faulty->fail(fault.call, fault.err, fault.kind);
    }
    bool stored = true;
    try {
      store.put(task(1), kNew);
    } catch (const StoreError& e) {
      stored = false;
      const std::string message = e.what();
      EXPECT_NE(message.find("cannot store the result of task " + task(1).hex()),
                std::string::npos)
          << message;
      EXPECT_NE(message.find(std::strerror(fault.err)), std::string::npos) << message;
    }
    ASSERT_TRUE(faulty->injected());
    // Only a short write, an EINTR where POSIX allows a retry, an error
    // closing a file only read (the format file, read whole), and one
    // opening the new store's directory for sync() (which tries again, and
    // reports it, when it has something to sync) may pass.
    if (fault.err != EINTR && faulty->injected_into() != Call::close &&
        faulty->injected_into() != Call::list) {
      EXPECT_EQ(stored, fault.short_write);
    }
    faulty->heal();
    // Nothing half visible: the old result or the new, and no temporary file.
    FileStore reader(kRoot, memory);
    EXPECT_EQ(reader.get(task(1)), stored ? std::optional<std::string>(kNew) : old);
    for (const auto& [path, content] : memory->files()) {
      if (path == kRoot + "/jugdata-format") {
        EXPECT_EQ(content, FileStore::kFormatLine);
      } else {
        EXPECT_EQ(path, reader.location(task(1)));
      }
    }
    // Once the fault is gone, a retry succeeds.
    store.put(task(1), kNew);
    EXPECT_EQ(reader.get(task(1)), kNew);
    ++states_;
  }

  /// How many calls put makes, and how many writes.
  static std::pair<std::size_t, std::size_t> count_put(const std::optional<std::string>& old) {
    const auto faulty = std::make_shared<FaultyFileSystem>(store_holding(old));
    FileStore store(kRoot, faulty);
    faulty->heal();
    store.put(task(1), kNew);
    return {faulty->calls(), faulty->calls(Call::write)};
  }

  static inline const std::string kNew = "the new record, long enough to be cut in two";
  std::size_t states_ = 0;
};

TEST_F(FileStoreFaults, PutFailsCleanlyAtEveryCallAndARetrySucceeds) {
  for (const std::optional<std::string>& old :
       {std::optional<std::string>(), std::optional<std::string>("the old record")}) {
    const auto [calls, writes] = count_put(old);
    ASSERT_GT(calls, 3u);
    for (std::size_t call = 0; call < calls; ++call) {
      put_under({call, EIO, std::nullopt}, old);
      put_under({call, EINTR, std::nullopt}, old);
    }
    for (std::size_t write = 0; write < writes; ++write) {
      put_under({write, ENOSPC, Call::write}, old);
      put_under({write, EDQUOT, Call::write}, old);
      put_under({write, 0, Call::write, true}, old);
    }
    // The data may only prove not to fit when the file is closed (NFS).
    put_under({0, ENOSPC, Call::close}, old);
  }
  std::cout << "[ explored ] " << states_ << " faulty states of put\n";
}

}  // namespace
}  // namespace jug::store_test

namespace jug::store_test {
namespace {

// syncfs reports the write-back errors since the descriptor it is given was
// opened (Linux 5.8): sync() must use a directory opened before the first
// write, not one opened at each call.
TEST(FileStoreSync, SyncsThroughTheDirectoryOpenedBeforeTheFirstWrite) {
  for (const bool existing : {false, true}) {
    SCOPED_TRACE(existing ? "a store that exists" : "a fresh store");
    const auto memory = std::make_shared<MemoryFileSystem>();
    if (existing) FileStore(kRoot, memory).put(task(0), "old");
    const auto faulty = std::make_shared<FaultyFileSystem>(memory);
    FileStore store(kRoot, faulty);
    store.put(task(1), "r");
    faulty->heal();  // counts from here
    for (int i = 0; i < 3; ++i) store.sync();
    EXPECT_EQ(faulty->calls(Call::sync), 3u);
    EXPECT_EQ(faulty->calls(Call::list), 0u) << "a directory opened for a sync";
  }
}

TEST(FileStoreSync, AStoreNothingWasWrittenToHasNothingToSync) {
  const auto faulty = std::make_shared<FaultyFileSystem>(std::make_shared<MemoryFileSystem>());
  FileStore store(kRoot, faulty);
  store.sync();
  EXPECT_EQ(faulty->calls(Call::sync), 0u);
}

}  // namespace
}  // namespace jug::store_test
