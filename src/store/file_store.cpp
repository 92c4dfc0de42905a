#include "store/file_store.hpp"

#include "engine/hash_index.hpp"
#include "engine/hex.hpp"

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

#include "jug/errors.hpp"

namespace jug {
namespace {

constexpr std::string_view kLeaseHeader = "jug-lease 1\n";
constexpr std::string_view kLockSuffix = ".lock";

// ---- failed system calls ---------------------------------------------------

/// A failed system call: the errno and the path it was about. The helpers
/// below throw it; each public method turns it into a StoreError that says
/// which task, what went wrong and what to do.
struct IoError {
  int err;
  std::string path;
};

/// Throws the current errno; `path` is taken by reference so that nothing
/// (an allocation) runs between the failed call and the read of errno.
[[noreturn]] void throw_io(const std::string& path) {
  const int err = errno;
  throw IoError{err, path};
}

/// Whether a failure happened while changing the store or only reading it:
/// the advice differs (free space vs. read permissions).
enum class Access { read, write };

std::string advice(int err, Access access, const std::string& root) {
  const bool writing = access == Access::write;
  switch (err) {
    case ENOSPC:
      return fmt::format("Free some space on the filesystem of {}, then run jug execute again.",
                         root);
    case EDQUOT:
      return fmt::format(
          "Your disk quota on the filesystem of {} is used up: free some space (or ask for a "
          "larger quota), then run jug execute again.",
          root);
    case EFBIG:
      return "The file is larger than this process may write (see `ulimit -f`) or than the "
             "filesystem allows: raise the limit or make the result smaller, then run jug execute "
             "again.";
    case EACCES:
    case EPERM:
      return writing ? fmt::format("Check that you may write to {} (its owner and permissions), "
                                   "or pass another --jugdir.",
                                   root)
                     : fmt::format("Check that you may read {} (its owner and permissions).", root);
    case EROFS:
      return fmt::format("The filesystem of {} is read-only: pass a --jugdir on a writable one.",
                         root);
    case ENOTDIR:
    case EEXIST:
      return fmt::format("Something in {} is a file where jug expects a directory: remove it, "
                         "or pass another --jugdir.",
                         root);
    case ENAMETOOLONG:
      return "The path is too long for the filesystem: pass a shorter --jugdir.";
    case EIO:
      return "The storage failed (I/O error): check the disk or the network filesystem, then run "
             "jug again.";
    default:
      return writing
                 ? fmt::format("Check that {} is a directory you can write to, then run jug "
                               "execute again.",
                               root)
                 : fmt::format("Check that {} is a jug store directory you can read.", root);
  }
}

StoreError store_error(std::string_view doing, const IoError& e, Access access,
                       const std::string& root) {
  return StoreError(fmt::format("{}: {}: {}. {}", doing, e.path,
                                std::generic_category().message(e.err),
                                advice(e.err, access, root)));
}

// ---- file descriptors and directories -----------------------------------------

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

int open_file(const std::string& path, int flags, mode_t mode = 0) {
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

/// Opens `path` for listing; an empty Directory when it does not exist.
Directory open_directory(const std::string& path) {
  Directory dir(::opendir(path.c_str()));
  if (!dir && errno != ENOENT) throw_io(path);
  return dir;
}

/// Opens the subdirectory `name` of an open directory; an empty Directory
/// when it vanished or is not a directory.
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

/// Reads an open file to its end.
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

/// The whole content of a file, or nullopt when it does not exist.
std::optional<std::string> read_file(const std::string& path) {
  FileDescriptor fd(open_file(path, O_RDONLY));
  if (!fd) {
    if (errno == ENOENT) return std::nullopt;
    throw_io(path);
  }
  return read_all(fd.get(), path);
}

/// mkdir -p: creates `dir` and any missing parents. Another process creating
/// the same directory at the same moment is fine (EEXIST).
void make_directories(const std::string& dir) {
  if (::mkdir(dir.c_str(), 0777) == 0 || errno == EEXIST) return;
  if (errno != ENOENT) throw_io(dir);
  const auto slash = dir.rfind('/');
  if (slash == std::string::npos || slash == 0) throw_io(dir);
  make_directories(dir.substr(0, slash));
  if (::mkdir(dir.c_str(), 0777) != 0 && errno != EEXIST) throw_io(dir);
}

std::string parent_of(const std::string& path) { return path.substr(0, path.rfind('/')); }

// ---- names -----------------------------------------------------------------

/// A number that makes temp names unique across threads and hosts (the pid
/// in the name separates forked processes, which inherit this state).
std::uint64_t random_number() {
  thread_local std::mt19937_64 engine = [] {
    std::random_device device;
    std::seed_seq seed{device(), device(), device(), device()};
    return std::mt19937_64(seed);
  }();
  return engine();
}

/// The hash a `<64 hex><suffix>` file name stands for, or nullopt.
std::optional<TaskHash> hash_of_name(std::string_view name, std::string_view suffix = {}) {
  if (name.size() != 2 * TaskHash::kSize + suffix.size() || !name.ends_with(suffix)) {
    return std::nullopt;
  }
  return TaskHash::from_hex(name.substr(0, 2 * TaskHash::kSize));
}

std::chrono::system_clock::time_point modification_time(const struct stat& st) {
  const auto since_epoch =
      std::chrono::seconds(st.st_mtim.tv_sec) + std::chrono::nanoseconds(st.st_mtim.tv_nsec);
  return std::chrono::system_clock::time_point(
      std::chrono::duration_cast<std::chrono::system_clock::duration>(since_epoch));
}

// ---- lease files -----------------------------------------------------------

std::string lease_content(const LeaseOwner& owner) {
  return fmt::format("{}host={}\npid={}\nstart={}\n", kLeaseHeader, owner.host, owner.pid,
                     owner.process_start_ns);
}

bool parse_int(std::string_view text, std::int64_t& out) {
  const auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), out);
  return ec == std::errc() && end == text.data() + text.size();
}

/// The owner a lock file names, or nullopt when it is incomplete (being
/// written) or not a lease at all.
std::optional<LeaseOwner> parse_lease(std::string_view content) {
  if (!content.starts_with(kLeaseHeader)) return std::nullopt;
  content.remove_prefix(kLeaseHeader.size());
  LeaseOwner owner;
  bool has_host = false, has_pid = false, has_start = false;
  while (!content.empty()) {
    const auto newline = content.find('\n');
    if (newline == std::string_view::npos) return std::nullopt;  // a line cut short
    const std::string_view line = content.substr(0, newline);
    content.remove_prefix(newline + 1);
    const auto equals = line.find('=');
    if (equals == std::string_view::npos) return std::nullopt;
    const std::string_view key = line.substr(0, equals), value = line.substr(equals + 1);
    if (key == "host") {
      owner.host = std::string(value);
      has_host = true;
    } else if (key == "pid") {
      has_pid = parse_int(value, owner.pid);
    } else if (key == "start") {
      has_start = parse_int(value, owner.process_start_ns);
    }
    // Unknown keys are skipped: a later version may add some.
  }
  if (!has_host || !has_pid || !has_start) return std::nullopt;
  return owner;
}

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

std::string FileStore::lock_path(const TaskHash& hash) const {
  return fmt::format("{}/locks/{}{}", root_, hash.hex(), kLockSuffix);
}

std::string FileStore::failure_path(const TaskHash& hash) const {
  return fmt::format("{}/failed/{}", root_, hash.hex());
}

std::string FileStore::temp_path(const TaskHash& hash) const {
  return fmt::format("{}/tmp/{}.{}.{:016x}", root_, hash.hex(), ::getpid(), random_number());
}

void FileStore::create_directory(const std::string& dir) const {
  make_directories(root_);
  const std::string format_path = root_ + "/jugdata-format";
  if (auto format = read_file(format_path)) {
    check_format(*format, root_);
  } else {
    // Written aside and renamed, so that no process ever reads it half
    // written; two processes racing here write the same bytes.
    const std::string temp =
        fmt::format("{}/.jugdata-format.{}.{:016x}", root_, ::getpid(), random_number());
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

void FileStore::publish(const TaskHash& hash, std::string_view data,
                        const std::string& destination) {
  const std::string temp = temp_path(hash);
  int raw_fd = open_file(temp, O_WRONLY | O_CREAT | O_EXCL, 0666);
  if (raw_fd < 0 && errno == ENOENT) {
    create_directory(root_ + "/tmp");
    raw_fd = open_file(temp, O_WRONLY | O_CREAT | O_EXCL, 0666);
  }
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

// ---- leases ----------------------------------------------------------------

bool FileStore::acquire(const TaskHash& hash, const LeaseOwner& owner) {
  const std::string path = lock_path(hash);
  try {
    // The exclusive create is the lock: exactly one creator succeeds, on NFS
    // (v3 and later) too.
    int raw_fd = open_file(path, O_WRONLY | O_CREAT | O_EXCL, 0666);
    if (raw_fd < 0 && errno == ENOENT) {
      create_directory(root_ + "/locks");
      raw_fd = open_file(path, O_WRONLY | O_CREAT | O_EXCL, 0666);
    }
    if (raw_fd < 0) {
      if (errno == EEXIST) return false;
      throw_io(path);
    }
    FileDescriptor fd(raw_fd);
    try {
      write_all(fd.get(), lease_content(owner), path);
      if (const int err = fd.close()) throw IoError{err, path};
    } catch (const IoError&) {
      ::unlink(path.c_str());  // a lease without an owner would block the task
      throw;
    }
    return true;
  } catch (const IoError& e) {
    throw store_error(fmt::format("cannot take the lock of task {}", hash.hex()), e, Access::write,
                      root_);
  }
}

void FileStore::renew(const TaskHash& hash, const LeaseOwner& owner) {
  const std::string path = lock_path(hash);
  const auto lost = [&](const std::string& why) {
    return StoreError(fmt::format(
        "lease lost: the lease of task {} {}; another worker may be running the task too. Was "
        "this worker paused, or too slow to renew its lease?",
        hash.hex(), why));
  };
  try {
    FileDescriptor fd(open_file(path, O_RDONLY));
    if (!fd) {
      if (errno == ENOENT) throw lost(fmt::format("is gone (its lock file {} was removed)", path));
      throw_io(path);
    }
    // Touch the file just read, so that a lock re-created by someone else
    // in between is not renewed on their behalf.
    const auto holder = parse_lease(read_all(fd.get(), path));
    if (!holder || *holder != owner) {
      throw lost(
          holder ? fmt::format("now belongs to pid {} on {} ({})", holder->pid, holder->host, path)
                 : fmt::format("now belongs to someone else ({})", path));
    }
    if (::futimens(fd.get(), nullptr) != 0) throw_io(path);
  } catch (const IoError& e) {
    throw store_error(fmt::format("cannot renew the lease of task {}", hash.hex()), e,
                      Access::write, root_);
  }
}

void FileStore::release(const TaskHash& hash) {
  const std::string path = lock_path(hash);
  if (::unlink(path.c_str()) == 0 || errno == ENOENT) return;
  const IoError error{errno, path};
  throw store_error(fmt::format("cannot release the lock of task {}", hash.hex()), error,
                    Access::write, root_);
}

std::vector<LeaseInfo> FileStore::list_leases() {
  std::vector<LeaseInfo> leases;
  const std::string locks = root_ + "/locks";
  try {
    Directory dir = open_directory(locks);
    if (!dir) return leases;
    while (const dirent* entry = dir.next(locks)) {
      const auto hash = hash_of_name(entry->d_name, kLockSuffix);
      if (!hash) continue;
      const std::string path = locks + "/" + entry->d_name;
      FileDescriptor fd(open_in(dir.fd(), entry->d_name, O_RDONLY));
      if (!fd) {
        if (errno == ENOENT) continue;  // released since the directory was read
        throw_io(path);
      }
      struct stat st;
      if (::fstat(fd.get(), &st) != 0) throw_io(path);
      // A lock being written may be empty for an instant: it is still held,
      // so it is listed, with an owner nobody can match.
      LeaseInfo lease{*hash, parse_lease(read_all(fd.get(), path)).value_or(LeaseOwner{}),
                      modification_time(st)};
      leases.push_back(std::move(lease));
    }
  } catch (const IoError& e) {
    throw store_error(fmt::format("cannot list the locks in {}", root_), e, Access::read, root_);
  }
  return leases;
}

// ---- failures --------------------------------------------------------------

void FileStore::record_failure(const TaskHash& hash, std::string_view message) {
  try {
    publish(hash, message, failure_path(hash));
  } catch (const IoError& e) {
    throw store_error(fmt::format("cannot record the failure of task {}", hash.hex()), e,
                      Access::write, root_);
  }
}

std::vector<FailureInfo> FileStore::list_failures() {
  std::vector<FailureInfo> failures;
  const std::string failed = root_ + "/failed";
  try {
    Directory dir = open_directory(failed);
    if (!dir) return failures;
    while (const dirent* entry = dir.next(failed)) {
      const auto hash = hash_of_name(entry->d_name);
      if (!hash) continue;
      const std::string path = failed + "/" + entry->d_name;
      FileDescriptor fd(open_in(dir.fd(), entry->d_name, O_RDONLY));
      if (!fd) {
        if (errno == ENOENT) continue;  // cleared since the directory was read
        throw_io(path);
      }
      failures.push_back(FailureInfo{*hash, read_all(fd.get(), path)});
    }
  } catch (const IoError& e) {
    throw store_error(fmt::format("cannot list the failures in {}", root_), e, Access::read, root_);
  }
  return failures;
}

std::optional<std::string> FileStore::failure(const TaskHash& hash) {
  const std::string path = failure_path(hash);
  try {
    return read_file(path);
  } catch (const IoError& e) {
    throw store_error(fmt::format("cannot read the failure of task {}", hash.hex()), e,
                      Access::read, root_);
  }
}

bool FileStore::clear_failure(const TaskHash& hash) {
  const std::string path = failure_path(hash);
  if (::unlink(path.c_str()) == 0) return true;
  if (errno == ENOENT) return false;
  const IoError error{errno, path};
  throw store_error(fmt::format("cannot clear the failure of task {}", hash.hex()), error,
                    Access::write, root_);
}

}  // namespace jug
