// The file store's failures and crashes: `failed/<hash>` holds the message of
// a task that failed, `crashes/<hash>` one line per worker that died running
// it. Both are published whole (written aside, then renamed).

#include <fmt/format.h>

#include "store/file_names.hpp"
#include "store/file_store.hpp"
#include "store/file_store_errors.hpp"
#include "store/posix_files.hpp"

namespace jug {

using namespace posix;

std::vector<TaskHash> hashes_in(FileSystem& fs, const std::string& directory) {
  std::vector<TaskHash> hashes;
  Directory dir = open_directory(fs, directory);
  if (!dir) return hashes;
  while (const DirectoryEntry* entry = dir.next(directory)) {
    if (const auto hash = hash_of_name(entry->name)) hashes.push_back(*hash);
  }
  return hashes;
}

namespace {

/// The lines of a crash file.
std::vector<std::string> lines_of(std::string_view content) {
  std::vector<std::string> lines;
  while (!content.empty()) {
    const auto newline = content.find('\n');
    lines.emplace_back(content.substr(0, newline));
    if (newline == std::string_view::npos) break;
    content.remove_prefix(newline + 1);
  }
  return lines;
}

}  // namespace

std::string FileStore::failure_path(const TaskHash& hash) const {
  return fmt::format("{}/failed/{}", root_, hash.hex());
}

std::string FileStore::crash_path(const TaskHash& hash) const {
  return fmt::format("{}/crashes/{}", root_, hash.hex());
}

void FileStore::record_failure(const TaskHash& hash, std::string_view message) {
  try {
    publish(hash, message, failure_path(hash));
    note_in_lone_view(LoneNote::failure, hash);
  } catch (const IoError& e) {
    throw store_error(fmt::format("cannot record the failure of task {}", hash.hex()), e,
                      Access::write, root_);
  }
}

std::vector<FailureInfo> FileStore::list_failures() {
  std::vector<FailureInfo> failures;
  const std::string failed = root_ + "/failed";
  try {
    Directory dir = open_directory(*fs_, failed);
    if (!dir) return failures;
    while (const DirectoryEntry* entry = dir.next(failed)) {
      const auto hash = hash_of_name(entry->name);
      if (!hash) continue;
      const std::string path = failed + "/" + entry->name;
      const OpenFile file = open_for_reading_in(dir, entry->name);
      if (!file) {
        if (file.error() == ENOENT) continue;  // cleared since the directory was read
        throw IoError{file.error(), path};
      }
      failures.push_back(FailureInfo{*hash, read_all(file, path)});
    }
  } catch (const IoError& e) {
    throw store_error(fmt::format("cannot list the failures in {}", root_), e, Access::read, root_);
  }
  return failures;
}

std::optional<std::string> FileStore::failure(const TaskHash& hash) {
  const std::string path = failure_path(hash);
  try {
    return read_file(*fs_, path);
  } catch (const IoError& e) {
    throw store_error(fmt::format("cannot read the failure of task {}", hash.hex()), e,
                      Access::read, root_);
  }
}

bool FileStore::clear_failure(const TaskHash& hash) {
  const std::string path = failure_path(hash);
  const Errno err = fs_->unlink(path);
  if (err == 0) return true;
  if (err == ENOENT) return false;
  const IoError error{err, path};
  throw store_error(fmt::format("cannot clear the failure of task {}", hash.hex()), error,
                    Access::write, root_);
}

std::vector<std::string> FileStore::record_crash(const TaskHash& hash, std::string_view what) {
  const std::string path = crash_path(hash);
  try {
    // Read, add a line, publish: only the worker that broke the dead
    // worker's lease records its crash, so two never add at once.
    std::string content = read_file(*fs_, path).value_or("");
    content += crash_line(what);
    content += '\n';
    // Synced first: renamed over the crashes recorded before, unsynced data
    // could come back empty after a power cut, and those would be lost.
    publish(hash, content, path, Durable::before_rename);
    note_in_lone_view(LoneNote::crash, hash);
    return lines_of(content);
  } catch (const IoError& e) {
    throw store_error(fmt::format("cannot record the crash of a worker running task {}", hash.hex()),
                      e, Access::write, root_);
  }
}

std::vector<std::string> FileStore::crashes(const TaskHash& hash) {
  const std::string path = crash_path(hash);
  try {
    return lines_of(read_file(*fs_, path).value_or(""));
  } catch (const IoError& e) {
    throw store_error(fmt::format("cannot read the crashes of task {}", hash.hex()), e,
                      Access::read, root_);
  }
}

std::vector<TaskHash> FileStore::list_crashed() {
  try {
    return hashes_in(*fs_, root_ + "/crashes");
  } catch (const IoError& e) {
    throw store_error(fmt::format("cannot list the crashes in {}", root_), e, Access::read, root_);
  }
}

bool FileStore::clear_crashes(const TaskHash& hash) {
  const std::string path = crash_path(hash);
  const Errno err = fs_->unlink(path);
  if (err == 0) return true;
  if (err == ENOENT) return false;
  const IoError error{err, path};
  throw store_error(fmt::format("cannot clear the crashes of task {}", hash.hex()), error,
                    Access::write, root_);
}

std::string FileStore::last_words_path(const TaskHash& hash) const {
  // Beside the lock: on a shared filesystem a breaker on another host reads
  // it too. Not a name the lease listing takes for a lock.
  std::string path = root_ + "/locks/";  // made for every task run: no fmt
  hash.append_hex(path);
  path.append(kLastWordsSuffix);
  return path;
}

std::optional<std::string> FileStore::take_last_words(const LeaseInfo& broken) {
  const std::string path = last_words_path(broken.hash);
  try {
    const OpenFile file = open_for_reading(*fs_, path);
    if (!file) {
      if (file.error() == ENOENT) return std::nullopt;
      throw IoError{file.error(), path};
    }
    FileStatus st;
    if (const Errno err = fs_->status_of(file.handle(), &st)) throw IoError{err, path};
    std::string words = read_all(file, path);
    if (const Errno err = fs_->unlink(path); err != 0 && err != ENOENT) throw IoError{err, path};
    if (st.modified < broken.renewed) return std::nullopt;
    while (!words.empty() && words.back() == '\n') words.pop_back();
    return words;
  } catch (const IoError& e) {
    throw store_error(
        fmt::format("cannot read how the worker running task {} died", broken.hash.hex()), e,
        Access::read, root_);
  }
}

}  // namespace jug
