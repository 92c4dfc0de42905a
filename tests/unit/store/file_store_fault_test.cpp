/// The file store under injected faults (issue 20): for every operation of
/// file_store_operations.hpp, every file system call it makes fails in turn
/// (FaultyFileSystem over MemoryFileSystem) with each error a disk or a
/// network filesystem gives (EIO, ENOSPC, EDQUOT, EINTR), and every write
/// writes short. Each time:
/// - the operation fails with a StoreError that names what it was doing
///   (the task), the path, the error and what to do about it; or it
///   succeeds (a retried EINTR, a short write written on, an error it may
///   ignore), and then has done all of its job;
/// - what the store shows is the state before or the state after, as the
///   operation's own check says, and no temporary file is left;
/// - once the fault is gone, the operation run again succeeds.

#include <gtest/gtest.h>

#include <unistd.h>

#include <algorithm>
#include <cstring>
#include <iostream>
#include <optional>
#include <string>

#include "jug/errors.hpp"
#include "store/file_store.hpp"
#include "store/writer_tag.hpp"
#include "unit/store/faulty_file_system.hpp"
#include "unit/store/file_store_operations.hpp"
#include "unit/store/memory_file_system.hpp"
#include "unit/store/store_test_support.hpp"

namespace jug::store_test {
namespace {

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

/// The message says what failed, where, why, and what to do:
/// "cannot <doing> ...: <path>: <error>. <advice>".
void expect_clear_message(const std::string& message, const StoreOperation& op, Errno err) {
  EXPECT_TRUE(message.starts_with("cannot ")) << message;
  EXPECT_TRUE(std::any_of(op.error_names.begin(), op.error_names.end(),
                          [&](const std::string& name) { return message.find(name) != std::string::npos; }))
      << message;
  EXPECT_NE(message.find(": " + kStoreRoot), std::string::npos) << "no path: " << message;
  const std::string error = std::strerror(err);
  const std::size_t at = message.find(": " + error + ". ");
  ASSERT_NE(at, std::string::npos) << message;
  const std::string advice = message.substr(at + error.size() + 4);
  EXPECT_GT(advice.size(), 20u) << "no advice: " << message;
}

class FileStoreFaults : public ::testing::TestWithParam<StoreOperation> {
 protected:
  static std::shared_ptr<MemoryFileSystem> prepared(const StoreOperation& op) {
    auto memory = std::make_shared<MemoryFileSystem>();
    FileStore store(kStoreRoot, memory);
    op.prepare(store, *memory);
    return memory;
  }

  /// Runs the operation under `fault` and checks what it leaves.
  void run_under(const StoreOperation& op, const Fault& fault) {
    SCOPED_TRACE(op.name + ": " + describe(fault));
    const auto memory = prepared(op);
    const auto faulty = std::make_shared<FaultyFileSystem>(memory);
    FileStore store(kStoreRoot, faulty);
    if (fault.short_write) {
      faulty->shorten_write(fault.call);
    } else {
      faulty->fail(fault.call, fault.err, fault.kind);
    }
    bool completed = true;
    try {
      op.run(store);
    } catch (const StoreError& e) {
      completed = false;
      expect_clear_message(e.what(), op, fault.err);
    }
    ASSERT_TRUE(faulty->injected());
    faulty->heal();
    {
      FileStore reader(kStoreRoot, memory);
      op.check(reader, Ended{.completed = completed});
    }
    // Nothing half written stays: a failed writer removes its temporary
    // files (those of writers that died are another matter; a dead
    // breaker's file moved aside to be removed is whole; a remover's mark
    // stays until its removals are done, checked below; and a segment is
    // its writer's for the store's life).
    for (const auto& [path, content] : memory->files()) {
      const std::string name = path.substr(path.rfind('/') + 1);
      if (name.starts_with("broken-breaker.") || name.starts_with("removing.") ||
          path.starts_with(kStoreRoot + "/segments/")) {
        continue;
      }
      EXPECT_NE(writer_of_temp_file(name).pid, ::getpid()) << path;
    }
    // Once the fault is gone, the operation goes through.
    if (!completed) op.run(store);
    store.removals_done();
    for (const auto& [path, content] : memory->files()) {
      EXPECT_FALSE(path.starts_with(kStoreRoot + "/removals/removing.")) << path;
    }
    FileStore reader(kStoreRoot, memory);
    op.check(reader, Ended{.completed = true});
    check_usable(reader);
    ++states_;
  }

