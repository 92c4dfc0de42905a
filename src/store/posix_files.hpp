#pragma once
/// The POSIX file operations the file store is made of, with EINTR handled
/// and every failure thrown as an IoError naming the path. Kept apart from
/// the store so that each of its parts (results, leases, failures) reads as
/// store logic, not system calls.

#include <dirent.h>
#include <sys/types.h>

#include <cerrno>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <utility>

#include <unistd.h>

namespace jug::posix {

/// A failed system call: the errno and the path it was about. The helpers
/// below throw it; each public method turns it into a StoreError that says
/// which task, what went wrong and what to do.
struct IoError {
  int err;
  std::string path;
};

/// Throws the current errno; `path` is taken by reference so that nothing
/// (an allocation) runs between the failed call and the read of errno.
[[noreturn]] inline void throw_io(const std::string& path) {
  const int err = errno;
  throw IoError{err, path};
}

/// Owns a file descriptor; close() reports the error that NFS may only give
/// at close time (a deferred ENOSPC or EDQUOT).
class FileDescriptor {
 public:
  explicit FileDescriptor(int fd) : fd_(fd) {}
  FileDescriptor(const FileDescriptor&) = delete;
  FileDescriptor& operator=(const FileDescriptor&) = delete;
  ~FileDescriptor() {
    if (fd_ >= 0) ::close(fd_);
  }
  int get() const { return fd_; }
  explicit operator bool() const { return fd_ >= 0; }
  /// Closes now; returns 0 or the errno of a failed close. An EINTR counts as
  /// a failure: on NFS the data may not have reached the server.
  int close() {
    const int result = ::close(fd_);
    fd_ = -1;
    return result == 0 ? 0 : errno;
  }

 private:
  int fd_;
};

/// Owns an open directory stream.
class Directory {
 public:
  explicit Directory(DIR* dir) : dir_(dir) {}
  Directory(Directory&& other) noexcept : dir_(std::exchange(other.dir_, nullptr)) {}
  Directory& operator=(Directory&&) = delete;
  ~Directory() {
    if (dir_ != nullptr) ::closedir(dir_);
  }
  explicit operator bool() const { return dir_ != nullptr; }
  int fd() const { return ::dirfd(dir_); }
  /// The next entry, or nullptr at the end; throws IoError when reading fails.
  const dirent* next(const std::string& path) {
    errno = 0;
    const dirent* entry = ::readdir(dir_);
    if (entry == nullptr && errno != 0) throw_io(path);
    return entry;
  }

 private:
  DIR* dir_;
};

/// open(2) with O_CLOEXEC, retried on EINTR; returns -1 with errno set.
int open_file(const std::string& path, int flags, mode_t mode = 0);
/// openat(2) with O_CLOEXEC, retried on EINTR; returns -1 with errno set.
int open_in(int directory_fd, const char* name, int flags);
/// Opens `path` for listing; an empty Directory when it does not exist.
Directory open_directory(const std::string& path);
/// Opens the subdirectory `name` of an open directory; an empty Directory
/// when it vanished or is not a directory.
Directory open_subdirectory(const Directory& parent, const char* name, const std::string& path);

void write_all(int fd, std::string_view data, const std::string& path);
/// Reads an open file to its end.
std::string read_all(int fd, const std::string& path);
/// The whole content of a file, or nullopt when it does not exist.
std::optional<std::string> read_file(const std::string& path);
/// mkdir -p: creates `dir` and any missing parents. Another process creating
/// the same directory at the same moment is fine (EEXIST).
void make_directories(const std::string& dir);
std::string parent_of(const std::string& path);

/// A number that makes temp names unique across threads and hosts (the pid
/// in the name separates forked processes, which inherit this state).
std::uint64_t random_number();

}  // namespace jug::posix
