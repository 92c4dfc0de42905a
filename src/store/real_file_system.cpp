#include "store/real_file_system.hpp"

#include <dirent.h>
#include <fcntl.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>

#include "store/directory_watch.hpp"

namespace jug {
namespace {

/// errno after a call that returned -1 (or a null pointer).
Errno failed() { return errno; }

FileStatus status_from(const struct stat& st) {
  FileStatus status;
  status.type = S_ISREG(st.st_mode)   ? FileType::regular
                : S_ISDIR(st.st_mode) ? FileType::directory
                                      : FileType::other;
  status.size = static_cast<std::uint64_t>(st.st_size);
  const auto since_epoch =
      std::chrono::seconds(st.st_mtim.tv_sec) + std::chrono::nanoseconds(st.st_mtim.tv_nsec);
  status.modified = std::chrono::system_clock::time_point(
      std::chrono::duration_cast<std::chrono::system_clock::duration>(since_epoch));
  status.identity = FileIdentity{static_cast<std::uint64_t>(st.st_dev),
                                 static_cast<std::uint64_t>(st.st_ino)};
  return status;
}

DIR* stream_of(DirectoryHandle directory) { return reinterpret_cast<DIR*>(directory.value); }

Errno opened(int fd, FileHandle* file) {
  if (fd < 0) return failed();
  file->value = fd;
  return 0;
}

/// A mapping made by mmap, unmapped with it.
class MappedFile final : public FileMapping {
 public:
  MappedFile(const char* data, std::size_t size) : FileMapping({data, size}) {}
  ~MappedFile() override {
    ::munmap(const_cast<char*>(bytes().data()), bytes().size());
  }
  MappedFile(const MappedFile&) = delete;
  MappedFile& operator=(const MappedFile&) = delete;
};

class RealFileSystem final : public FileSystem {
 public:
  Errno open_for_reading(const std::string& path, FileHandle* file) override {
    return opened(::open(path.c_str(), O_RDONLY | O_CLOEXEC), file);
  }

  Errno open_for_reading_in(DirectoryHandle directory, const char* name,
                            FileHandle* file) override {
    return opened(::openat(::dirfd(stream_of(directory)), name, O_RDONLY | O_CLOEXEC), file);
  }

  Errno create_exclusive(const std::string& path, FileHandle* file) override {
    return opened(::open(path.c_str(), O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0666), file);
  }

  Errno read(FileHandle file, std::span<char> buffer, std::size_t* got) override {
    const ssize_t n = ::read(file.value, buffer.data(), buffer.size());
    if (n < 0) return failed();
    *got = static_cast<std::size_t>(n);
    return 0;
  }

  Errno write(FileHandle file, std::string_view data, std::size_t* written) override {
    const ssize_t n = ::write(file.value, data.data(), data.size());
    if (n < 0) return failed();
    *written = static_cast<std::size_t>(n);
    return 0;
  }

  Errno write_at(FileHandle file, std::uint64_t offset, std::string_view data,
                 std::size_t* written) override {
    const ssize_t n =
        ::pwrite(file.value, data.data(), data.size(), static_cast<off_t>(offset));
    if (n < 0) return failed();
    *written = static_cast<std::size_t>(n);
    return 0;
  }

  Errno seek(FileHandle file, std::uint64_t offset) override {
    if (::lseek(file.value, static_cast<off_t>(offset), SEEK_SET) < 0) return failed();
    return 0;
  }

  Errno map_read_only(FileHandle file, std::uint64_t size,
                      std::shared_ptr<const FileMapping>* mapping) override {
    if (size == 0) return EINVAL;
    void* data = ::mmap(nullptr, size, PROT_READ, MAP_SHARED, file.value, 0);
    if (data == MAP_FAILED) return failed();
    // Read front to back, as checking and most tasks do: read ahead more,
    // and let the kernel drop what was read first when memory is short.
    ::madvise(data, size, MADV_SEQUENTIAL);
    *mapping = std::make_shared<const MappedFile>(static_cast<const char*>(data),
                                                  static_cast<std::size_t>(size));
    return 0;
  }

  Errno status_of(FileHandle file, FileStatus* status) override {
    struct stat st;
    if (::fstat(file.value, &st) != 0) return failed();
    *status = status_from(st);
    return 0;
  }

