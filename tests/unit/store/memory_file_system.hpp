#pragma once
/// MemoryFileSystem: a FileSystem in memory, for tests, that can lose power.
///
/// It keeps, of every file's data and of every directory entry, what a sync
/// (syncfs) made durable and what was done since. A process crash keeps all
/// of it: the kernel's page cache outlives the process. A power loss keeps
/// what was synced and, of the rest, only what the file systems we run on
/// may keep (POSIX promises nothing of unsynced data):
///
/// - changes of names (create, mkdir, rename, unlink, link) survive as a
///   prefix of their order since the sync: ext4's and XFS's journals commit
///   them in order, so a later rename never survives an earlier one lost;
/// - each file's unsynced data survives whole, not at all, cut short, or as
///   zeros of the right size (delayed allocation: the size reached the disk
///   and the data did not), independently of the names and of other files.
///
/// Where a power loss has a choice, it asks a CrashChoice, so that a test
/// can walk every outcome (EveryOutcome) or draw many (SeededOutcome).
/// Modification times are not rolled back: a lease renewed just before the
/// cut stays renewed.
///
/// Paths are absolute and normal (no "//", ".", ".."), as the file store
/// makes them; "/" always exists. Symbolic links are not modelled.

#include <chrono>
#include <cstdint>
#include <functional>
#include <map>
#include <memory>
#include <mutex>
#include <random>
#include <string>
#include <string_view>
#include <vector>

#include "store/file_system.hpp"

namespace jug::store_test {

/// Picks one of `options` ways (0 to options - 1) a power loss may go.
using CrashChoice = std::function<std::size_t(std::size_t options)>;

class MemoryFileSystem final : public FileSystem {
 public:
  MemoryFileSystem();
  /// The same files, names and unsynced changes; no open files.
  std::shared_ptr<MemoryFileSystem> copy() const;

  /// The process using the file system died: its open files and listings
  /// are closed; everything it wrote stays, synced or not.
  void process_crash();
  /// The machine lost power: of what was not synced, keeps what `choose`
  /// picks (see the header); then everything is durable, as after a reboot.
  void power_loss(const CrashChoice& choose);
  /// How many changes of names were made since the last sync.
  std::size_t unsynced_name_changes() const;
  /// Time passes before the next process looks: every modification time
  /// moves `elapsed` into the past (as the store's clock, which reads the
  /// time of a new file, moves on).
  void let_time_pass(std::chrono::system_clock::duration elapsed);

  /// What copy() carries over, as bytes: a test that runs the store in a
  /// forked child process (which then dies) sends them back to its parent,
  /// which reads them with deserialize (memory_file_system_snapshot.cpp).
  std::string serialize() const;
  static std::shared_ptr<MemoryFileSystem> deserialize(std::string_view bytes);

  /// Every regular file, by path, with its content.
  std::map<std::string, std::string> files() const;
  /// Whether `path` is a directory.
  bool is_directory(const std::string& path) const;

  Errno open_for_reading(const std::string& path, FileHandle* file) override;
  Errno open_for_reading_in(DirectoryHandle directory, const char* name,
                            FileHandle* file) override;
  Errno create_exclusive(const std::string& path, FileHandle* file) override;
  Errno read(FileHandle file, std::span<char> buffer, std::size_t* got) override;
  Errno write(FileHandle file, std::string_view data, std::size_t* written) override;
  Errno write_at(FileHandle file, std::uint64_t offset, std::string_view data,
                 std::size_t* written) override;
  Errno seek(FileHandle file, std::uint64_t offset) override;
  /// A copy of the file's bytes as they are now (published records never
  /// change, so a copy shows what a mapping would).
  Errno map_read_only(FileHandle file, std::uint64_t size,
                      std::shared_ptr<const FileMapping>* mapping) override;
  Errno status_of(FileHandle file, FileStatus* status) override;
  Errno touch(FileHandle file) override;
  Errno set_modified(FileHandle file, std::chrono::system_clock::time_point when) override;
  Errno truncate(FileHandle file, std::uint64_t size) override;
  Errno sync_data(FileHandle file) override;
  Errno close(FileHandle file) override;
  Errno status(const std::string& path, FileStatus* status) override;
  Errno link_status(const std::string& path, FileStatus* status) override;
  Errno exists(const std::string& path) override;
  Errno rename(const std::string& from, const std::string& to) override;
  Errno unlink(const std::string& path) override;
  Errno link(const std::string& existing, const std::string& new_path) override;
  Errno make_directory(const std::string& path) override;
  Errno open_directory(const std::string& path, DirectoryHandle* directory) override;
  Errno open_directory_in(DirectoryHandle parent, const char* name,
                          DirectoryHandle* directory) override;
  Errno next_entry(DirectoryHandle directory, DirectoryEntry* entry) override;
  void close_directory(DirectoryHandle directory) override;
  Errno sync_filesystem(DirectoryHandle directory) override;
  /// Not supported: the store polls.
  std::unique_ptr<DirectoryWatch> watch_directory(const std::string& directory) override;

