#include "store/posix_files.hpp"

#include <fcntl.h>
#include <sys/stat.h>

#include <random>

namespace jug::posix {

int open_file(const std::string& path, int flags, mode_t mode) {
  int fd;
  do {
    fd = ::open(path.c_str(), flags | O_CLOEXEC, mode);
  } while (fd < 0 && errno == EINTR);
  return fd;
}

int open_in(int directory_fd, const char* name, int flags) {
  int fd;
  do {
    fd = ::openat(directory_fd, name, flags | O_CLOEXEC);
  } while (fd < 0 && errno == EINTR);
  return fd;
}

Directory open_directory(const std::string& path) {
  Directory dir(::opendir(path.c_str()));
  if (!dir && errno != ENOENT) throw_io(path);
  return dir;
}

Directory open_subdirectory(const Directory& parent, const char* name, const std::string& path) {
  const int fd = open_in(parent.fd(), name, O_RDONLY | O_DIRECTORY);
  if (fd < 0) {
    if (errno == ENOENT || errno == ENOTDIR) return Directory(nullptr);
    throw_io(path);
  }
  Directory dir(::fdopendir(fd));
  if (!dir) {
    const int err = errno;
    ::close(fd);
    throw IoError{err, path};
  }
  return dir;
}

// ---- whole-file reads and writes ---------------------------------------------

void write_all(int fd, std::string_view data, const std::string& path) {
  while (!data.empty()) {
    const ssize_t written = ::write(fd, data.data(), data.size());
    if (written < 0) {
      if (errno == EINTR) continue;
      throw_io(path);
    }
    if (written == 0) throw IoError{EIO, path};  // no progress and no error: never loop forever
    data.remove_prefix(static_cast<std::size_t>(written));
  }
}

std::string read_all(int fd, const std::string& path) {
  struct stat st;
  if (::fstat(fd, &st) != 0) throw_io(path);
  std::string out;
  // Published files never change, so st_size is exact; the loop still stops
  // at an early end of file rather than returning zeros.
  out.resize(static_cast<std::size_t>(st.st_size));
  std::size_t filled = 0;
  while (filled < out.size()) {
    const ssize_t got = ::read(fd, out.data() + filled, out.size() - filled);
    if (got < 0) {
      if (errno == EINTR) continue;
      throw_io(path);
    }
    if (got == 0) break;
    filled += static_cast<std::size_t>(got);
  }
  out.resize(filled);
  return out;
}

std::optional<std::string> read_file(const std::string& path) {
  FileDescriptor fd(open_file(path, O_RDONLY));
  if (!fd) {
    if (errno == ENOENT) return std::nullopt;
    throw_io(path);
  }
  return read_all(fd.get(), path);
}

void make_directories(const std::string& dir) {
  if (::mkdir(dir.c_str(), 0777) == 0 || errno == EEXIST) return;
  if (errno != ENOENT) throw_io(dir);
  const auto slash = dir.rfind('/');
  if (slash == std::string::npos || slash == 0) throw_io(dir);
  make_directories(dir.substr(0, slash));
  if (::mkdir(dir.c_str(), 0777) != 0 && errno != EEXIST) throw_io(dir);
}

std::string parent_of(const std::string& path) { return path.substr(0, path.rfind('/')); }

std::uint64_t random_number() {
  thread_local std::mt19937_64 engine = [] {
    std::random_device device;
    std::seed_seq seed{device(), device(), device(), device()};
    return std::mt19937_64(seed);
  }();
  return engine();
}

}  // namespace jug::posix
