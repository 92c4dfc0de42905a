#pragma once
/// FileSystem: every call the file store makes to the operating system's
/// file system, behind one small interface (the seam of ninja's
/// DiskInterface and LevelDB's Env). The store runs on the real one
/// (real_file_system.hpp); tests run it on one in memory that models a power
/// cut, or on a wrapper that fails the Nth call, to see what the store
/// leaves behind at every step.
///
/// The calls are the POSIX ones the store was written against and keep their
/// meaning, errors included: each returns 0 or the errno of its failure (an
/// Errno), and hands over what it made through a pointer, as LevelDB's Env
/// does with its Status. No call retries EINTR or loops over a short read or
/// write: the callers do (posix_files.hpp), so that a faulty file system can
/// check that they do. Every call may be made by several threads at once.

#include <chrono>
#include <cstddef>
#include <cstdint>
#include <memory>
#include <span>
#include <string>
#include <string_view>

namespace jug {

class DirectoryWatch;

/// 0, or the errno of a failed call (ENOENT, EEXIST, EIO, ENOSPC...).
using Errno = int;

/// An open file: a descriptor on the real file system, a number of its own
/// on another. Plain numbers, so that opening a file allocates nothing.
struct FileHandle {
  int value = -1;
};

/// A file's bytes mapped read-only into memory (a task's view of a big
/// result, docs/codec.md): valid for as long as the object lives, even once
/// the file's name is gone. Reading it reads the file, through the page
/// cache; no memory of the process's own holds it.
class FileMapping {
 public:
  virtual ~FileMapping() = default;
  std::span<const char> bytes() const { return bytes_; }

 protected:
  explicit FileMapping(std::span<const char> bytes) : bytes_(bytes) {}

 private:
  std::span<const char> bytes_;
};

/// An open directory being listed: the real file system's DIR*, another's
/// own number.
struct DirectoryHandle {
  std::uintptr_t value = 0;
};

/// `unknown` only in a directory entry, where the file system may not say
/// (readdir's DT_UNKNOWN).
enum class FileType { unknown, regular, directory, other };

/// Which file a name or a descriptor is: st_dev and st_ino. Not reused by
/// another file while a descriptor of this one is open.
struct FileIdentity {
  std::uint64_t device = 0;
  std::uint64_t inode = 0;
  bool operator==(const FileIdentity&) const = default;
};

/// What the store needs of stat(2): whether a path is a file or a directory,
/// how long a file is, its modification time (a lease's renewal, a
/// temporary file's age), and which file it is.
struct FileStatus {
  FileType type = FileType::other;
  std::uint64_t size = 0;
  std::chrono::system_clock::time_point modified{};
  FileIdentity identity;
};

/// One entry of a directory listing, "." and ".." included. `name` lives
/// until the next call on that listing.
struct DirectoryEntry {
  const char* name = nullptr;
  FileType type = FileType::unknown;
};

class FileSystem {
 public:
  virtual ~FileSystem() = default;

