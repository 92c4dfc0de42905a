#include "store/file_store.hpp"

#include <dirent.h>
#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <functional>
#include <array>
#include <atomic>
#include <cerrno>
#include <charconv>
#include <cstring>
#include <exception>
#include <filesystem>
#include <random>
#include <system_error>
#include <thread>
#include <utility>

#include <fmt/format.h>

#include "engine/hash_index.hpp"
#include "engine/hex.hpp"
#include "jug/errors.hpp"
#include "store/file_names.hpp"
#include "store/file_store_errors.hpp"
#include "store/posix_files.hpp"
#include "store/writer_tag.hpp"

namespace jug {

using namespace posix;

namespace {

// ---- the format file ---------------------------------------------------------

/// Refuses a `jugdata-format` other than ours, saying which format it is.
void check_format(const std::string& content, const std::string& root) {
  if (content == FileStore::kFormatLine) return;
  constexpr std::string_view kPrefix = "jug-cpp file store ";
  std::string_view first_line = std::string_view(content).substr(0, content.find('\n'));
  if (first_line.starts_with(kPrefix)) {
    first_line.remove_prefix(kPrefix.size());
    throw StoreError(fmt::format(
        "{} holds a jug-cpp file store of format {}, but this jug reads format 1: use the jug "
        "that wrote it, or pass another --jugdir.",
        root, first_line));
  }
  throw StoreError(fmt::format(
      "{}/jugdata-format says \"{}\", not \"jug-cpp file store 1\": this directory is not a store "
      "this jug can read (it reads format 1). Pass another --jugdir.",
      root, first_line.substr(0, 80)));
}

std::string absolute_path(const std::string& directory) {
  if (directory.empty()) {
    throw StoreError("The store directory (--jugdir) is empty: pass the path of a directory.");
  }
  std::error_code ec;
  std::string path = std::filesystem::absolute(directory, ec).lexically_normal().string();
  if (ec) {
    throw StoreError(
        fmt::format("cannot find the absolute path of the store directory {}: {}. "
                    "Pass an absolute --jugdir.",
                    directory, ec.message()));
  }
  while (path.size() > 1 && path.back() == '/') path.pop_back();
  return path;
}

// ---- listing results ----------------------------------------------------------

/// A fan-out directory `results/<name>`: the first byte of its hashes.
struct FanOut {
  char name[3];
  std::uint8_t first_byte;
};

std::optional<FanOut> fan_out_of(const dirent& entry) {
  const char* name = entry.d_name;
  FanOut fan_out{};
  if (name[0] == '\0' || name[1] == '\0' || name[2] != '\0' ||
      !decode_hex(name, &fan_out.first_byte, 1)) {
    return std::nullopt;
  }
  if (entry.d_type != DT_DIR && entry.d_type != DT_UNKNOWN) return std::nullopt;
  std::memcpy(fan_out.name, name, sizeof fan_out.name);
  return fan_out;
}

/// Called with each stored hash, and the number of the thread that found it.
using ResultSink = std::function<void(std::size_t worker, const TaskHash&)>;

/// Passes the hashes of the results in one fan-out directory to `sink`;
/// returns how many there were.
std::size_t scan_fan_out(const Directory& results, const std::string& results_path,
                         const FanOut& fan_out, std::size_t worker, const ResultSink& sink) {
  constexpr std::size_t kNameSize = 2 * TaskHash::kSize - 2;  // the digits after the fan-out
  const std::string path = results_path + "/" + fan_out.name;
  Directory dir = open_subdirectory(results, fan_out.name, path);
  if (!dir) return 0;
  std::size_t found = 0;
  while (const dirent* entry = dir.next(path)) {
    if (entry->d_type == DT_DIR) continue;
    const char* name = entry->d_name;
    if (std::strlen(name) != kNameSize) continue;
    TaskHash hash;
    hash.bytes[0] = fan_out.first_byte;
    if (!decode_hex(name, hash.bytes.data() + 1, TaskHash::kSize - 1)) continue;
    sink(worker, hash);
    ++found;
  }
  return found;
}

/// From this many results on, fan-out directories are read in parallel.
constexpr std::size_t kParallelListThreshold = 10'000;

/// How many threads scan_fan_outs uses for `expected` results.
std::size_t scan_workers(std::size_t expected) {
  return expected < kParallelListThreshold
             ? 1
             : std::clamp<std::size_t>(std::thread::hardware_concurrency(), 1, 4);
}

/// Reads every fan-out directory. Nearly all the time goes to the kernel
/// reading directories (ext4 hashes every name), so a large store is read
/// by several threads, each taking the next unread directory. `prepare` is
/// told the number of threads and the results expected before they start.
void scan_fan_outs(const Directory& results, const std::string& results_path,
                   const std::vector<FanOut>& fan_outs,
                   const std::function<void(std::size_t workers, std::size_t expected)>& prepare,
                   const ResultSink& sink) {
  if (fan_outs.empty()) return;
  // The first directory is read before the threads start, by worker 0.
  // Hashes spread evenly over the fan-out directories: it tells how many
  // results to expect.
  std::vector<TaskHash> first;
  scan_fan_out(results, results_path, fan_outs[0], 0,
               [&first](std::size_t, const TaskHash& h) { first.push_back(h); });
  const std::size_t expected = first.size() * fan_outs.size() * 9 / 8 + 16;
  const std::size_t workers = scan_workers(expected);
  prepare(workers, expected);
  for (const TaskHash& h : first) sink(0, h);
  std::vector<std::exception_ptr> errors(workers);
  std::atomic<std::size_t> next{1};
  const auto work = [&](std::size_t worker) {
    try {
      for (std::size_t i; (i = next++) < fan_outs.size();) {
        scan_fan_out(results, results_path, fan_outs[i], worker, sink);
      }
    } catch (...) {
      errors[worker] = std::current_exception();
      next = fan_outs.size();  // the others stop early
    }
  };
  {
    std::vector<std::jthread> helpers;
    try {
      for (std::size_t worker = 1; worker < workers; ++worker) helpers.emplace_back(work, worker);
    } catch (const std::system_error&) {
      // No thread to be had: this thread lists whatever the others do not.
    }
    work(0);
  }  // joins the helpers
  for (const auto& error : errors) {
    if (error) std::rethrow_exception(error);
  }
}

}  // namespace

// ---- construction and paths -----------------------------------------------------

FileStore::FileStore(const std::string& directory) : root_(absolute_path(directory)) {
  check_existing_directory();
}

void FileStore::check_existing_directory() const {
  try {
    struct stat st;
    if (::stat(root_.c_str(), &st) != 0) {
      if (errno == ENOENT) return;  // made on the first write
      throw_io(root_);
    }
    if (!S_ISDIR(st.st_mode)) {
      throw StoreError(
          fmt::format("The store directory {} is a file, not a directory: pass "
                      "another --jugdir (jug creates the directory when missing).",
                      root_));
    }
    if (auto format = read_file(root_ + "/jugdata-format")) {
      check_format(*format, root_);
      return;
    }
    // No format file: empty, or something else. Python jug keeps each result
    // under a directory named by the first two hex digits of its hash.
    Directory dir = open_directory(root_);
    if (!dir) return;
    while (const dirent* entry = dir.next(root_)) {
      const char* name = entry->d_name;
      if (!is_hex_digit(name[0]) || !is_hex_digit(name[1]) || name[2] != '\0') continue;
      struct stat entry_stat;
      if (::fstatat(dir.fd(), name, &entry_stat, 0) == 0 && S_ISDIR(entry_stat.st_mode)) {
        throw StoreError(fmt::format(
            "{} looks like a store made by Python jug (it has result directories such as {}/), "
            "which this jug cannot read: pass another --jugdir.",
            root_, name));
      }
    }
  } catch (const IoError& e) {
    throw store_error("cannot open the store", e, Access::read, root_);
  }
}

std::string FileStore::describe() const { return "file store at " + root_; }

std::string FileStore::location(const TaskHash& hash) const { return result_path(hash); }

std::string FileStore::result_path(const TaskHash& hash) const {
  const std::string hex = hash.hex();
  std::string path;
  path.reserve(root_.size() + 12 + hex.size());
  path.append(root_).append("/results/").append(hex, 0, 2).append("/").append(hex, 2);
  return path;
}

std::string FileStore::temp_path(const TaskHash& hash) const {
  return fmt::format("{}/tmp/{}", root_, temp_file_name(hash.hex()));
}

void FileStore::create_directory(const std::string& dir) const {
  make_directories(root_);
  const std::string format_path = root_ + "/jugdata-format";
  if (auto format = read_file(format_path)) {
    check_format(*format, root_);
  } else {
    // Written aside and renamed, so that no process ever reads it half
    // written; two processes racing here write the same bytes.
    const std::string temp = fmt::format("{}/{}", root_, temp_file_name(kFormatTempWhat));
    FileDescriptor fd(open_file(temp, O_WRONLY | O_CREAT | O_EXCL, 0666));
    if (!fd) throw_io(temp);
    try {
      write_all(fd.get(), kFormatLine, temp);
      if (const int err = fd.close()) throw IoError{err, temp};
      if (::rename(temp.c_str(), format_path.c_str()) != 0) throw_io(format_path);
    } catch (const IoError&) {
      ::unlink(temp.c_str());
      throw;
    }
  }
  make_directories(dir);
}

// ---- results -----------------------------------------------------------------

int FileStore::create_new_file(const std::string& path, const std::string& directory) const {
  const int fd = open_file(path, O_WRONLY | O_CREAT | O_EXCL, 0666);
  if (fd >= 0 || errno != ENOENT) return fd;
  create_directory(directory);
  return open_file(path, O_WRONLY | O_CREAT | O_EXCL, 0666);
}

void FileStore::publish(const TaskHash& hash, std::string_view data,
                        const std::string& destination) {
  const std::string temp = temp_path(hash);
  const int raw_fd = create_new_file(temp, root_ + "/tmp");
  if (raw_fd < 0) throw_io(temp);
  FileDescriptor fd(raw_fd);
  try {
    write_all(fd.get(), data, temp);
    if (const int err = fd.close()) throw IoError{err, temp};
    // No fsync here: it would cost far more than the write. sync() makes
    // everything durable at once; a record cut short by a power cut fails
    // its checksum instead of passing for a value.
    if (::rename(temp.c_str(), destination.c_str()) != 0) {
      if (errno != ENOENT) throw_io(destination);
      create_directory(parent_of(destination));
      if (::rename(temp.c_str(), destination.c_str()) != 0) throw_io(destination);
    }
  } catch (const IoError&) {
    ::unlink(temp.c_str());
    throw;
  }
}

void FileStore::put(const TaskHash& hash, std::string_view record) {
  try {
    publish(hash, record, result_path(hash));
  } catch (const IoError& e) {
    throw store_error(fmt::format("cannot store the result of task {}", hash.hex()), e,
                      Access::write, root_);
  }
}

std::optional<std::string> FileStore::get(const TaskHash& hash) {
  try {
    return read_file(result_path(hash));
  } catch (const IoError& e) {
    throw store_error(fmt::format("cannot read the result of task {}", hash.hex()), e, Access::read,
                      root_);
  }
}

bool FileStore::contains(const TaskHash& hash) {
  const std::string path = result_path(hash);
  if (::access(path.c_str(), F_OK) == 0) return true;
  if (errno == ENOENT) return false;
  const IoError error{errno, path};
  throw store_error(fmt::format("cannot look for the result of task {}", hash.hex()), error,
                    Access::read, root_);
}

bool FileStore::remove(const TaskHash& hash) {
  const std::string path = result_path(hash);
  if (::unlink(path.c_str()) == 0) return true;
  if (errno == ENOENT) return false;
  const IoError error{errno, path};
  throw store_error(fmt::format("cannot remove the result of task {}", hash.hex()), error,
                    Access::write, root_);
}

void FileStore::scan_results(
    const std::function<void(std::size_t workers, std::size_t expected)>& prepare,
    const std::function<void(std::size_t worker, const TaskHash&)>& sink) {
  const std::string results = root_ + "/results";
  try {
    Directory top = open_directory(results);
    if (!top) return;
    std::vector<FanOut> fan_outs;
    fan_outs.reserve(256);
    while (const dirent* entry = top.next(results)) {
      if (auto fan_out = fan_out_of(*entry)) fan_outs.push_back(*fan_out);
    }
    scan_fan_outs(top, results, fan_outs, prepare, sink);
  } catch (const IoError& e) {
    throw store_error(fmt::format("cannot list the results in {}", root_), e, Access::read, root_);
  }
}

std::vector<TaskHash> FileStore::list() {
  std::vector<std::vector<TaskHash>> parts;
  scan_results(
      [&parts](std::size_t workers, std::size_t expected) {
        parts.resize(workers);
        for (auto& part : parts) part.reserve(expected / workers);
      },
      [&parts](std::size_t worker, const TaskHash& h) { parts[worker].push_back(h); });
  if (parts.size() == 1) return std::move(parts[0]);
  std::vector<TaskHash> hashes;
  std::size_t total = 0;
  for (const auto& part : parts) total += part.size();
  hashes.reserve(total);
  for (const auto& part : parts) hashes.insert(hashes.end(), part.begin(), part.end());
  return hashes;
}

std::vector<bool> FileStore::contains_all(std::span<const TaskHash> hashes) {
  // Few hashes: look each up. Many: one pass over the directories, matching
  // names against an index of the hashes asked about; no list is built.
  constexpr std::size_t kScanThreshold = 2048;
  if (hashes.size() < kScanThreshold) return Store::contains_all(hashes);
  const HashIndex index = HashIndex::of(hashes);
  // One byte per hash, written by whichever thread finds it: a hash lives in
  // one fan-out directory, read by one thread, so no byte is shared.
  std::vector<std::uint8_t> found(hashes.size(), 0);
  scan_results([](std::size_t, std::size_t) {},
               [&](std::size_t, const TaskHash& h) {
                 if (auto i = index.find(h, hashes)) found[*i] = 1;
               });
  return std::vector<bool>(found.begin(), found.end());
}

void FileStore::sync() {
  FileDescriptor fd(open_file(root_, O_RDONLY | O_DIRECTORY));
  if (!fd) {
    if (errno == ENOENT) return;  // nothing written, nothing to make durable
    const IoError error{errno, root_};
    throw store_error(fmt::format("cannot make the results in {} durable", root_), error,
                      Access::read, root_);
  }
  if (::syncfs(fd.get()) == 0) return;
  if (errno == ENOSYS) {
    ::sync();
    return;
  }
  // Since Linux 5.8 syncfs reports write-back errors: some data may be lost.
  const IoError error{errno, root_};
  throw store_error(fmt::format("cannot make the results in {} durable", root_), error,
                    Access::write, root_);
}

}  // namespace jug
