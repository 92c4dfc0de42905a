#pragma once
/// The store interface: where results, leases and failures live. Commands see
/// only this; each backend is one file (file_store, memory_store, ...).
///
/// Results are opaque records (record.hpp frames and checks them), so every
/// backend gets checksums and versioning for free. All methods are safe to
/// call from several threads at once, and from several processes (or hosts)
/// sharing the same store.

#include <chrono>
#include <cstdint>
#include <memory>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "jug/task_hash.hpp"

namespace jug {

/// Who holds a lease: enough to tell whether the holder is still alive.
struct LeaseOwner {
  std::string host;
  std::int64_t pid = 0;
  /// When the owning process started (ns since the epoch), so that a reused
  /// pid is not mistaken for the owner.
  std::int64_t process_start_ns = 0;

  friend bool operator==(const LeaseOwner&, const LeaseOwner&) = default;
  /// The owner of this process.
  static LeaseOwner self();
};

/// A lease as found in the store.
struct LeaseInfo {
  TaskHash hash;
  LeaseOwner owner;
  /// When the lease was taken or last renewed.
  std::chrono::system_clock::time_point renewed;
};

struct FailureInfo {
  TaskHash hash;
  std::string message;
};

class Store {
 public:
  virtual ~Store() = default;

  /// Says what and where the store is, for messages ("file store at X").
  virtual std::string describe() const = 0;
  /// Where one result lives (a path, a key), for messages.
  virtual std::string location(const TaskHash& hash) const = 0;

  // ---- results -----------------------------------------------------------
  /// The record stored for `hash`, or nullopt when there is none.
  virtual std::optional<std::string> get(const TaskHash& hash) = 0;
  /// Publishes a complete record atomically: readers see all of it or none.
  /// Throws StoreError (full disk, permissions...) leaving nothing visible.
  virtual void put(const TaskHash& hash, std::string_view record) = 0;
  virtual bool contains(const TaskHash& hash) = 0;
  /// For each hash, whether a result is stored; backends answer in bulk.
  virtual std::vector<bool> contains_all(std::span<const TaskHash> hashes);
  /// Returns false when there was nothing to remove.
  virtual bool remove(const TaskHash& hash) = 0;
  /// Every stored result.
  virtual std::vector<TaskHash> list() = 0;
  /// Makes every result published so far durable (survives a power cut).
  virtual void sync() = 0;

  // ---- leases --------------------------------------------------------------
  /// Takes the lease of `hash` for `owner`; false when someone holds it.
  virtual bool acquire(const TaskHash& hash, const LeaseOwner& owner) = 0;
  /// Extends a lease we hold.
  virtual void renew(const TaskHash& hash, const LeaseOwner& owner) = 0;
  /// Gives a lease back; a no-op when it is not held.
  virtual void release(const TaskHash& hash) = 0;
  virtual std::vector<LeaseInfo> list_leases() = 0;

  // ---- failures ------------------------------------------------------------
  virtual void record_failure(const TaskHash& hash, std::string_view message) = 0;
  virtual std::vector<FailureInfo> list_failures() = 0;
  /// The failure recorded for one task, if any (backends answer without
  /// listing them all).
  virtual std::optional<std::string> failure(const TaskHash& hash);
  /// Returns false when there was no failure recorded.
  virtual bool clear_failure(const TaskHash& hash) = 0;
};

/// Opens the store a --jugdir names: a directory path (the file store) or
/// `memory:` (a store living only in this process, for tests).
std::unique_ptr<Store> open_store(const std::string& jugdir);

}  // namespace jug
