#pragma once
/// FaultyFileSystem: wraps another FileSystem (as LevelDB's EnvWrapper wraps
/// an Env) and makes one call fail on purpose: the Nth call, of any kind or of
/// one kind, fails with the errno asked for (EIO, ENOSPC, EDQUOT, EINTR...),
/// or a write writes only part of its data. It counts every call, so that a
/// test first counts the calls an operation makes, then fails each in turn.

#include <atomic>
#include <cerrno>
#include <memory>
#include <optional>
#include <utility>

#include "store/directory_watch.hpp"
#include <functional>
#include <utility>

#include "store/file_system.hpp"

namespace jug::store_test {

/// The kinds of call, to fail the Nth of one kind.
enum class Call {
  open,  // open_for_reading, open_for_reading_in
  create,
  read,
  write,  // write, write_at, truncate
  status,  // status_of, status, link_status, exists
  touch,  // touch, set_modified
  close,
  rename,
  unlink,
  link,
  make_directory,
  list,  // open_directory, open_directory_in, next_entry
  sync,
  seek,
  map,
};

class FaultyFileSystem final : public FileSystem {
 public:
  explicit FaultyFileSystem(std::shared_ptr<FileSystem> base) : base_(std::move(base)) {}

  /// Fails call number `n` (from 0, counted from now) of kind `kind` (of any
  /// kind when nullopt) with `err`; a failed close closes all the same. Only
  /// one fault at a time: this replaces the one set before.
  void fail(std::size_t n, Errno err, std::optional<Call> kind = std::nullopt) {
    set(n, err, kind, false);
  }
  /// Makes write number `n` (from 0, counted from now) write half its data.
  void shorten_write(std::size_t n) { set(n, 0, Call::write, true); }
  /// The process dies at call `n` (from 0, counted from now): that call and
  /// every one after it fail with EIO and do nothing, as if never made
  /// (a close too). What the file system holds then is what a process
  /// killed at that call leaves (with MemoryFileSystem::process_crash).
  void die_at(std::size_t n) {
    set(n, EIO, std::nullopt, false);
    dies_ = true;
  }
  /// Runs `action` just before call number `n` (from 0, counted from now)
  /// of kind `kind` is made: another process acting at that very moment.
  void before(std::size_t n, Call kind, std::function<void()> action) {
    hook_kind_ = kind;
    hook_at_ = calls_of_[static_cast<std::size_t>(kind)] + n;
    hook_ = std::move(action);
  }
  /// Whether the process has died (die_at's call was reached).
  bool dead() const { return dies_ && injected_; }
  /// No fault any more; the counts start again from 0.
  void heal() { set(kNever, 0, std::nullopt, false); }
  /// Calls made since the last fail(), shorten_write() or heal(): of any
  /// kind, or of one kind.
  std::size_t calls() const { return calls_; }
  std::size_t calls(Call kind) const { return calls_of_[static_cast<std::size_t>(kind)]; }
  /// Whether the fault set last has happened.
  bool injected() const { return injected_; }
  /// The kind of call the fault hit, once it has.
  Call injected_into() const { return injected_into_; }

