#include "store/memory_store.hpp"

#include <fmt/format.h>

#include <functional>

#include "jug/errors.hpp"
#include "store/posix_files.hpp"

namespace jug {

MemoryStore::MemoryStore() : identity_(fmt::format("{:016x}", posix::random_number())) {}

std::string MemoryStore::describe() const { return "memory store (in this process only)"; }

std::string MemoryStore::location(const TaskHash& hash) const { return "memory:" + hash.hex(); }

std::optional<std::string> MemoryStore::get(const TaskHash& hash) {
  std::lock_guard lock(mutex_);
  const auto it = results_.find(hash);
  if (it == results_.end()) return std::nullopt;
  return it->second;
}

void MemoryStore::put(const TaskHash& hash, const RecordBytes& record) {
  std::string copy = record.to_string();  // allocated outside the lock
  std::lock_guard lock(mutex_);
  results_.insert_or_assign(hash, std::move(copy));
}

bool MemoryStore::contains(const TaskHash& hash) {
  std::lock_guard lock(mutex_);
  return results_.contains(hash);
}

std::vector<bool> MemoryStore::contains_all(std::span<const TaskHash> hashes) {
  std::vector<bool> found(hashes.size());
  std::lock_guard lock(mutex_);
  for (std::size_t i = 0; i < hashes.size(); ++i) found[i] = results_.contains(hashes[i]);
  return found;
}

bool MemoryStore::remove(const TaskHash& hash) {
  std::lock_guard lock(mutex_);
  if (results_.erase(hash) == 0) return false;
  ++removals_;
  return true;
}

std::optional<Store::RemovalGeneration> MemoryStore::removal_generation() {
  std::lock_guard lock(mutex_);
  return RemovalGeneration{fmt::format("{}/{}", identity_, removals_), {}};
}

std::vector<TaskHash> MemoryStore::list() {
  std::lock_guard lock(mutex_);
  std::vector<TaskHash> hashes;
  hashes.reserve(results_.size());
  for (const auto& [hash, record] : results_) hashes.push_back(hash);
  return hashes;
}

bool MemoryStore::acquire(const TaskHash& hash, const LeaseOwner& owner) {
  std::lock_guard lock(mutex_);
  return leases_.try_emplace(hash, LeaseInfo{hash, owner, std::chrono::system_clock::now()}).second;
}

void MemoryStore::renew(const TaskHash& hash, const LeaseOwner& owner) {
  std::lock_guard lock(mutex_);
  const auto it = leases_.find(hash);
  if (it == leases_.end() || it->second.owner != owner) {
    throw StoreError(fmt::format(
        "lease lost: the lease of task {} {}; another worker may be running the task too.",
        hash.hex(), it == leases_.end() ? "is gone" : "now belongs to someone else"));
  }
  it->second.renewed = std::chrono::system_clock::now();
}

void MemoryStore::release(const TaskHash& hash, const LeaseOwner& owner) {
  std::lock_guard lock(mutex_);
  if (auto it = leases_.find(hash); it != leases_.end() && it->second.owner == owner) {
    leases_.erase(it);
  }
}

std::optional<LeaseInfo> MemoryStore::lease(const TaskHash& hash) {
  std::lock_guard lock(mutex_);
  if (auto it = leases_.find(hash); it != leases_.end()) return it->second;
  return std::nullopt;
}

bool MemoryStore::break_lease(const LeaseInfo& seen, const std::function<void()>& before_removal) {
  std::lock_guard breaking(break_mutex_);
  const auto still_seen = [&] {
    const auto it = leases_.find(seen.hash);
    return it != leases_.end() && it->second.owner == seen.owner &&
           it->second.renewed == seen.renewed;
  };
  {
    std::lock_guard lock(mutex_);
    if (!still_seen()) return false;
  }
  // The lease stays in place meanwhile: nobody else can take the task. Only
  // its owner could release it, and its owner is gone.
  if (before_removal) before_removal();
  std::lock_guard lock(mutex_);
  leases_.erase(seen.hash);
  return true;
}

std::vector<LeaseInfo> MemoryStore::list_leases() {
  std::lock_guard lock(mutex_);
  std::vector<LeaseInfo> leases;
  leases.reserve(leases_.size());
  for (const auto& [hash, lease] : leases_) leases.push_back(lease);
  return leases;
}

void MemoryStore::record_failure(const TaskHash& hash, std::string_view message) {
  std::string copy(message);
  std::lock_guard lock(mutex_);
  failures_.insert_or_assign(hash, std::move(copy));
}

std::vector<FailureInfo> MemoryStore::list_failures() {
  std::lock_guard lock(mutex_);
  std::vector<FailureInfo> failures;
  failures.reserve(failures_.size());
  for (const auto& [hash, message] : failures_) failures.push_back(FailureInfo{hash, message});
  return failures;
}

std::optional<std::string> MemoryStore::failure(const TaskHash& hash) {
  std::lock_guard lock(mutex_);
  if (auto it = failures_.find(hash); it != failures_.end()) return it->second;
  return std::nullopt;
}

bool MemoryStore::clear_failure(const TaskHash& hash) {
  std::lock_guard lock(mutex_);
  return failures_.erase(hash) > 0;
}

std::vector<std::string> MemoryStore::record_crash(const TaskHash& hash, std::string_view what) {
  std::string line = crash_line(what);
  std::lock_guard lock(mutex_);
  std::vector<std::string>& crashes = crashes_[hash];
  crashes.push_back(std::move(line));
  return crashes;
}

std::vector<std::string> MemoryStore::crashes(const TaskHash& hash) {
  std::lock_guard lock(mutex_);
  if (auto it = crashes_.find(hash); it != crashes_.end()) return it->second;
  return {};
}

std::vector<TaskHash> MemoryStore::list_crashed() {
  std::lock_guard lock(mutex_);
  std::vector<TaskHash> hashes;
  for (const auto& [hash, crashes] : crashes_) hashes.push_back(hash);
  return hashes;
}

bool MemoryStore::clear_crashes(const TaskHash& hash) {
  std::lock_guard lock(mutex_);
  return crashes_.erase(hash) > 0;
}

void MemoryStore::note_user(std::string_view jugfile) {
  std::lock_guard lock(mutex_);
  if (!users_.contains(jugfile)) users_.emplace(jugfile);
}

std::vector<std::string> MemoryStore::list_users() {
  std::lock_guard lock(mutex_);
  return {users_.begin(), users_.end()};
}

}  // namespace jug