 private:
  using InodeNumber = std::uint64_t;
  struct Inode {
    InodeNumber number = 0;
    bool directory = false;
    /// What readers see now, and what a power loss keeps for sure.
    std::string data;
    std::string synced_data;
    std::chrono::system_clock::time_point modified;
  };
  /// A change of names not yet synced, replayed on the synced names when a
  /// power loss keeps it.
  struct NameChange {
    enum class Kind { add, rename, remove } kind;
    std::string path;
    /// rename: the new name.
    std::string to;
    /// add: the inode the name is given to.
    InodeNumber inode = 0;
  };
  /// Everything a copy or a power loss carries over.
  struct State {
    std::map<InodeNumber, Inode> inodes;
    InodeNumber next_inode = 1;
    /// Every name, and the names as the last sync left them.
    std::map<std::string, InodeNumber> names;
    std::map<std::string, InodeNumber> synced_names;
    std::vector<NameChange> unsynced;
  };
  struct OpenedFile {
    InodeNumber inode;
    bool writable;
    std::size_t offset = 0;
  };
  struct Listing {
    std::string path;
    /// Taken when the listing is opened; "." and ".." first.
    std::vector<std::pair<std::string, FileType>> entries;
    std::size_t next = 0;
  };

  /// The inode at `path`, or nullptr.
  Inode* find(const std::string& path);
  /// 0 when `path` may be given a new name: its parent is a directory and
  /// nothing has the name.
  Errno check_new_name(const std::string& path) const;
  void add_name(const std::string& path, InodeNumber inode);
  InodeNumber new_inode(bool directory);
  /// Writes `data` at `at` of the inode, which grows as needed.
  void write_inode(InodeNumber number, std::size_t at, std::string_view data);
  /// Opens the inode at `path` into `file`.
  Errno open_inode(const std::string& path, bool writable, FileHandle* file);
  Errno open_listing(const std::string& path, DirectoryHandle* directory);
  static FileStatus status_of_inode(const Inode& inode);

  mutable std::mutex mutex_;
  State state_;
  std::map<int, OpenedFile> files_;
  int next_file_ = 3;
  std::map<std::uintptr_t, Listing> listings_;
  std::uintptr_t next_listing_ = 1;
};

/// Walks every outcome of a power loss, depth first: run the crash with
/// choose(), check, next(), until next() says false.
class EveryOutcome {
 public:
  /// As this walk says: where it has not been yet, the first way.
  std::size_t choose(std::size_t options);
  /// Moves on to the next outcome not yet walked; false when none is left.
  bool next();
  CrashChoice choice() {
    return [this](std::size_t options) { return choose(options); };
  }

 private:
  struct Step {
    std::size_t chosen;
    std::size_t options;
  };
  std::vector<Step> steps_;
  std::size_t depth_ = 0;
};

/// Outcomes drawn at random, the same ones for the same seed.
inline CrashChoice seeded_outcome(std::uint64_t seed) {
  auto engine = std::make_shared<std::mt19937_64>(seed);
  return [engine](std::size_t options) {
    return std::uniform_int_distribution<std::size_t>(0, options - 1)(*engine);
  };
}

}  // namespace jug::store_test
