/// The crash model of MemoryFileSystem: what a power loss may keep of what
/// was and was not synced, and that a process crash keeps everything.

#include "unit/store/memory_file_system.hpp"

#include <gtest/gtest.h>

#include <cerrno>
#include <set>

namespace jug::store_test {
namespace {

using Files = std::map<std::string, std::string>;

void write_file(FileSystem& fs, const std::string& path, std::string_view content) {
  FileHandle file;
  ASSERT_EQ(fs.create_exclusive(path, &file), 0);
  std::size_t written = 0;
  ASSERT_EQ(fs.write(file, content, &written), 0);
  ASSERT_EQ(written, content.size());
  ASSERT_EQ(fs.close(file), 0);
}

void sync(FileSystem& fs) {
  DirectoryHandle root;
  ASSERT_EQ(fs.open_directory("/", &root), 0);
  EXPECT_EQ(fs.sync_filesystem(root), 0);
  fs.close_directory(root);
}

/// What every outcome of a power loss leaves of `fs`'s files.
std::set<Files> every_outcome(const MemoryFileSystem& fs) {
  std::set<Files> outcomes;
  EveryOutcome walk;
  do {
    const auto crashed = fs.copy();
    crashed->power_loss(walk.choice());
    outcomes.insert(crashed->files());
  } while (walk.next());
  return outcomes;
}

TEST(MemoryFileSystem, ASyncedFileSurvivesPowerLoss) {
  MemoryFileSystem fs;
  ASSERT_EQ(fs.make_directory("/d"), 0);
  write_file(fs, "/d/a", "synced");
  sync(fs);
  EXPECT_EQ(every_outcome(fs), (std::set<Files>{{{"/d/a", "synced"}}}));
}

TEST(MemoryFileSystem, AnUnsyncedRenameMayBeForgotten) {
  MemoryFileSystem fs;
  write_file(fs, "/a", "x");
  sync(fs);
  ASSERT_EQ(fs.rename("/a", "/b"), 0);
  EXPECT_EQ(every_outcome(fs), (std::set<Files>{{{"/a", "x"}}, {{"/b", "x"}}}));
}

TEST(MemoryFileSystem, AnUnsyncedWriteMayBeLostTornOrZeros) {
  MemoryFileSystem fs;
  write_file(fs, "/a", "hello world");
  EXPECT_EQ(every_outcome(fs), (std::set<Files>{{},
                                                {{"/a", ""}},
                                                {{"/a", "hello"}},
                                                {{"/a", std::string(11, '\0')}},
                                                {{"/a", "hello world"}}}));
}

TEST(MemoryFileSystem, DataAddedAfterASyncKeepsTheSyncedPart) {
  MemoryFileSystem fs;
  FileHandle file;
  ASSERT_EQ(fs.create_exclusive("/log", &file), 0);
  std::size_t written = 0;
  ASSERT_EQ(fs.write(file, "first;", &written), 0);
  sync(fs);
  ASSERT_EQ(fs.write(file, "second", &written), 0);
  for (const Files& files : every_outcome(fs)) {
    ASSERT_EQ(files.size(), 1u);
    EXPECT_TRUE(files.at("/log").starts_with("first;")) << files.at("/log");
  }
}

TEST(MemoryFileSystem, ALaterNameChangeNeverSurvivesAnEarlierOneLost) {
  MemoryFileSystem fs;
  write_file(fs, "/a", "");
  write_file(fs, "/b", "");
  for (const Files& files : every_outcome(fs)) {
    EXPECT_FALSE(files.contains("/b") && !files.contains("/a"));
  }
}

TEST(MemoryFileSystem, AnUnsyncedUnlinkMayBeForgotten) {
  MemoryFileSystem fs;
  write_file(fs, "/a", "x");
  sync(fs);
  ASSERT_EQ(fs.unlink("/a"), 0);
  EXPECT_EQ(every_outcome(fs), (std::set<Files>{{}, {{"/a", "x"}}}));
}

TEST(MemoryFileSystem, AProcessCrashKeepsEverythingAndClosesFiles) {
  MemoryFileSystem fs;
  write_file(fs, "/a", "x");
  sync(fs);
  write_file(fs, "/b", "unsynced");
  ASSERT_EQ(fs.rename("/a", "/c"), 0);
  FileHandle open;
  ASSERT_EQ(fs.open_for_reading("/b", &open), 0);
  fs.process_crash();
  EXPECT_EQ(fs.files(), (Files{{"/b", "unsynced"}, {"/c", "x"}}));
  char buffer[4];
  std::size_t got = 0;
  EXPECT_EQ(fs.read(open, buffer, &got), EBADF);
  // Still unsynced: a power loss now may lose it.
  EXPECT_GT(fs.unsynced_name_changes(), 0u);
}

TEST(MemoryFileSystem, TheSameSeedLosesTheSameThings) {
  MemoryFileSystem fs;
  for (int i = 0; i < 8; ++i) write_file(fs, "/f" + std::to_string(i), "content");
  const auto once = fs.copy(), twice = fs.copy();
  once->power_loss(seeded_outcome(42));
  twice->power_loss(seeded_outcome(42));
  EXPECT_EQ(once->files(), twice->files());
}

TEST(MemoryFileSystem, AfterAPowerLossWhatIsLeftIsDurable) {
  MemoryFileSystem fs;
  write_file(fs, "/a", "x");
  fs.power_loss([](std::size_t options) { return options - 1; });
  const Files left = fs.files();
  EXPECT_EQ(fs.unsynced_name_changes(), 0u);
  EXPECT_EQ(every_outcome(fs), std::set<Files>{left});
}

TEST(MemoryFileSystem, ItsStateGoesThroughBytesWhole) {
  MemoryFileSystem fs;
  ASSERT_EQ(fs.make_directory("/d"), 0);
  write_file(fs, "/d/a", "synced");
  sync(fs);
  write_file(fs, "/d/b", "unsynced");
  ASSERT_EQ(fs.rename("/d/a", "/d/c"), 0);
  ASSERT_EQ(fs.unlink("/d/b"), 0);
  const auto read_back = MemoryFileSystem::deserialize(fs.serialize());
  EXPECT_EQ(read_back->files(), fs.files());
  EXPECT_TRUE(read_back->is_directory("/d"));
  EXPECT_EQ(read_back->unsynced_name_changes(), fs.unsynced_name_changes());
  // What was and was not synced came along: every power loss goes the same.
  EXPECT_EQ(every_outcome(*read_back), every_outcome(fs));
  FileStatus before, after;
  ASSERT_EQ(fs.status("/d/c", &before), 0);
  ASSERT_EQ(read_back->status("/d/c", &after), 0);
  EXPECT_EQ(after.modified, before.modified);
  // New files do not take the numbers of old ones.
  write_file(*read_back, "/d/e", "new");
  EXPECT_EQ(read_back->files().at("/d/c"), "synced");
}

TEST(MemoryFileSystem, TimePassingAgesEveryFile) {
  MemoryFileSystem fs;
  write_file(fs, "/a", "x");
  FileStatus before, after;
  ASSERT_EQ(fs.status("/a", &before), 0);
  fs.let_time_pass(std::chrono::seconds(11));
  ASSERT_EQ(fs.status("/a", &after), 0);
  EXPECT_EQ(before.modified - after.modified, std::chrono::seconds(11));
}

TEST(MemoryFileSystem, ErrorsAreThePosixOnes) {
  MemoryFileSystem fs;
  FileHandle file;
  EXPECT_EQ(fs.open_for_reading("/missing", &file), ENOENT);
  EXPECT_EQ(fs.create_exclusive("/no/dir", &file), ENOENT);
  write_file(fs, "/a", "x");
  EXPECT_EQ(fs.create_exclusive("/a", &file), EEXIST);
  EXPECT_EQ(fs.create_exclusive("/a/b", &file), ENOTDIR);
  EXPECT_EQ(fs.make_directory("/a"), EEXIST);
  EXPECT_EQ(fs.unlink("/missing"), ENOENT);
  EXPECT_EQ(fs.rename("/missing", "/b"), ENOENT);
  EXPECT_EQ(fs.link("/a", "/a"), EEXIST);
  DirectoryHandle dir;
  EXPECT_EQ(fs.open_directory("/a", &dir), ENOTDIR);
  EXPECT_EQ(fs.open_directory("/missing", &dir), ENOENT);
}

TEST(MemoryFileSystem, ListsADirectoryWithItsTypes) {
  MemoryFileSystem fs;
  ASSERT_EQ(fs.make_directory("/d"), 0);
  ASSERT_EQ(fs.make_directory("/d/sub"), 0);
  write_file(fs, "/d/file", "");
  write_file(fs, "/d/sub/deeper", "");
  write_file(fs, "/d-beside", "");
  DirectoryHandle dir;
  ASSERT_EQ(fs.open_directory("/d", &dir), 0);
  std::set<std::pair<std::string, FileType>> entries;
  DirectoryEntry entry;
  while (fs.next_entry(dir, &entry) == 0 && entry.name != nullptr) {
    entries.emplace(entry.name, entry.type);
  }
  fs.close_directory(dir);
  EXPECT_EQ(entries, (std::set<std::pair<std::string, FileType>>{{".", FileType::directory},
                                                                  {"..", FileType::directory},
                                                                  {"file", FileType::regular},
                                                                  {"sub", FileType::directory}}));
}

}  // namespace
}  // namespace jug::store_test
