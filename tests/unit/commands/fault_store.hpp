#pragma once
/// FaultStore: a jug::Store over a MemoryStore for testing commands against
/// the failures a real store (and other workers) can cause:
/// - a method throws StoreError on its n-th call (optionally counting only
///   calls about one task), as a full disk or a lost server would;
/// - another worker holds a task's lease, finishes the task, or fails it;
/// - something happens "just before" a given call (a deterministic race);
/// - a read of a result answers with other bytes, or late (a slow read of a
///   file replaced meanwhile), or stops because the record was replaced
///   while it was read (RecordReplaced, as on Redis).
///
/// Every method is thread-safe, as the Store interface requires.

#include <array>
#include <chrono>
#include <cstddef>
#include <functional>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "jug/errors.hpp"
#include "store/memory_store.hpp"

namespace jug_test {

enum class StoreMethod {
  kGet,
  kPut,
  kContains,
  kContainsAll,
  kRemove,
  kList,
  kSync,
  kAcquire,
  kRenew,
  kRelease,
  kListLeases,
  kRecordFailure,
  kListFailures,
  kClearFailure,
  kLease,
  kBreakLease,
  kRecordCrash,
  kCrashes,
  kListCrashed,
  kClearCrashes,
  kNow,
  kNoteUser,
  kListUsers,
  kCount,
};

inline const char* method_name(StoreMethod m) {
  static constexpr std::array<const char*, static_cast<std::size_t>(StoreMethod::kCount)> names{
      "get",     "put",   "contains", "contains_all",   "remove",        "list",
      "sync",    "acquire", "renew",  "release",        "list_leases",   "record_failure",
      "list_failures", "clear_failure", "lease", "break_lease", "record_crash", "crashes",
      "list_crashed", "clear_crashes", "now", "note_user", "list_users"};
  return names[static_cast<std::size_t>(m)];
}

class FaultStore final : public jug::Store {
 public:
  /// The worker that is not us: another host, so never taken for dead.
  static jug::LeaseOwner foreign_owner() { return jug::LeaseOwner{"otherhost", 12345, 1, "another machine"}; }

  /// Makes calls to `method` throw StoreError: the `nth` one (1-based) and
  /// the `times - 1` after it (`times` 0: every one from the nth on). With
  /// `hash`, only calls about that task count.
  void fail_on(StoreMethod method, unsigned nth = 1, std::optional<jug::TaskHash> hash = {},
               unsigned times = 1) {
    std::lock_guard lock(mutex_);
    faults_.push_back(Fault{method, std::move(hash), nth, times, 0});
  }

  /// Runs `action` (with the inner store) once, just before the first call
  /// to `method` about `hash` is forwarded.
  void before_call(StoreMethod method, const jug::TaskHash& hash,
                   std::function<void(jug::MemoryStore&)> action) {
    std::lock_guard lock(mutex_);
    hooks_.push_back(Hook{method, hash, std::move(action), /*once=*/true, false});
  }

  /// Runs `action` once, just before the first call to `method` (one about
  /// no task in particular, such as contains_all or list, included).
  void before_call(StoreMethod method, std::function<void(jug::MemoryStore&)> action) {
    std::lock_guard lock(mutex_);
    hooks_.push_back(Hook{method, std::nullopt, std::move(action), /*once=*/true, false});
  }

  /// Runs `action` just before every call to `method` about `hash`.
  void before_each_call(StoreMethod method, const jug::TaskHash& hash,
                        std::function<void(jug::MemoryStore&)> action) {
    std::lock_guard lock(mutex_);
    hooks_.push_back(Hook{method, hash, std::move(action), /*once=*/false, false});
  }

  /// What get() of `hash` answers: `read` is given the inner store's get
  /// (to call, or not) and returns the answer.
  using Read = std::function<std::optional<std::string>(
      const std::function<std::optional<std::string>()>& inner_get)>;
  void intercept_get(const jug::TaskHash& hash, Read read) {
    std::lock_guard lock(mutex_);
    reads_.emplace_back(hash, std::move(read));
  }

  /// The next `times` records of `hash` opened are replaced while they are
  /// read, in a store that cannot read on (Redis): reading them throws
  /// RecordReplaced.
  void replace_while_read(const jug::TaskHash& hash, unsigned times) {
    std::lock_guard lock(mutex_);
    replaced_reads_.emplace_back(hash, times);
  }