  /// How many calls the operation makes, and how many writes.
  static std::pair<std::size_t, std::size_t> count_calls(const StoreOperation& op) {
    const auto faulty = std::make_shared<FaultyFileSystem>(prepared(op));
    FileStore store(kStoreRoot, faulty);
    faulty->heal();
    op.run(store);
    return {faulty->calls(), faulty->calls(Call::write)};
  }

  std::size_t states_ = 0;
};

TEST_P(FileStoreFaults, FailCleanlyAtEveryCallAndARetrySucceeds) {
  const StoreOperation& op = GetParam();
  const auto [calls, writes] = count_calls(op);
  ASSERT_GT(calls, 0u);
  for (std::size_t call = 0; call < calls && !HasFatalFailure(); ++call) {
    for (const Errno err : {EIO, ENOSPC, EDQUOT, EINTR}) run_under(op, {call, err, std::nullopt});
  }
  for (std::size_t write = 0; write < writes && !HasFatalFailure(); ++write) {
    run_under(op, {write, 0, Call::write, /*short_write=*/true});
  }
  std::cout << "[ explored ] " << op.name << ": " << calls << " calls, " << states_
            << " faulty states\n";
}

INSTANTIATE_TEST_SUITE_P(Operations, FileStoreFaults, ::testing::ValuesIn(file_store_operations()),
                         [](const ::testing::TestParamInfo<StoreOperation>& info) {
                           return test_name_of(info.param.name);
                         });

// Reading is held to the same standard: a result the store cannot look
// for (a permission, a failing disk) is an error, not "not stored", which
// would run the task again without a word and hide the fault.
TEST(FileStoreReads, AnErrorLookingForAResultIsAnErrorNotAbsence) {
  for (const Errno err : {EIO, EACCES}) {
    SCOPED_TRACE(std::strerror(err));
    const auto memory = std::make_shared<MemoryFileSystem>();
    FileStore(kStoreRoot, memory).put(task(1), "a record");
    const auto faulty = std::make_shared<FaultyFileSystem>(memory);
    FileStore store(kStoreRoot, faulty);
    for (const TaskHash& hash : {task(1), task(2)}) {
      faulty->fail(0, err, Call::status);
      try {
        (void)store.contains(hash);
        ADD_FAILURE() << "an error looking for " << hash.hex() << " read as an answer";
      } catch (const StoreError& e) {
        const std::string message = e.what();
        EXPECT_NE(message.find("cannot look for the result of task " + hash.hex()),
                  std::string::npos) << message;
        EXPECT_NE(message.find(std::strerror(err)), std::string::npos) << message;
      }
      EXPECT_TRUE(faulty->injected());
    }
    faulty->heal();
    EXPECT_TRUE(store.contains(task(1)));
    EXPECT_FALSE(store.contains(task(2)));
  }
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
    if (existing) FileStore(kStoreRoot, memory).put(task(0), "old");
    const auto faulty = std::make_shared<FaultyFileSystem>(memory);
    FileStore store(kStoreRoot, faulty);
    store.put(task(1), "r");
    faulty->heal();  // counts from here
    for (int i = 0; i < 3; ++i) store.sync();
    EXPECT_EQ(faulty->calls(Call::sync), 3u);
    EXPECT_EQ(faulty->calls(Call::list), 0u) << "a directory opened for a sync";
  }
}

TEST(FileStoreSync, AStoreNothingWasWrittenToHasNothingToSync) {
  const auto faulty = std::make_shared<FaultyFileSystem>(std::make_shared<MemoryFileSystem>());
  FileStore store(kStoreRoot, faulty);
  store.sync();
  EXPECT_EQ(faulty->calls(Call::sync), 0u);
}

}  // namespace
}  // namespace jug::store_test
