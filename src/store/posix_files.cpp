#include "store/posix_files.hpp"

#include <random>

namespace jug::posix {

namespace {

/// Runs `open` (which fills `handle`) again while it fails with EINTR.
template <typename Open>
OpenFile opened_file(FileSystem& fs, Open&& open) {
  FileHandle handle;
  Errno err;
  do {
    err = open(&handle);
  } while (err == EINTR);
  return err == 0 ? OpenFile(fs, handle) : OpenFile(err);
}

/// Calls `write` (the rest of `data`, and where to say how much it wrote)
/// until all of `data` is written.
template <typename Write>
void write_all_through(std::string_view data, const std::string& path, Write&& write) {
  std::string_view rest = data;
  while (!rest.empty()) {
    std::size_t written = 0;
    if (const Errno err = write(rest, &written)) {
      if (err == EINTR) continue;
      throw IoError{err, path};
    }
    if (written == 0) throw IoError{EIO, path};  // no progress and no error: never loop forever
    rest.remove_prefix(written);
  }
}

}  // namespace

OpenFile open_for_reading(FileSystem& fs, const std::string& path) {
  return opened_file(fs, [&](FileHandle* file) { return fs.open_for_reading(path, file); });
}

OpenFile open_for_reading_in(const Directory& directory, const char* name) {
  FileSystem& fs = directory.fs();
  return opened_file(fs, [&](FileHandle* file) {
    return fs.open_for_reading_in(directory.handle(), name, file);
  });
}

OpenFile create_exclusive(FileSystem& fs, const std::string& path) {
  return opened_file(fs, [&](FileHandle* file) { return fs.create_exclusive(path, file); });
}

Directory open_directory(FileSystem& fs, const std::string& path) {
  DirectoryHandle handle;
  if (const Errno err = fs.open_directory(path, &handle)) {
    if (err == ENOENT) return Directory();
    throw IoError{err, path};
  }
  return Directory(fs, handle);
}

Directory open_subdirectory(const Directory& parent, const char* name, const std::string& path) {
  FileSystem& fs = parent.fs();
  DirectoryHandle handle;
  Errno err;
  do {
    err = fs.open_directory_in(parent.handle(), name, &handle);
  } while (err == EINTR);
  if (err == 0) return Directory(fs, handle);
  if (err == ENOENT || err == ENOTDIR) return Directory();
  throw IoError{err, path};
}

// ---- whole-file reads and writes ---------------------------------------------

void write_all(const OpenFile& file, std::string_view data, const std::string& path) {
  write_all_through(data, path, [&](std::string_view rest, std::size_t* written) {
    return file.fs().write(file.handle(), rest, written);
  });
}

void write_all_at(const OpenFile& file, std::uint64_t offset, std::string_view data,
                  const std::string& path) {
  write_all_through(data, path, [&](std::string_view rest, std::size_t* written) {
    return file.fs().write_at(file.handle(), offset + (data.size() - rest.size()), rest, written);
  });
}

std::size_t read_into(const OpenFile& file, std::span<char> buffer, const std::string& path) {
  std::size_t filled = 0;
  while (filled < buffer.size()) {
    std::size_t got = 0;
    if (const Errno err = file.fs().read(file.handle(), buffer.subspan(filled), &got)) {
      if (err == EINTR) continue;
      throw IoError{err, path};
    }
    if (got == 0) break;
    filled += got;
  }
  return filled;
}

std::string read_all(const OpenFile& file, const std::string& path) {
  FileStatus status;
  if (const Errno err = file.fs().status_of(file.handle(), &status)) throw IoError{err, path};
  std::string out;
  // Published files never change, so the size is exact; reading still stops
  // at an early end of file rather than returning zeros.
  out.resize(static_cast<std::size_t>(status.size));
  out.resize(read_into(file, out, path));
  return out;
}

std::optional<std::string> read_file(FileSystem& fs, const std::string& path) {
  const OpenFile file = open_for_reading(fs, path);
  if (!file) {
    if (file.error() == ENOENT) return std::nullopt;
    throw IoError{file.error(), path};
  }
  return read_all(file, path);
}

void make_directories(FileSystem& fs, const std::string& dir) {
  Errno err = fs.make_directory(dir);
  if (err == 0 || err == EEXIST) return;
  if (err != ENOENT) throw IoError{err, dir};
  const auto slash = dir.rfind('/');
  if (slash == std::string::npos || slash == 0) throw IoError{err, dir};
  make_directories(fs, dir.substr(0, slash));
  err = fs.make_directory(dir);
  if (err != 0 && err != EEXIST) throw IoError{err, dir};
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