  Errno touch(FileHandle file) override {
    return ::futimens(file.value, nullptr) == 0 ? 0 : failed();
  }

  Errno set_modified(FileHandle file, std::chrono::system_clock::time_point when) override {
    const auto ns =
        std::chrono::duration_cast<std::chrono::nanoseconds>(when.time_since_epoch()).count();
    const timespec times[2] = {{0, UTIME_OMIT},
                               {static_cast<time_t>(ns / 1'000'000'000), ns % 1'000'000'000}};
    return ::futimens(file.value, times) == 0 ? 0 : failed();
  }

  Errno truncate(FileHandle file, std::uint64_t size) override {
    return ::ftruncate(file.value, static_cast<off_t>(size)) == 0 ? 0 : failed();
  }

  Errno sync_data(FileHandle file) override {
    return ::fdatasync(file.value) == 0 ? 0 : failed();
  }
  Errno close(FileHandle file) override { return ::close(file.value) == 0 ? 0 : failed(); }

  Errno status(const std::string& path, FileStatus* status) override {
    struct stat st;
    if (::stat(path.c_str(), &st) != 0) return failed();
    *status = status_from(st);
    return 0;
  }

  Errno link_status(const std::string& path, FileStatus* status) override {
    struct stat st;
    if (::lstat(path.c_str(), &st) != 0) return failed();
    *status = status_from(st);
    return 0;
  }

  Errno exists(const std::string& path) override {
    return ::access(path.c_str(), F_OK) == 0 ? 0 : failed();
  }

  Errno rename(const std::string& from, const std::string& to) override {
    return ::rename(from.c_str(), to.c_str()) == 0 ? 0 : failed();
  }

  Errno unlink(const std::string& path) override {
    return ::unlink(path.c_str()) == 0 ? 0 : failed();
  }

  Errno link(const std::string& existing, const std::string& new_path) override {
    return ::link(existing.c_str(), new_path.c_str()) == 0 ? 0 : failed();
  }

  Errno make_directory(const std::string& path) override {
    return ::mkdir(path.c_str(), 0777) == 0 ? 0 : failed();
  }

  Errno open_directory(const std::string& path, DirectoryHandle* directory) override {
    DIR* stream = ::opendir(path.c_str());
    if (stream == nullptr) return failed();
    directory->value = reinterpret_cast<std::uintptr_t>(stream);
    return 0;
  }

  Errno open_directory_in(DirectoryHandle parent, const char* name,
                          DirectoryHandle* directory) override {
    const int fd = ::openat(::dirfd(stream_of(parent)), name, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
    if (fd < 0) return failed();
    DIR* stream = ::fdopendir(fd);
    if (stream == nullptr) {
      const Errno err = failed();
      ::close(fd);
      return err;
    }
    directory->value = reinterpret_cast<std::uintptr_t>(stream);
    return 0;
  }

  Errno next_entry(DirectoryHandle directory, DirectoryEntry* entry) override {
    errno = 0;
    const dirent* found = ::readdir(stream_of(directory));
    if (found == nullptr) {
      entry->name = nullptr;
      return errno;  // 0 at the end of the listing
    }
    entry->name = found->d_name;
    entry->type = found->d_type == DT_DIR       ? FileType::directory
                  : found->d_type == DT_REG     ? FileType::regular
                  : found->d_type == DT_UNKNOWN ? FileType::unknown
                                                : FileType::other;
    return 0;
  }

  void close_directory(DirectoryHandle directory) override { ::closedir(stream_of(directory)); }

  Errno sync_filesystem(DirectoryHandle directory) override {
    if (::syncfs(::dirfd(stream_of(directory))) == 0) return 0;
    if (errno == ENOSYS) {  // a kernel older than 2.6.39: sync everything
      ::sync();
      return 0;
    }
    return failed();
  }

  std::unique_ptr<DirectoryWatch> watch_directory(const std::string& directory) override {
    return DirectoryWatch::open(directory);
  }
};

}  // namespace

std::shared_ptr<FileSystem> real_file_system() {
  static const std::shared_ptr<FileSystem> real = std::make_shared<RealFileSystem>();
  return real;
}

}  // namespace jug