  Errno open_for_reading(const std::string& path, FileHandle* file) override {
    if (const Errno err = fault(Call::open)) return err;
    return base_->open_for_reading(path, file);
  }
  Errno open_for_reading_in(DirectoryHandle directory, const char* name,
                            FileHandle* file) override {
    if (const Errno err = fault(Call::open)) return err;
    return base_->open_for_reading_in(directory, name, file);
  }
  Errno create_exclusive(const std::string& path, FileHandle* file) override {
    if (const Errno err = fault(Call::create)) return err;
    return base_->create_exclusive(path, file);
  }
  Errno read(FileHandle file, std::span<char> buffer, std::size_t* got) override {
    if (const Errno err = fault(Call::read)) return err;
    return base_->read(file, buffer, got);
  }
  Errno write(FileHandle file, std::string_view data, std::size_t* written) override {
    bool shorten = false;
    if (const Errno err = fault(Call::write, &shorten)) return err;
    if (shorten && data.size() > 1) data = data.substr(0, data.size() / 2);
    return base_->write(file, data, written);
  }
  Errno write_at(FileHandle file, std::uint64_t offset, std::string_view data,
                 std::size_t* written) override {
    bool shorten = false;
    if (const Errno err = fault(Call::write, &shorten)) return err;
    if (shorten && data.size() > 1) data = data.substr(0, data.size() / 2);
    return base_->write_at(file, offset, data, written);
  }
  Errno seek(FileHandle file, std::uint64_t offset) override {
    if (const Errno err = fault(Call::seek)) return err;
    return base_->seek(file, offset);
  }
  Errno map_read_only(FileHandle file, std::uint64_t size,
                      std::shared_ptr<const FileMapping>* mapping) override {
    if (const Errno err = fault(Call::map)) return err;
    return base_->map_read_only(file, size, mapping);
  }
  Errno status_of(FileHandle file, FileStatus* status) override {
    if (const Errno err = fault(Call::status)) return err;
    return base_->status_of(file, status);
  }
  Errno touch(FileHandle file) override {
    if (const Errno err = fault(Call::touch)) return err;
    return base_->touch(file);
  }
  Errno set_modified(FileHandle file, std::chrono::system_clock::time_point when) override {
    if (const Errno err = fault(Call::touch)) return err;
    return base_->set_modified(file, when);
  }
  Errno truncate(FileHandle file, std::uint64_t size) override {
    if (const Errno err = fault(Call::write)) return err;
    return base_->truncate(file, size);
  }
  Errno sync_data(FileHandle file) override {
    if (const Errno err = fault(Call::sync)) return err;
    return base_->sync_data(file);
  }
  Errno close(FileHandle file) override {
    // The handle is gone whatever close says: the fault comes after (but
    // a dead process closes nothing: its crash does).
    const Errno err = fault(Call::close);
    if (dead()) return err;
    const Errno closed = base_->close(file);
    return err != 0 ? err : closed;
  }
  Errno status(const std::string& path, FileStatus* status) override {
    if (const Errno err = fault(Call::status)) return err;
    return base_->status(path, status);
  }
  Errno link_status(const std::string& path, FileStatus* status) override {
    if (const Errno err = fault(Call::status)) return err;
    return base_->link_status(path, status);
  }
  Errno exists(const std::string& path) override {
    if (const Errno err = fault(Call::status)) return err;
    return base_->exists(path);
  }
  Errno rename(const std::string& from, const std::string& to) override {
    if (const Errno err = fault(Call::rename)) return err;
    return base_->rename(from, to);
  }
  Errno unlink(const std::string& path) override {
    if (const Errno err = fault(Call::unlink)) return err;
    return base_->unlink(path);
  }
  Errno link(const std::string& existing, const std::string& new_path) override {
    if (const Errno err = fault(Call::link)) return err;
    return base_->link(existing, new_path);
  }
  Errno make_directory(const std::string& path) override {
    if (const Errno err = fault(Call::make_directory)) return err;
    return base_->make_directory(path);
  }
  Errno open_directory(const std::string& path, DirectoryHandle* directory) override {
    if (const Errno err = fault(Call::list)) return err;
    return base_->open_directory(path, directory);
  }
  Errno open_directory_in(DirectoryHandle parent, const char* name,
                          DirectoryHandle* directory) override {
    if (const Errno err = fault(Call::list)) return err;
    return base_->open_directory_in(parent, name, directory);
  }
  Errno next_entry(DirectoryHandle directory, DirectoryEntry* entry) override {
    if (const Errno err = fault(Call::list)) return err;
    return base_->next_entry(directory, entry);
  }
  void close_directory(DirectoryHandle directory) override { base_->close_directory(directory); }
  Errno sync_filesystem(DirectoryHandle directory) override {
    if (const Errno err = fault(Call::sync)) return err;
    return base_->sync_filesystem(directory);
  }
  std::unique_ptr<DirectoryWatch> watch_directory(const std::string& directory) override {
    return base_->watch_directory(directory);
  }

 private:
  static constexpr std::size_t kNever = static_cast<std::size_t>(-1);
  static constexpr std::size_t kKinds = static_cast<std::size_t>(Call::map) + 1;

  void set(std::size_t n, Errno err, std::optional<Call> kind, bool shorten) {
    calls_ = 0;
    for (auto& count : calls_of_) count = 0;
    fail_at_ = n;
    error_ = err;
    kind_ = kind;
    shorten_ = shorten;
    injected_ = false;
    dies_ = false;
  }

  /// Counts a call of `kind`; the errno to fail it with, or 0. A shortened
  /// write returns 0 and sets `*shorten`.
  Errno fault(Call kind, bool* shorten = nullptr) {
    const std::size_t any = calls_++;
    const std::size_t of_kind = calls_of_[static_cast<std::size_t>(kind)]++;
    const std::size_t number = kind_ ? of_kind : any;
    if (hook_ && kind == hook_kind_ && of_kind == hook_at_) std::exchange(hook_, nullptr)();
    if (dead()) return error_;
    if (number != fail_at_ || (kind_ && *kind_ != kind)) return 0;
    injected_into_ = kind;
    injected_ = true;
    if (shorten_) {
      *shorten = true;
      return 0;
    }
    return error_;
  }

  std::shared_ptr<FileSystem> base_;
  std::atomic<std::size_t> calls_{0};
  std::atomic<std::size_t> calls_of_[kKinds]{};
  std::size_t fail_at_ = kNever;
  Errno error_ = 0;
  std::optional<Call> kind_;
  bool shorten_ = false;
  std::atomic<bool> injected_{false};
  bool dies_ = false;
  Call injected_into_ = Call::open;
  std::function<void()> hook_;
  Call hook_kind_ = Call::open;
  std::size_t hook_at_ = kNever;
};

}  // namespace jug::store_test
