#pragma once
/// The file operations the file store is made of, over a FileSystem, with
/// EINTR retried where POSIX allows it, short reads and writes completed, and
/// every failure thrown as an IoError naming the path. Kept apart from the
/// store so that each of its parts (results, leases, failures) reads as
/// store logic, not system calls.

#include <cerrno>
#include <cstdint>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <utility>

#include "store/file_system.hpp"

namespace jug::posix {

/// A failed system call: the errno and the path it was about. The helpers
/// below throw it; each public method turns it into a StoreError that says
/// which task, what went wrong and what to do.
struct IoError {
  int err;
  std::string path;
};

/// A file opened on a FileSystem, closed at the end of its scope; or, when
/// opening failed, the errno of the failure. close() reports the error that
/// NFS may only give at close time (a deferred ENOSPC or EDQUOT).
class OpenFile {
 public:
  /// A failure to open: `error` is its errno.
  explicit OpenFile(Errno error) : error_(error) {}
  OpenFile(FileSystem& fs, FileHandle handle) : fs_(&fs), handle_(handle) {}
  OpenFile(OpenFile&& other) noexcept
      : fs_(std::exchange(other.fs_, nullptr)), handle_(other.handle_), error_(other.error_) {}
  OpenFile& operator=(OpenFile&&) = delete;
  ~OpenFile() {
    if (fs_ != nullptr) fs_->close(handle_);
  }
  explicit operator bool() const { return fs_ != nullptr; }
  /// Why opening failed (0 when the file is open, or was closed).
  Errno error() const { return error_; }
  FileSystem& fs() const { return *fs_; }
  FileHandle handle() const { return handle_; }
  /// Closes now; returns 0 or the errno of a failed close. An EINTR counts as
  /// a failure: on NFS the data may not have reached the server.
  Errno close() { return std::exchange(fs_, nullptr)->close(handle_); }

 private:
  FileSystem* fs_ = nullptr;
  FileHandle handle_{};
  Errno error_ = 0;
};

/// A directory being listed on a FileSystem; empty when it does not exist.
class Directory {
 public:
  Directory() = default;
  Directory(FileSystem& fs, DirectoryHandle handle) : fs_(&fs), handle_(handle) {}
  Directory(Directory&& other) noexcept
      : fs_(std::exchange(other.fs_, nullptr)), handle_(other.handle_) {}
  Directory& operator=(Directory&& other) noexcept {
    if (this != &other) {
      if (fs_ != nullptr) fs_->close_directory(handle_);
      fs_ = std::exchange(other.fs_, nullptr);
      handle_ = other.handle_;
    }
    return *this;
  }
  ~Directory() {
    if (fs_ != nullptr) fs_->close_directory(handle_);
  }
  explicit operator bool() const { return fs_ != nullptr; }
  FileSystem& fs() const { return *fs_; }
  DirectoryHandle handle() const { return handle_; }
  /// The next entry (its name lives until the next call), or nullptr at the
  /// end; throws IoError when reading fails.
  const DirectoryEntry* next(const std::string& path) {
    if (const Errno err = fs_->next_entry(handle_, &entry_)) throw IoError{err, path};
    return entry_.name == nullptr ? nullptr : &entry_;
  }

 private:
  FileSystem* fs_ = nullptr;
  DirectoryHandle handle_{};
  DirectoryEntry entry_{};
};

/// Opens `path` for reading, retrying EINTR.
OpenFile open_for_reading(FileSystem& fs, const std::string& path);
/// Opens the file `name` of a directory being listed, retrying EINTR.
OpenFile open_for_reading_in(const Directory& directory, const char* name);
/// Creates `path` exclusively (O_EXCL), retrying EINTR: EEXIST when it exists.
OpenFile create_exclusive(FileSystem& fs, const std::string& path);
/// Opens `path` for listing; an empty Directory when it does not exist.
Directory open_directory(FileSystem& fs, const std::string& path);
/// Opens the subdirectory `name` of an open directory; an empty Directory
/// when it vanished or is not a directory.
Directory open_subdirectory(const Directory& parent, const char* name, const std::string& path);

/// Writes all of `data`, however many writes it takes.
void write_all(const OpenFile& file, std::string_view data, const std::string& path);
/// Writes all of `data` at `offset` of the file (pwrite), leaving its
/// position where it was.
void write_all_at(const OpenFile& file, std::uint64_t offset, std::string_view data,
                  const std::string& path);
/// Reads into `buffer` from the file's offset on, however many reads it
/// takes, until it is full or the file ends; returns how many bytes.
std::size_t read_into(const OpenFile& file, std::span<char> buffer, const std::string& path);
/// Reads an open file to its end.
std::string read_all(const OpenFile& file, const std::string& path);
/// The whole content of a file, or nullopt when it does not exist.
std::optional<std::string> read_file(FileSystem& fs, const std::string& path);
/// mkdir -p: creates `dir` and any missing parents. Another process creating
/// the same directory at the same moment is fine (EEXIST).
void make_directories(FileSystem& fs, const std::string& dir);
std::string parent_of(const std::string& path);

/// A number that makes temp names unique across threads and hosts (the pid
/// in the name separates forked processes, which inherit this state).
std::uint64_t random_number();

}  // namespace jug::posix
