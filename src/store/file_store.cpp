#include "store/file_store.hpp"

#include <algorithm>
#include <functional>
#include <array>
#include <atomic>
#include <cerrno>
#include <charconv>
#include <cstring>
#include <exception>
#include <filesystem>
#include <optional>
#include <random>
#include <system_error>
#include <thread>
#include <utility>

#include <fmt/format.h>

#include "engine/hash_index.hpp"
#include "engine/hash_positions.hpp"
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
/// A format file a power cut tore while the store was being made: the
/// rename of the new file reached the disk, its few bytes did not (empty,
/// zeros, or cut short). Written again, as if missing; anything else that
/// is not our line is another program's directory.
bool known_format(const std::string& content) {
  return content == FileStore::kFormatLine || content == FileStore::kSegmentsFormatLine ||
         content == FileStore::kLoneWorkerFormatLine;
}

bool torn_format(const std::string& content) {
  // The three lines differ only in their digit.
  const std::string_view line = FileStore::kFormatLine;
  if (known_format(content) || content.size() > line.size()) return false;
  // Zeros of the right size too: the size reached the disk, the bytes did not.
  return (content.size() < line.size() &&
          (line.starts_with(content) || FileStore::kSegmentsFormatLine.starts_with(content) ||
           FileStore::kLoneWorkerFormatLine.starts_with(content))) ||
         content.find_first_not_of('\0') == std::string::npos;
}

