#pragma once
/// Helpers shared by the store tests: a scratch directory per test, task
/// hashes, and a look at which files a directory holds.

#include <stdlib.h>

#include <algorithm>
#include <filesystem>
#include <fstream>
#include <iterator>
#include <stdexcept>
#include <string>
#include <string_view>
#include <vector>

#include <gtest/gtest.h>

#include "jug/task_hash.hpp"
#include "store/file_system.hpp"

namespace jug::store_test {

/// Writes a whole file through `fs`, making its directory: what a writer
/// that died left there.
inline void plant_file(FileSystem& fs, const std::string& path, std::string_view content) {
  (void)fs.make_directory(path.substr(0, path.rfind('/')));
  FileHandle file;
  ASSERT_EQ(fs.create_exclusive(path, &file), 0) << path;
  std::size_t written = 0;
  ASSERT_EQ(fs.write(file, content, &written), 0) << path;
  ASSERT_EQ(written, content.size()) << path;
  ASSERT_EQ(fs.close(file), 0) << path;
}

/// A fresh directory under /tmp, removed with everything in it at the end.
class TempDirectory {
 public:
  TempDirectory() {
    char name[] = "/tmp/jug-store-test-XXXXXX";
    if (::mkdtemp(name) == nullptr) throw std::runtime_error("mkdtemp failed under /tmp");
    path_ = name;
  }
  TempDirectory(const TempDirectory&) = delete;
  TempDirectory& operator=(const TempDirectory&) = delete;
  ~TempDirectory() {
    std::error_code ignored;
    std::filesystem::remove_all(path_, ignored);
  }
  const std::string& path() const { return path_; }

 private:
  std::string path_;
};

/// The hash of the i-th test task: distinct, and spread over all fan-out
/// directories like real ones.
inline TaskHash task(int i) { return TaskHash::of("store test task " + std::to_string(i)); }

inline std::vector<TaskHash> tasks(int count) {
  std::vector<TaskHash> hashes;
  hashes.reserve(static_cast<std::size_t>(count));
  for (int i = 0; i < count; ++i) hashes.push_back(task(i));
  return hashes;
}

inline std::string read_whole_file(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  return std::string(std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>());
}

inline void write_whole_file(const std::string& path, const std::string& content) {
  std::ofstream(path, std::ios::binary) << content;
}

/// Every regular file under `dir` (recursively), as paths relative to it.
inline std::vector<std::string> files_under(const std::string& dir) {
  std::vector<std::string> files;
  if (!std::filesystem::exists(dir)) return files;
  for (const auto& entry : std::filesystem::recursive_directory_iterator(dir)) {
    if (entry.is_regular_file()) {
      files.push_back(std::filesystem::relative(entry.path(), dir).string());
    }
  }
  return files;
}

/// The names directly in `dir`.
inline std::vector<std::string> entries_of(const std::string& dir) {
  std::vector<std::string> names;
  for (const auto& entry : std::filesystem::directory_iterator(dir)) {
    names.push_back(entry.path().filename().string());
  }
  std::sort(names.begin(), names.end());
  return names;
}

}  // namespace jug::store_test