  /// Another worker takes the lease of `hash`.
  void hold_elsewhere(const jug::TaskHash& hash) {
    if (!inner_.acquire(hash, foreign_owner())) throw jug::Error("lease already held");
  }
  /// The other worker publishes the result and gives the lease back.
  void finish_elsewhere(const jug::TaskHash& hash, const jug::RecordBytes& record) {
    inner_.put(hash, record);
    inner_.release(hash, foreign_owner());
  }
  /// The other worker records a failure and gives the lease back (in that
  /// order, as jug::execute does).
  void fail_elsewhere(const jug::TaskHash& hash, std::string_view message) {
    inner_.record_failure(hash, message);
    inner_.release(hash, foreign_owner());
  }

  /// How many times `method` was called through this store.
  unsigned calls(StoreMethod method) const {
    std::lock_guard lock(mutex_);
    return calls_[static_cast<std::size_t>(method)];
  }

  jug::MemoryStore& inner() { return inner_; }

  /// The store's clock runs this far ahead of this host's.
  void set_clock_offset(std::chrono::system_clock::duration offset) {
    std::lock_guard lock(mutex_);
    clock_offset_ = offset;
  }

  // ---- jug::Store ----------------------------------------------------------
  std::string describe() const override { return "fault store over " + inner_.describe(); }
  std::string location(const jug::TaskHash& hash) const override {
    return inner_.location(hash);
  }
  std::optional<std::string> get(const jug::TaskHash& hash) override {
    enter(StoreMethod::kGet, &hash);
    const auto inner_get = [&] { return inner_.get(hash); };
    Read read;
    {
      std::lock_guard lock(mutex_);
      for (const auto& [h, r] : reads_) {
        if (h == hash) read = r;
      }
    }
    return read ? read(inner_get) : inner_get();
  }
  std::unique_ptr<jug::RecordSource> open_record(const jug::TaskHash& hash) override {
    std::unique_ptr<jug::RecordSource> source = Store::open_record(hash);  // through get()
    std::lock_guard lock(mutex_);
    for (auto& [h, times] : replaced_reads_) {
      if (h == hash && source && times > 0) {
        --times;
        return std::make_unique<ReplacedWhileRead>(source->size());
      }
    }
    return source;
  }
  void put(const jug::TaskHash& hash, const jug::RecordBytes& record) override {
    enter(StoreMethod::kPut, &hash);
    inner_.put(hash, record);
  }
  bool contains(const jug::TaskHash& hash) override {
    enter(StoreMethod::kContains, &hash);
    return inner_.contains(hash);
  }
  std::vector<bool> contains_all(std::span<const jug::TaskHash> hashes) override {
    enter(StoreMethod::kContainsAll, nullptr);
    return inner_.contains_all(hashes);
  }
  bool remove(const jug::TaskHash& hash) override {
    enter(StoreMethod::kRemove, &hash);
    return inner_.remove(hash);
  }
  std::vector<jug::TaskHash> list() override {
    enter(StoreMethod::kList, nullptr);
    return inner_.list();
  }
  void sync() override {
    enter(StoreMethod::kSync, nullptr);
    inner_.sync();
  }
  bool acquire(const jug::TaskHash& hash, const jug::LeaseOwner& owner) override {
    enter(StoreMethod::kAcquire, &hash);
    return inner_.acquire(hash, owner);
  }
  void renew(const jug::TaskHash& hash, const jug::LeaseOwner& owner) override {
    enter(StoreMethod::kRenew, &hash);
    inner_.renew(hash, owner);
  }
  void release(const jug::TaskHash& hash, const jug::LeaseOwner& owner) override {
    enter(StoreMethod::kRelease, &hash);
    inner_.release(hash, owner);
  }
  std::optional<jug::LeaseInfo> lease(const jug::TaskHash& hash) override {
    enter(StoreMethod::kLease, &hash);
    return inner_.lease(hash);
  }
  bool break_lease(const jug::LeaseInfo& seen,
                   const std::function<void()>& before_removal = {}) override {
    enter(StoreMethod::kBreakLease, &seen.hash);
    return inner_.break_lease(seen, before_removal);
  }
  std::vector<jug::LeaseInfo> list_leases() override {
    enter(StoreMethod::kListLeases, nullptr);
    return inner_.list_leases();
  }
  void record_failure(const jug::TaskHash& hash, std::string_view message) override {
    enter(StoreMethod::kRecordFailure, &hash);
    inner_.record_failure(hash, message);
  }
  std::vector<jug::FailureInfo> list_failures() override {
    enter(StoreMethod::kListFailures, nullptr);
    return inner_.list_failures();
  }
  bool clear_failure(const jug::TaskHash& hash) override {
    enter(StoreMethod::kClearFailure, &hash);
    return inner_.clear_failure(hash);
  }
  std::vector<std::string> record_crash(const jug::TaskHash& hash,
                                        std::string_view what) override {
    enter(StoreMethod::kRecordCrash, &hash);
    return inner_.record_crash(hash, what);
  }
  std::vector<std::string> crashes(const jug::TaskHash& hash) override {
    enter(StoreMethod::kCrashes, &hash);
    return inner_.crashes(hash);
  }
  std::vector<jug::TaskHash> list_crashed() override {
    enter(StoreMethod::kListCrashed, nullptr);
    return inner_.list_crashed();
  }
  bool clear_crashes(const jug::TaskHash& hash) override {
    enter(StoreMethod::kClearCrashes, &hash);
    return inner_.clear_crashes(hash);
  }
  std::chrono::system_clock::time_point now() override {
    enter(StoreMethod::kNow, nullptr);
    std::lock_guard lock(mutex_);
    return std::chrono::system_clock::now() + clock_offset_;
  }
  void note_user(std::string_view jugfile) override {
    enter(StoreMethod::kNoteUser, nullptr);
    inner_.note_user(jugfile);
  }
  std::vector<std::string> list_users() override {
    enter(StoreMethod::kListUsers, nullptr);
    return inner_.list_users();
  }