  // ---- files -------------------------------------------------------------
  /// open(path, O_RDONLY): ENOENT when there is no such file.
  virtual Errno open_for_reading(const std::string& path, FileHandle* file) = 0;
  /// openat(directory, name, O_RDONLY): a file met while listing `directory`.
  virtual Errno open_for_reading_in(DirectoryHandle directory, const char* name,
                                    FileHandle* file) = 0;
  /// open(path, O_WRONLY | O_CREAT | O_EXCL, 0666): exactly one of several
  /// creators of one path wins (NFS v3 and later too); the others get EEXIST.
  /// ENOENT when the directory is missing.
  virtual Errno create_exclusive(const std::string& path, FileHandle* file) = 0;
  /// read(2): up to `buffer.size()` bytes at the file's offset, `*got` = 0 at
  /// its end. May read fewer than asked, or fail with EINTR.
  virtual Errno read(FileHandle file, std::span<char> buffer, std::size_t* got) = 0;
  /// write(2) after what was written before. May write fewer bytes than
  /// given (`*written`), or fail with EINTR, ENOSPC, EDQUOT, EFBIG, EIO.
  virtual Errno write(FileHandle file, std::string_view data, std::size_t* written) = 0;
  /// pwrite(2): as write, at `offset`, without moving the file's position
  /// (a file rewritten in place with one call).
  virtual Errno write_at(FileHandle file, std::uint64_t offset, std::string_view data,
                         std::size_t* written) = 0;
  /// lseek(file, offset, SEEK_SET): the next read or write starts at
  /// `offset` (a record's header, written once the rest is; a big record
  /// read from any place).
  virtual Errno seek(FileHandle file, std::uint64_t offset) = 0;
  /// mmap(nullptr, size, PROT_READ, MAP_SHARED, file, 0): the file's first
  /// `size` bytes (size > 0, at most the file's length). Fails with ENODEV
  /// where the file system cannot map files, ENOMEM where the address space
  /// is short. Published records never change, so what the mapping shows
  /// stays what was checked; a file cut shorter meanwhile (which no store
  /// does) would make reading past its end fail (SIGBUS).
  virtual Errno map_read_only(FileHandle file, std::uint64_t size,
                              std::shared_ptr<const FileMapping>* mapping) = 0;
  /// fstat(2).
  virtual Errno status_of(FileHandle file, FileStatus* status) = 0;
  /// futimens(file, nullptr): its modification time becomes now, by the
  /// file system's clock (on NFS, the server's).
  virtual Errno touch(FileHandle file) = 0;
  /// futimens(file, {UTIME_OMIT, when}): its modification time becomes
  /// `when` (a lease converted to another file keeps its last renewal).
  virtual Errno set_modified(FileHandle file, std::chrono::system_clock::time_point when) = 0;
  /// ftruncate(2): the file ends at `size` (a segment's frame cut short by
  /// a failed append, cut off again).
  virtual Errno truncate(FileHandle file, std::uint64_t size) = 0;
  /// fdatasync(2): the file's data survives a power cut once this returns
  /// 0 (its name only once a sync of the file system has).
  virtual Errno sync_data(FileHandle file) = 0;
  /// close(2): the handle is gone whatever it returns. An error (EIO, or the
  /// ENOSPC and EDQUOT that NFS reports only now; EINTR too) means what was
  /// written may be lost. Never retried: the handle may be reused already.
  virtual Errno close(FileHandle file) = 0;

  // ---- names -------------------------------------------------------------
  /// stat(2), following symbolic links.
  virtual Errno status(const std::string& path, FileStatus* status) = 0;
  /// lstat(2): about a symbolic link itself.
  virtual Errno link_status(const std::string& path, FileStatus* status) = 0;
  /// access(path, F_OK): 0 when something is there, ENOENT when nothing is.
  virtual Errno exists(const std::string& path) = 0;
  /// rename(2): atomic; replaces `to` if it exists, so that a reader of `to`
  /// sees the old file or the new one, never neither nor a mix.
  virtual Errno rename(const std::string& from, const std::string& to) = 0;
  virtual Errno unlink(const std::string& path) = 0;
  /// link(2): EEXIST when `new_path` exists (it is never replaced).
  virtual Errno link(const std::string& existing, const std::string& new_path) = 0;
  /// mkdir(path, 0777) of one directory: ENOENT when its parent is missing,
  /// EEXIST when something is there.
  virtual Errno make_directory(const std::string& path) = 0;

  // ---- listing -----------------------------------------------------------
  /// opendir(3): ENOENT when there is no such directory.
  virtual Errno open_directory(const std::string& path, DirectoryHandle* directory) = 0;
  /// openat(parent, name, O_DIRECTORY) and fdopendir(3): a subdirectory met
  /// while listing `parent` (the results scan, one thread per subdirectory).
  /// ENOENT or ENOTDIR when it is gone or is not a directory.
  virtual Errno open_directory_in(DirectoryHandle parent, const char* name,
                                  DirectoryHandle* directory) = 0;
  /// readdir(3): the next entry, or `entry->name` = nullptr at the end.
  /// Entries made or removed during the listing may or may not be seen.
  virtual Errno next_entry(DirectoryHandle directory, DirectoryEntry* entry) = 0;
  virtual void close_directory(DirectoryHandle directory) = 0;

  // ---- durability and change ---------------------------------------------
  /// syncfs(2) of the file system holding `directory`: everything written,
  /// created, renamed and removed on it so far survives a power cut once this
  /// returns 0. Since Linux 5.8 an error means some write-back failed: some
  /// data may be lost.
  virtual Errno sync_filesystem(DirectoryHandle directory) = 0;
  /// Starts watching `directory` (DirectoryWatch::open); nullptr when its
  /// changes cannot be watched here, and the caller polls.
  virtual std::unique_ptr<DirectoryWatch> watch_directory(const std::string& directory) = 0;
};

}  // namespace jug
