#pragma once
/// MemoryStore: a store that lives only in this process (`--jugdir memory:`),
/// with the same semantics as the file store, for tests and for runs whose
/// results need not outlive them.

#include <mutex>
#include <set>
#include <unordered_map>

#include "store/store.hpp"

namespace jug {

class MemoryStore final : public Store {
 public:
  MemoryStore();
  std::string describe() const override;
  std::string location(const TaskHash& hash) const override;

  std::optional<std::string> get(const TaskHash& hash) override;
  void put(const TaskHash& hash, const RecordBytes& record) override;
  bool contains(const TaskHash& hash) override;
  /// Answers under one lock: a consistent snapshot, and no list() copy.
  std::vector<bool> contains_all(std::span<const TaskHash> hashes) override;
  bool remove(const TaskHash& hash) override;
  std::vector<TaskHash> list() override;
  void sync() override {}
  /// A token random to this store (it lives in one process), and how many
  /// results it has removed; never any removers: removals change the count
  /// under the lock they remove under.
  std::optional<RemovalGeneration> removal_generation() override;

  bool acquire(const TaskHash& hash, const LeaseOwner& owner) override;
  void renew(const TaskHash& hash, const LeaseOwner& owner) override;
  void release(const TaskHash& hash, const LeaseOwner& owner) override;
  std::optional<LeaseInfo> lease(const TaskHash& hash) override;
  std::vector<LeaseInfo> list_leases() override;
  bool break_lease(const LeaseInfo& seen,
                   const std::function<void()>& before_removal = {}) override;

  void record_failure(const TaskHash& hash, std::string_view message) override;
  std::vector<FailureInfo> list_failures() override;
  std::optional<std::string> failure(const TaskHash& hash) override;
  bool clear_failure(const TaskHash& hash) override;

  std::vector<std::string> record_crash(const TaskHash& hash, std::string_view what) override;
  std::vector<std::string> crashes(const TaskHash& hash) override;
  std::vector<TaskHash> list_crashed() override;
  bool clear_crashes(const TaskHash& hash) override;

  void note_user(std::string_view jugfile) override;
  std::vector<std::string> list_users() override;

 private:
  std::mutex mutex_;
  /// Held for a whole break_lease, so that its callback runs for one
  /// breaker only (and may use the store: mutex_ is not held then).
  std::mutex break_mutex_;
  std::unordered_map<TaskHash, std::string> results_;
  std::unordered_map<TaskHash, LeaseInfo> leases_;
  std::unordered_map<TaskHash, std::string> failures_;
  std::unordered_map<TaskHash, std::vector<std::string>> crashes_;
  std::set<std::string, std::less<>> users_;
  const std::string identity_;
  std::uint64_t removals_ = 0;
};

}  // namespace jug