 private:
  /// A record whose reading finds it replaced.
  class ReplacedWhileRead final : public jug::RecordSource {
   public:
    explicit ReplacedWhileRead(std::uint64_t size) : size_(size) {}
    std::uint64_t size() const override { return size_; }
    std::size_t read_at(std::uint64_t, std::span<char>) override {
      throw jug::RecordReplaced("the record was replaced while it was read");
    }

   private:
    std::uint64_t size_;
  };

  std::vector<std::pair<jug::TaskHash, unsigned>> replaced_reads_;
  std::chrono::system_clock::duration clock_offset_{};
  struct Fault {
    StoreMethod method;
    std::optional<jug::TaskHash> hash;
    unsigned nth;
    unsigned times;
    unsigned seen;
  };
  struct Hook {
    StoreMethod method;
    std::optional<jug::TaskHash> hash;  // none: any call
    std::function<void(jug::MemoryStore&)> action;
    bool once;
    bool done;
  };

  /// Counts the call, runs due hooks, and throws when a fault is due.
  void enter(StoreMethod method, const jug::TaskHash* hash) {
    std::vector<std::function<void(jug::MemoryStore&)>> actions;
    bool fail = false;
    {
      std::lock_guard lock(mutex_);
      ++calls_[static_cast<std::size_t>(method)];
      for (Hook& h : hooks_) {
        const bool about_it = !h.hash || (hash != nullptr && *h.hash == *hash);
        if (!h.done && h.method == method && about_it) {
          h.done = h.once;
          actions.push_back(h.action);
        }
      }
      for (Fault& f : faults_) {
        if (f.method != method) continue;
        if (f.hash && (hash == nullptr || *f.hash != *hash)) continue;
        ++f.seen;
        if (f.seen >= f.nth && (f.times == 0 || f.seen < f.nth + f.times)) fail = true;
      }
    }
    for (auto& action : actions) action(inner_);
    if (fail) {
      throw jug::StoreError(std::string("injected fault: ") + method_name(method) +
                            " failed (disk on fire)");
    }
  }

  jug::MemoryStore inner_;
  mutable std::mutex mutex_;
  std::array<unsigned, static_cast<std::size_t>(StoreMethod::kCount)> calls_{};
  std::vector<Fault> faults_;
  std::vector<Hook> hooks_;
  std::vector<std::pair<jug::TaskHash, Read>> reads_;
};

}  // namespace jug_test
