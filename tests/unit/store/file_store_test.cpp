/// What only the file store promises: its on-disk layout of format 1 (a
/// file per result; segments: file_store_segments_test.cpp), that reading
/// creates nothing, that a full disk leaves nothing behind, and that it
/// refuses directories that are not its own.

#include <gtest/gtest.h>
#include <signal.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include <filesystem>
#include <functional>

#include "jug/errors.hpp"
#include "store/file_store.hpp"
#include "unit/store/store_test_support.hpp"

namespace jug::store_test {
namespace {

namespace fs = std::filesystem;

/// The layout of format 1, a file per result, as a new store keeps it when
/// asked to.
constexpr FileStore::SmallResults kFiles = FileStore::SmallResults::in_files;

std::string contains_text(const std::string& haystack, const std::string& needle) {
  return haystack.find(needle) != std::string::npos ? "" : "\"" + needle + "\" not in: " + haystack;
}

/// The message of the StoreError `action` throws, or "" when it throws none.
template <typename Action>
std::string store_error_of(Action action) {
  try {
    action();
  } catch (const StoreError& e) {
    return e.what();
  }
  return "";
}

class FileStoreTest : public ::testing::Test {
 protected:
  TempDirectory scratch_;
  /// Not created yet: the store makes it on its first write.
  std::string root_ = scratch_.path() + "/jugdir";
};

TEST_F(FileStoreTest, WritesTheDocumentedLayout) {
  FileStore store(root_, real_file_system(), kFiles);
  const TaskHash hash = task(1);
  const std::string hex = hash.hex();
  store.put(hash, "the record");
  ASSERT_TRUE(store.acquire(hash, LeaseOwner{"node7", 4242, 1234567890123, "m7"}));
  store.record_failure(hash, "boom");

  EXPECT_EQ(entries_of(root_),
            (std::vector<std::string>{"failed", "jugdata-format", "locks", "results", "tmp"}));
  EXPECT_EQ(read_whole_file(root_ + "/jugdata-format"), "jug-cpp file store 1\n");
  const std::string result = root_ + "/results/" + hex.substr(0, 2) + "/" + hex.substr(2);
  EXPECT_EQ(read_whole_file(result), "the record");
  EXPECT_EQ(read_whole_file(root_ + "/locks/" + hex + ".lock"),
            "jug-lease 1\nmachine=m7\nhost=node7\npid=4242\nstart=1234567890123\n");
  EXPECT_EQ(read_whole_file(root_ + "/failed/" + hex), "boom");
  EXPECT_TRUE(entries_of(root_ + "/tmp").empty());

  EXPECT_EQ(store.location(hash), result);
  EXPECT_EQ(store.describe(), "file store at " + root_);
}

TEST_F(FileStoreTest, NamesItsDirectoryByAbsolutePath) {
  EXPECT_EQ(FileStore(scratch_.path() + "/./jugdir//").describe(), "file store at " + root_);
  EXPECT_EQ(FileStore("relative-jugdir").describe(),
            "file store at " + (fs::current_path() / "relative-jugdir").string());
  EXPECT_FALSE(fs::exists("relative-jugdir"));
}

TEST_F(FileStoreTest, ReadingAMissingStoreCreatesNothing) {
  FileStore store(root_, real_file_system(), kFiles);
  EXPECT_EQ(store.get(task(1)), std::nullopt);
  EXPECT_FALSE(store.contains(task(1)));
  EXPECT_EQ(store.contains_all(tasks(3)), std::vector<bool>(3, false));
  EXPECT_EQ(store.contains_all(tasks(3000)), std::vector<bool>(3000, false));
  EXPECT_TRUE(store.list().empty());
  EXPECT_TRUE(store.list_leases().empty());
  EXPECT_TRUE(store.list_failures().empty());
  EXPECT_TRUE(store.list_users().empty());
  EXPECT_FALSE(store.remove(task(1)));
  EXPECT_FALSE(store.clear_failure(task(1)));
  store.release(task(1), LeaseOwner::self());
  store.sync();
  EXPECT_THROW(store.renew(task(1), LeaseOwner::self()), StoreError);
  EXPECT_FALSE(fs::exists(root_));
}

TEST_F(FileStoreTest, ReadingAnEmptyDirectoryCreatesNothingInIt) {
  fs::create_directory(root_);
  FileStore store(root_, real_file_system(), kFiles);
  EXPECT_TRUE(store.list().empty());
  EXPECT_TRUE(store.list_leases().empty());
  EXPECT_EQ(store.get(task(1)), std::nullopt);
  EXPECT_TRUE(entries_of(root_).empty());
}

TEST_F(FileStoreTest, PutLeavesNoTemporaryFile) {
  FileStore store(root_, real_file_system(), kFiles);
  for (int i = 0; i < 50; ++i) store.put(task(i), "r");
  store.record_failure(task(1), "f");
  EXPECT_TRUE(entries_of(root_ + "/tmp").empty());
  EXPECT_EQ(files_under(root_ + "/results").size(), 50u);
}

TEST_F(FileStoreTest, TwoStoresOnOneDirectorySeeEachOther) {
  FileStore first(root_), second(root_);
  first.put(task(1), "r");
  EXPECT_EQ(second.get(task(1)), "r");
  ASSERT_TRUE(first.acquire(task(2), LeaseOwner{"a", 1, 1, "ma"}));
  EXPECT_FALSE(second.acquire(task(2), LeaseOwner{"b", 2, 2, "mb"}));
  first.record_failure(task(3), "f");
  EXPECT_TRUE(second.clear_failure(task(3)));
}

TEST_F(FileStoreTest, ListSkipsFilesThatAreNotResults) {
  FileStore store(root_, real_file_system(), kFiles);
  store.put(task(1), "r");
  const std::string hex = task(1).hex();
  const std::string fan_out = root_ + "/results/" + hex.substr(0, 2);
  write_whole_file(fan_out + "/notes.txt", "x");
  std::string upper = hex.substr(2);
  for (char& c : upper) c = static_cast<char>(std::toupper(c));
  write_whole_file(fan_out + "/" + upper, "x");
  write_whole_file(fan_out + "/" + hex.substr(2) + ".bak", "x");
  fs::create_directory(fan_out + "/" + std::string(62, 'a'));
  fs::create_directory(root_ + "/results/zz");
  write_whole_file(root_ + "/results/zz/" + std::string(62, 'a'), "x");
  write_whole_file(root_ + "/results/README", "x");
  EXPECT_EQ(store.list(), std::vector<TaskHash>{task(1)});
}

TEST_F(FileStoreTest, NotesEachUserInAFileNamedByItsPath) {
  FileStore store(root_, real_file_system(), kFiles);
  const std::string jugfile = "/home/me/analysis.cpp";
  store.note_user(jugfile);
  const std::string user_file = root_ + "/users/" + TaskHash::of(jugfile).hex();
  EXPECT_EQ(read_whole_file(user_file), jugfile + "\n");
  EXPECT_EQ(read_whole_file(root_ + "/jugdata-format"), "jug-cpp file store 1\n");
  EXPECT_TRUE(entries_of(root_ + "/tmp").empty());

  // Noting it again leaves the file as it is (no write on every execute).
  const auto written = fs::last_write_time(user_file);
  store.note_user(jugfile);
  EXPECT_EQ(fs::last_write_time(user_file), written);

  // Stray files are no users.
  write_whole_file(root_ + "/users/README", "x");
  write_whole_file(root_ + "/users/" + TaskHash::of("x").hex() + ".bak", "/x.cpp\n");
  EXPECT_EQ(store.list_users(), std::vector<std::string>{jugfile});
}

TEST_F(FileStoreTest, ALockBeingWrittenIsListedWithAnEmptyOwner) {
  FileStore store(root_, real_file_system(), kFiles);
  const LeaseOwner owner{"h", 1, 2, "m"};
  ASSERT_TRUE(store.acquire(task(1), owner));
  // What another process's lock looks like between its create and its write.
  write_whole_file(root_ + "/locks/" + task(2).hex() + ".lock", "");
  write_whole_file(root_ + "/locks/" + task(3).hex() + ".lock", "jug-lease 1\nhost=h\npi");
  write_whole_file(root_ + "/locks/not-a-lock.lock", "");
  auto leases = store.list_leases();
  ASSERT_EQ(leases.size(), 3u);
  std::sort(leases.begin(), leases.end(),
            [](const LeaseInfo& a, const LeaseInfo& b) { return a.owner.pid > b.owner.pid; });
  EXPECT_EQ(leases[0].owner, owner);
  EXPECT_EQ(leases[1].owner, LeaseOwner{});
  EXPECT_EQ(leases[2].owner, LeaseOwner{});
  // Such a lock is held all the same.
  EXPECT_FALSE(store.acquire(task(2), owner));
}

TEST_F(FileStoreTest, LastWordsAreTakenOnceAndOnlyFromTheWorkerOfTheBrokenLease) {
  FileStore store(root_, real_file_system(), kFiles);
  const LeaseOwner owner{"h", 1, 2, "m"};
  ASSERT_TRUE(store.acquire(task(1), owner));
  const std::string path = store.last_words_path(task(1));
  EXPECT_EQ(path, root_ + "/locks/" + task(1).hex() + ".lock.died");
  write_whole_file(path, "it died of SIGSEGV (segmentation fault)\n");
  const LeaseInfo seen = store.lease(task(1)).value();
  EXPECT_EQ(store.list_leases().size(), 1u) << "last words are not a lease";
  EXPECT_EQ(store.take_last_words(seen), "it died of SIGSEGV (segmentation fault)");
  EXPECT_FALSE(fs::exists(path));
  EXPECT_EQ(store.take_last_words(seen), std::nullopt);

  // Words older than the lease's last renewal are an earlier worker's.
  write_whole_file(path, "it died of SIGABRT (abort)\n");
  fs::last_write_time(path, fs::last_write_time(path) - std::chrono::hours(1));
  EXPECT_EQ(store.take_last_words(seen), std::nullopt);
  EXPECT_FALSE(fs::exists(path)) << "stale words are removed too";
}

/// Runs `setup` then `action` in a forked child (so that limits and
/// identities it changes stay there); returns the message of the StoreError
/// `action` threw, or a description of what happened instead.
std::string store_error_in_child(const std::function<void()>& setup,
                                 const std::function<void()>& action) {
  int pipe_fds[2];
  if (::pipe(pipe_fds) != 0) return "pipe failed";
  const pid_t child = ::fork();
  if (child < 0) return "fork failed";
  if (child == 0) {
    ::close(pipe_fds[0]);
    setup();
    std::string message = store_error_of(action);
    if (message.empty()) message = "no StoreError";
    [[maybe_unused]] auto ignored = ::write(pipe_fds[1], message.data(), message.size());
    ::_exit(0);
  }
  ::close(pipe_fds[1]);
  std::string message;
  char buffer[512];
  for (ssize_t got; (got = ::read(pipe_fds[0], buffer, sizeof buffer)) > 0;) {
    message.append(buffer, static_cast<std::size_t>(got));
  }
  ::close(pipe_fds[0]);
  int status = 0;
  if (::waitpid(child, &status, 0) != child || !WIFEXITED(status) || WEXITSTATUS(status) != 0) {
    return "the child died: " + message;
  }
  return message;
}

TEST_F(FileStoreTest, AFullDiskDuringPutLeavesNothingVisible) {
  const TaskHash hash = task(1);
  // Under a 4 KiB file size limit the record's first bytes go through, then
  // write() fails with EFBIG, as it fails with ENOSPC on a full disk.
  const std::string message = store_error_in_child(
      [] {
        ::signal(SIGXFSZ, SIG_IGN);
        const rlimit limit{4096, 4096};
        ::setrlimit(RLIMIT_FSIZE, &limit);
      },
      [&] { FileStore(root_, real_file_system(), kFiles).put(hash, std::string(100'000, 'x')); });

  // The message says which task, where, what went wrong and what to do.
  EXPECT_EQ(contains_text(message, hash.hex()), "");
  EXPECT_EQ(contains_text(message, root_ + "/tmp/"), "");
  EXPECT_EQ(contains_text(message, "File too large"), "");
  EXPECT_EQ(contains_text(message, "ulimit"), "");
  EXPECT_EQ(contains_text(message, "then run jug execute again"), "");

  FileStore store(root_, real_file_system(), kFiles);
  EXPECT_FALSE(store.contains(hash));
  EXPECT_TRUE(store.list().empty());
  EXPECT_TRUE(files_under(root_ + "/results").empty());
  EXPECT_TRUE(files_under(root_ + "/tmp").empty());
}

TEST_F(FileStoreTest, AStoreWeMayNotWriteToSaysWhatToDo) {
  FileStore store(root_, real_file_system(), kFiles);
  store.put(task(1), "r");
  // Root may write anywhere, so as root the child writes as nobody (who may
  // enter the scratch directory but write nothing in the store); anyone else
  // loses the right to write to tmp/.
  const bool as_root = ::geteuid() == 0;
  if (as_root) {
    fs::permissions(scratch_.path(), fs::perms::others_exec, fs::perm_options::add);
  } else {
    fs::permissions(root_ + "/tmp", fs::perms::owner_write, fs::perm_options::remove);
  }
  const std::string message = store_error_in_child(
      [as_root] {
        constexpr uid_t kNobody = 65534;
        if (as_root && (::setgid(kNobody) != 0 || ::setuid(kNobody) != 0)) ::_exit(3);
      },
      [&] { FileStore(root_, real_file_system(), kFiles).put(task(2), "r"); });
  if (!as_root) fs::permissions(root_ + "/tmp", fs::perms::owner_write, fs::perm_options::add);

  EXPECT_EQ(contains_text(message, task(2).hex()), "");
  EXPECT_EQ(contains_text(message, "Permission denied"), "");
  EXPECT_EQ(contains_text(message, "Check that you may write to " + root_), "");
  EXPECT_FALSE(store.contains(task(2)));
  EXPECT_TRUE(files_under(root_ + "/tmp").empty());
}

TEST_F(FileStoreTest, RefusesAPythonJugStore) {
  fs::create_directories(root_ + "/3f");
  write_whole_file(root_ + "/3f/" + std::string(62, 'a'), "pickle");
  fs::create_directories(root_ + "/locks");
  const std::string message = store_error_of([&] { FileStore store(root_, real_file_system(), kFiles); });
  EXPECT_EQ(contains_text(message, "Python jug"), "");
  EXPECT_EQ(contains_text(message, "--jugdir"), "");
  EXPECT_EQ(contains_text(message, root_), "");
}

TEST_F(FileStoreTest, RefusesAnotherFormat) {
  fs::create_directories(root_);
  write_whole_file(root_ + "/jugdata-format", "jug-cpp file store 4\n");
  const std::string message = store_error_of([&] { FileStore store(root_, real_file_system(), kFiles); });
  EXPECT_EQ(contains_text(message, "format 4"), "");
  EXPECT_EQ(contains_text(message, "reads formats 1 to 3"), "");

  write_whole_file(root_ + "/jugdata-format", "something else\n");
  const std::string other = store_error_of([&] { FileStore store(root_, real_file_system(), kFiles); });
  EXPECT_EQ(contains_text(other, "something else"), "");
  EXPECT_EQ(contains_text(other, "formats 1 to 3"), "");
}

TEST_F(FileStoreTest, AcceptsADirectoryOfOtherFiles) {
  fs::create_directories(root_ + "/notes");
  write_whole_file(root_ + "/README", "mine");
  FileStore store(root_, real_file_system(), kFiles);
  store.put(task(1), "r");
  EXPECT_EQ(store.get(task(1)), "r");
  EXPECT_EQ(read_whole_file(root_ + "/jugdata-format"), "jug-cpp file store 1\n");
}

// The format file is written once, when the store is made: not again each
// time a result opens a new results/ directory (as it once was, a write and
// a rename for each of the first 256 results).
TEST_F(FileStoreTest, WritesItsFormatFileOnce) {
  FileStore store(root_, real_file_system(), kFiles);
  store.put(task(0), "r");
  struct stat before {};
  ASSERT_EQ(::stat((root_ + "/jugdata-format").c_str(), &before), 0);
  for (int i = 1; i < 40; ++i) store.put(task(i), "r");  // into new directories
  ASSERT_TRUE(store.acquire(task(1), LeaseOwner{"h", 1, 1, "mh"}));
  store.record_failure(task(2), "boom");
  store.note_user("/me/jugfile.cpp");
  struct stat after {};
  ASSERT_EQ(::stat((root_ + "/jugdata-format").c_str(), &after), 0);
  EXPECT_EQ(after.st_ino, before.st_ino) << "written again";
}

// A power cut while the store was made may leave its format file empty,
// zeros (of its size or less), or cut short: taken as missing, not refused.
TEST_F(FileStoreTest, TakesATornFormatFileForAMissingOne) {
  const std::string line(FileStore::kFormatLine);
  for (const std::string& torn :
       {std::string(), std::string(line.size(), '\0'), std::string(5, '\0'), line.substr(0, 8)}) {
    fs::remove_all(root_);
    fs::create_directories(root_);
    write_whole_file(root_ + "/jugdata-format", torn);
    FileStore store(root_, real_file_system(), kFiles);
    store.put(task(1), "r");
    EXPECT_EQ(read_whole_file(root_ + "/jugdata-format"), line);
  }
}

TEST_F(FileStoreTest, RefusesAFileAsItsDirectory) {
  write_whole_file(root_, "not a directory");
  const std::string message = store_error_of([&] { FileStore store(root_, real_file_system(), kFiles); });
  EXPECT_EQ(contains_text(message, "not a directory"), "");
}

TEST_F(FileStoreTest, RecreatesDirectoriesRemovedUnderIt) {
  FileStore store(root_, real_file_system(), kFiles);
  store.put(task(1), "r");
  ASSERT_TRUE(store.acquire(task(1), LeaseOwner{"h", 1, 1, "mh"}));
  fs::remove_all(root_);
  store.put(task(2), "r");
  EXPECT_TRUE(store.acquire(task(1), LeaseOwner{"h", 1, 1, "mh"}));
  EXPECT_EQ(store.list(), std::vector<TaskHash>{task(2)});
  EXPECT_EQ(read_whole_file(root_ + "/jugdata-format"), "jug-cpp file store 1\n");
}

}  // namespace
}  // namespace jug::store_test