void check_format(const std::string& content, const std::string& root) {
  if (known_format(content)) return;
  constexpr std::string_view kPrefix = "jug-cpp file store ";
  std::string_view first_line = std::string_view(content).substr(0, content.find('\n'));
  if (first_line.starts_with(kPrefix)) {
    first_line.remove_prefix(kPrefix.size());
    throw StoreError(fmt::format(
        "{} holds a jug-cpp file store of format {}, but this jug reads formats 1 to 3: use the "
        "jug that wrote it, or pass another --jugdir.",
        root, first_line));
  }
  throw StoreError(fmt::format(
      "{}/jugdata-format says \"{}\": this directory is not a store this jug can read (it reads "
      "formats 1 to 3). Pass another --jugdir.",
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

std::optional<FanOut> fan_out_of(const DirectoryEntry& entry) {
  const char* name = entry.name;
  FanOut fan_out{};
  if (name[0] == '\0' || name[1] == '\0' || name[2] != '\0' ||
      !decode_hex(name, &fan_out.first_byte, 1)) {
    return std::nullopt;
  }
  if (entry.type != FileType::directory && entry.type != FileType::unknown) return std::nullopt;
  std::memcpy(fan_out.name, name, sizeof fan_out.name);
  return fan_out;
}

/// Called with each stored hash, and the number of the thread that found it.
using ResultSink = std::function<void(std::size_t worker, const TaskHash&)>;

/// Passes the hashes of the results in one fan-out directory to `sink`;
/// returns how many there were.
std::size_t scan_fan_out(const Directory& results, const std::string& results_path,
                         const FanOut& fan_out, std::size_t worker, const ResultSink& sink) {
  // The digits after the fan-out: of a SHA-256, or of a Python jug hash.
  constexpr std::size_t kNameSize = 2 * TaskHash::kSize - 2;
  constexpr std::size_t kPythonJugNameSize = 2 * TaskHash::kPythonJugSize - 2;
  const std::string path = results_path + "/" + fan_out.name;
  Directory dir = open_subdirectory(results, fan_out.name, path);
  if (!dir) return 0;
  std::size_t found = 0;
  while (const DirectoryEntry* entry = dir.next(path)) {
    if (entry->type == FileType::directory) continue;
    const char* name = entry->name;
    const std::size_t length = std::strlen(name);
    TaskHash hash;
    hash.bytes[0] = fan_out.first_byte;
    if (length == kNameSize) {
      if (!decode_hex(name, hash.bytes.data() + 1, TaskHash::kSize - 1) || hash.is_python_jug()) {
        continue;
      }
    } else if (length == kPythonJugNameSize) {
      std::array<std::uint8_t, TaskHash::kPythonJugSize> sha1;
      sha1[0] = fan_out.first_byte;
      if (!decode_hex(name, sha1.data() + 1, TaskHash::kPythonJugSize - 1)) continue;
      hash = TaskHash::python_jug(sha1);
    } else {
      continue;
    }
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

// ---- records in files -----------------------------------------------------------

/// Writes a record into the temporary file it is published from.
class FileRecordWriter final : public RecordWriter {
 public:
  FileRecordWriter(const OpenFile& file, const std::string& path) : file_(file), path_(path) {}
  void append(std::string_view piece) override { write_all(file_, piece, path_); }
  void overwrite_start(std::string_view bytes) override {
    if (const Errno err = file_.fs().seek(file_.handle(), 0)) throw IoError{err, path_};
    write_all(file_, bytes, path_);
  }

 private:
  const OpenFile& file_;
  const std::string& path_;
};

/// A published result file, read where asked. Published files never
/// change, and the open file is read even once the name is gone.
class FileRecord final : public RecordSource {
 public:
  using Failed = std::function<StoreError(const IoError&)>;
  FileRecord(OpenFile file, std::string path, Failed failed)
      : file_(std::move(file)), path_(std::move(path)), failed_(std::move(failed)) {
    FileStatus status;
    if (const Errno err = file_.fs().status_of(file_.handle(), &status)) {
      throw IoError{err, path_};
    }
    size_ = status.size;
  }
  std::uint64_t size() const override { return size_; }
  std::size_t read_at(std::uint64_t offset, std::span<char> buffer) override {
    try {
      if (offset != position_) {
        if (const Errno err = file_.fs().seek(file_.handle(), offset)) throw IoError{err, path_};
        position_ = offset;
      }
      const std::size_t got = read_into(file_, buffer, path_);
      position_ += got;
      return got;
    } catch (const IoError& e) {
      position_ = kUnknownPosition;
      throw failed_(e);
    }
  }
  std::shared_ptr<const FileMapping> map() override {
    std::shared_ptr<const FileMapping> mapping;
    const Errno err = file_.fs().map_read_only(file_.handle(), size_, &mapping);
    if (err == ENODEV || (err == EINVAL && size_ == 0)) return nullptr;  // read it instead
    if (err != 0) throw failed_(IoError{err, path_});
    return mapping;
  }

 private:
  static constexpr std::uint64_t kUnknownPosition = ~std::uint64_t{0};
  OpenFile file_;
  std::string path_;
  Failed failed_;
  std::uint64_t size_ = 0;
  std::uint64_t position_ = 0;
};

}  // namespace

// ---- construction and paths -----------------------------------------------------

FileStore::FileStore(const std::string& directory, std::shared_ptr<FileSystem> fs,
                     SmallResults small_results, LoneWorker lone_worker)
    : root_(absolute_path(directory)),
      fs_(std::move(fs)),
      segments_for_new_results_(small_results == SmallResults::in_segments),
      index_(*fs_, root_ + "/segments"),
      lone_worker_(lone_worker),
      appender_(
          *fs_, root_ + "/segments",
          [this](const std::string& path) { return create_segment_file(path); },
          [this](const std::string& segment, const std::string& index) {
            publish_segment_index(segment, index);
          }) {
  check_existing_directory();
  open_sync_directory();
}

void FileStore::open_sync_directory() const {
  if (sync_directory_open_) return;
  std::lock_guard lock(sync_mutex_);
  if (sync_directory_) return;
  try {
    sync_directory_ = open_directory(*fs_, root_);
    sync_directory_open_ = static_cast<bool>(sync_directory_);
  } catch (const IoError&) {
    // Unreadable: sync() says so, when there is something to sync.
  }
}

void FileStore::check_existing_directory() const {
  try {
    FileStatus st;
    if (const Errno err = fs_->status(root_, &st)) {
      if (err == ENOENT) return;  // made on the first write
      throw IoError{err, root_};
    }
    if (st.type != FileType::directory) {
      throw StoreError(
          fmt::format("The store directory {} is a file, not a directory: pass "
                      "another --jugdir (jug creates the directory when missing).",
                      root_));
    }
    const std::optional<std::string> format = read_file(*fs_, root_ + "/jugdata-format");
    if (format && !torn_format(*format)) {
      check_format(*format, root_);
      note_format(*format);
      return;
    }
    format_torn_ = format.has_value();
    // No format file: empty, or something else. Python jug keeps each result
    // under a directory named by the first two hex digits of its hash.
    Directory dir = open_directory(*fs_, root_);
    if (!dir) return;
    while (const DirectoryEntry* entry = dir.next(root_)) {
      const char* name = entry->name;
      if (!is_hex_digit(name[0]) || !is_hex_digit(name[1]) || name[2] != '\0') continue;
      FileStatus entry_stat;
      if (fs_->status(root_ + "/" + name, &entry_stat) == 0 &&
          entry_stat.type == FileType::directory) {
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

std::string FileStore::location(const TaskHash& hash) const {
  std::optional<SegmentIndex::Place> place;
  {
    std::lock_guard lock(index_mutex_);
    place = index_.find(hash);
  }
  if (!place) return result_path(hash);
  // Where its record starts, as record_place() says.
  return fmt::format("{}/segments/{} at byte {}", root_, place->segment,
                     place->offset + segment::kFrameHeaderSize);
}

std::optional<Store::RecordPlace> FileStore::record_place(const TaskHash& hash) {
  std::optional<SegmentIndex::Place> place;
  try {
    std::lock_guard lock(index_mutex_);
    look_again_at_segments(false);
    place = index_.find(hash);
  } catch (const IoError& e) {
    throw store_error("cannot read the segments", e, Access::read, root_);
  }
  if (place) {
    return RecordPlace{root_ + "/segments/" + place->segment,
                       place->offset + segment::kFrameHeaderSize};
  }
  if (!has_result_file(hash)) return std::nullopt;
  return RecordPlace{result_path(hash), 0};
}

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
  make_directories(*fs_, root_);
  open_sync_directory();  // before anything is written in it
  const std::string format_path = root_ + "/jugdata-format";
  if (auto format = read_file(*fs_, format_path); format && !torn_format(*format)) {
    check_format(*format, root_);
    note_format(*format);
  } else {
    // A store whose segments are there says so, even when its format
    // file is written again after a power cut.
    if (fs_->exists(root_ + "/segments") == 0) segments_format_ = true;
    // A new store is of the layout asked for. Formats 2 and 3 are synced,
    // as before any segment (create_segment_file). A store whose workers
    // all see it through one kernel may have a lone worker (format 3).
    const bool segments = segments_format_ || segments_for_new_results_;
    // (A torn one is written again after a power cut, which no worker
    // outlived: of format 3 too, so that a dead lone worker's lease is read.)
    const bool lone = segments && (!segments_format_ || format.has_value()) &&
                      lone_worker_ == LoneWorker::when_alone;
    const std::string_view line =
        lone ? kLoneWorkerFormatLine : segments ? kSegmentsFormatLine : kFormatLine;
    // A new store's format is the first writer's, whatever the others would
    // have made it: all must agree on the lone worker's protocol. A torn one
    // is replaced.
    if (write_format(line, segments && !segments_format_, /*replace=*/format.has_value())) {
      note_format(std::string(line));
    } else if (auto theirs = read_file(*fs_, format_path); theirs && !torn_format(*theirs)) {
      check_format(*theirs, root_);
      note_format(*theirs);
    } else {
      write_format(line, segments && !segments_format_, /*replace=*/true);
      note_format(std::string(line));
    }
  }
  make_directories(*fs_, dir);
}

void FileStore::note_format(const std::string& line) const {
  lone_worker_format_ = line == kLoneWorkerFormatLine;
  segments_format_ = segments_format_ || line == kSegmentsFormatLine || lone_worker_format_;
  result_files_format_ = !segments_format_ && line == kFormatLine;
}

bool FileStore::write_format(std::string_view line, bool durable, bool replace) const {
  // Written aside and renamed (or linked), so that no process ever reads it
  // half written.
  const std::string format_path = root_ + "/jugdata-format";
  const std::string temp = fmt::format("{}/{}", root_, temp_file_name(kFormatTempWhat));
  OpenFile file = create_exclusive(*fs_, temp);
  if (!file) throw IoError{file.error(), temp};
  try {
    write_all(file, line, temp);
    if (durable) {
      if (const Errno err = fs_->sync_data(file.handle())) throw IoError{err, temp};
    }
    if (const Errno err = file.close()) throw IoError{err, temp};
    if (replace) {
      if (const Errno err = fs_->rename(temp, format_path)) throw IoError{err, format_path};
      return true;
    }
    const Errno err = fs_->link(temp, format_path);
    // Tried twice: a temporary of ours left here would stay until a
    // cleanup judged this process gone.
    if (fs_->unlink(temp) != 0) fs_->unlink(temp);
    if (err == EEXIST) return false;
    if (err != 0) throw IoError{err, format_path};
    return true;
  } catch (const IoError&) {
    fs_->unlink(temp);
    throw;
  }
}

// ---- results -----------------------------------------------------------------

OpenFile FileStore::create_new_file(const std::string& path, const std::string& directory) const {
  // A format file torn by a power cut is written again before the first
  // file made here: the directories may all be there, and then no ENOENT
  // below would lead to create_directory.
  if (format_torn_) {
    create_directory(directory);
    format_torn_ = false;
  }
  OpenFile file = create_exclusive(*fs_, path);
  if (file || file.error() != ENOENT) return file;
  create_directory(directory);
  return create_exclusive(*fs_, path);
}

void FileStore::publish(const TaskHash& hash, const RecordBytes& data,
                        const std::string& destination, Durable durable) {
  const std::string temp = temp_path(hash);
  OpenFile file = create_new_file(temp, root_ + "/tmp");
  if (!file) throw IoError{file.error(), temp};
  try {
    FileRecordWriter writer(file, temp);
    data.write_to(writer);
    if (durable == Durable::before_rename) {
      if (const Errno err = fs_->sync_data(file.handle())) throw IoError{err, temp};
    }
    if (const Errno err = file.close()) throw IoError{err, temp};
    // No fsync of results: it would cost far more than the write. sync()
    // makes everything durable at once; a record cut short by a power cut
    // fails its checksum instead of passing for a value.
    if (const Errno err = fs_->rename(temp, destination)) {
      if (err != ENOENT) throw IoError{err, destination};
      create_directory(parent_of(destination));
      if (const Errno again = fs_->rename(temp, destination)) throw IoError{again, destination};
    }
  } catch (...) {
    fs_->unlink(temp);
    throw;
  }
}

void FileStore::put(const TaskHash& hash, const RecordBytes& record) {
  try {
    const bool to_segments =
        segments_format_ || (segments_for_new_results_ && !result_files_format_);
    if (to_segments && record.size() <= kSegmentRecordLimit) {
      std::string storage;
      put_in_segment(hash, record.bytes(storage));
      return;
    }
    publish(hash, record, result_path(hash));
    note_in_lone_view(LoneNote::result_file, hash);
    // A small result stored before in a segment would hide this one.
    if (in_segments(hash, true)) remove_from_segments(hash, /*refresh=*/false);
  } catch (const IoError& e) {
    throw store_error(fmt::format("cannot store the result of task {}", hash.hex()), e,
                      Access::write, root_);
  }
}

std::optional<std::string> FileStore::get(const TaskHash& hash) {
  try {
    if (auto record = segment_record(hash, false)) return record;
    if (auto record = read_file(*fs_, result_path(hash))) return record;
    return segment_record(hash, true);
  } catch (const IoError& e) {
    throw store_error(fmt::format("cannot read the result of task {}", hash.hex()), e, Access::read,
                      root_);
  }
}

std::unique_ptr<RecordSource> FileStore::open_record(const TaskHash& hash) {
  const std::string path = result_path(hash);
  const auto failed = [&](const IoError& e) {
    return store_error(fmt::format("cannot read the result of task {}", hash.hex()), e,
                       Access::read, root_);
  };
  try {
    if (auto record = segment_record(hash, false)) {
      return std::make_unique<RecordInMemory>(std::move(*record));
    }
    OpenFile file = open_for_reading(*fs_, path);
    if (!file) {
      if (file.error() != ENOENT) throw IoError{file.error(), path};
      auto record = segment_record(hash, true);
      if (!record) return nullptr;
      return std::make_unique<RecordInMemory>(std::move(*record));
    }
    return std::make_unique<FileRecord>(std::move(file), path, failed);
  } catch (const IoError& e) {
    throw failed(e);
  }
}

bool FileStore::has_result_file(const TaskHash& hash) {
  const std::string path = result_path(hash);
  const Errno err = fs_->exists(path);
  if (err == 0) return true;
  if (err != ENOENT) throw IoError{err, path};
  return false;
}

bool FileStore::contains(const TaskHash& hash) {
  try {
    return in_segments(hash, false) || has_result_file(hash) || in_segments(hash, true);
  } catch (const IoError& e) {
    throw store_error(fmt::format("cannot look for the result of task {}", hash.hex()), e,
                      Access::read, root_);
  }
}

bool FileStore::remove(const TaskHash& hash) {
  const std::string path = result_path(hash);
  try {
    // Nothing to remove, nothing to mark (other errors: the unlink says).
    const bool file_gone = fs_->exists(path) == ENOENT;
    if (file_gone && !in_segments(hash, true)) return false;
    const std::shared_lock marked = hold_removal_mark();
    // The file first: a pack copying it into a segment meanwhile finds it
    // gone, and removes its copy (file_store_pack.cpp).
    const Errno err = fs_->unlink(path);
    if (err != 0 && err != ENOENT) throw IoError{err, path};
    // The segments were just read when there was no file; else read them
    // after the unlink, for a copy a pack made of the file.
    const bool removed_from_segments = remove_from_segments(hash, /*refresh=*/!file_gone);
    return err == 0 || removed_from_segments;
  } catch (const IoError& e) {
    throw store_error(fmt::format("cannot remove the result of task {}", hash.hex()), e,
                      Access::write, root_);
  }
}

void FileStore::scan_results(
    const std::function<void(std::size_t workers, std::size_t expected)>& prepare,
    const std::function<void(std::size_t worker, const TaskHash&)>& sink) {
  const std::string results = root_ + "/results";
  try {
    Directory top = open_directory(*fs_, results);
    if (!top) return;
    std::vector<FanOut> fan_outs;
    fan_outs.reserve(256);
    while (const DirectoryEntry* entry = top.next(results)) {
      if (auto fan_out = fan_out_of(*entry)) fan_outs.push_back(*fan_out);
    }
    scan_fan_outs(top, results, fan_outs, prepare, sink);
  } catch (const IoError& e) {
    throw store_error(fmt::format("cannot list the results in {}", root_), e, Access::read, root_);
  }
}

std::vector<TaskHash> FileStore::list() {
  std::vector<TaskHash> hashes = list_files();
  try {
    std::lock_guard lock(index_mutex_);
    index_.refresh();
    if (index_.result_count() == 0) return hashes;
    const HashIndex files = HashIndex::of(hashes);
    const std::size_t file_count = hashes.size();
    index_.for_each_result([&](const TaskHash& h) {
      if (!files.find(h, std::span(hashes.data(), file_count))) hashes.push_back(h);
    });
  } catch (const IoError& e) {
    throw store_error(fmt::format("cannot list the results in {}", root_), e, Access::read, root_);
  }
  return hashes;
}

std::vector<TaskHash> FileStore::list_files() {
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
  // names against the hashes asked about; no list is built.
  constexpr std::size_t kScanThreshold = 2048;
  const HashPositions positions(hashes);
  // One byte per hash, written by whichever thread finds it: a hash lives in
  // one fan-out directory, read by one thread, so no byte is shared.
  std::vector<std::uint8_t> found(hashes.size(), 0);
  // Many hashes, and this process has not read the segments yet (`jug
  // status`, a no-op execute): an index of these hashes' results alone,
  // dropped after. Indexing every result would take twice the time and
  // memory, for lookups that may never come.
  std::optional<SegmentIndex> asked_only;
  std::size_t in_segments = 0;
  // Marks the hashes not found yet that the segments hold.
  const auto look_in_segments = [&] {
    std::unique_lock lock(index_mutex_);
    if (!asked_only && hashes.size() >= kScanThreshold && index_.segments().empty()) {
      asked_only.emplace(*fs_, root_ + "/segments", positions);
    }
    if (asked_only) lock.unlock();
    SegmentIndex& segments = asked_only ? *asked_only : index_;
    segments.refresh();
    if (segments.result_count() == 0) return;
    for (std::uint32_t i = 0; i < hashes.size(); ++i) {
      if (found[i] != 0) continue;
      if (asked_only ? asked_only->contains_wanted(i) : index_.contains(hashes[i])) {
        found[i] = 1;
        ++in_segments;
      }
    }
  };
  try {
    look_in_segments();
  } catch (const IoError& e) {
    throw store_error("cannot read the segments", e, Access::read, root_);
  }
  if (in_segments == hashes.size()) return std::vector<bool>(hashes.size(), true);
  if (hashes.size() < kScanThreshold) {
    for (std::size_t i = 0; i < hashes.size(); ++i) {
      if (found[i] != 0) continue;
      try {
        found[i] = has_result_file(hashes[i]);
      } catch (const IoError& e) {
        throw store_error(fmt::format("cannot look for the result of task {}", hashes[i].hex()),
                          e, Access::read, root_);
      }
    }
  } else if (fs_->exists(root_ + "/results") != ENOENT) {
    scan_results([](std::size_t, std::size_t) {},
                 [&](std::size_t, const TaskHash& h) {
                   if (auto i = positions.find(h)) found[*i] = 1;
                 });
  }
  if (in_segments > 0) {
    // A result file packed into a segment between the two looks.
    try {
      look_in_segments();
    } catch (const IoError& e) {
      throw store_error("cannot read the segments", e, Access::read, root_);
    }
  }
  return std::vector<bool>(found.begin(), found.end());
}

void FileStore::sync() {
  const auto failed = [this](const IoError& error, Access access) {
    return store_error(fmt::format("cannot make the results in {} durable", root_), error, access,
                       root_);
  };
  // syncfs makes the segments durable too (NFS included: it commits every
  // file's unstable writes).
  std::lock_guard lock(sync_mutex_);
  if (!sync_directory_) {
    try {
      sync_directory_ = open_directory(*fs_, root_);
    } catch (const IoError& e) {
      throw failed(e, Access::read);
    }
    if (!sync_directory_) return;  // nothing written, nothing to make durable
    sync_directory_open_ = true;
  }
  const Errno err = fs_->sync_filesystem(sync_directory_.handle());
  if (err == 0) return;
  // Since Linux 5.8 syncfs reports write-back errors: some data may be lost.
  throw failed(IoError{err, root_}, Access::write);
}

}  // namespace jug
