#pragma once
/// Names in the file store: files named after a task's hash.

#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "jug/task_hash.hpp"
#include "store/file_system.hpp"
#include "store/store.hpp"

namespace jug {

inline constexpr std::string_view kLockSuffix = ".lock";
/// Beside a lock: the file of a worker breaking it, and a dead holder's last
/// words.
inline constexpr std::string_view kBreakerSuffix = ".lock.break";
inline constexpr std::string_view kLastWordsSuffix = ".lock.died";
/// In a store of format 3: the lone worker's lease, and a worker's marker
/// (`<writer tag>.worker`), docs/store-layout.md, "The lone worker".
inline constexpr std::string_view kLoneLeaseName = "lone-worker.lock";
inline constexpr std::string_view kWorkerMarkerSuffix = ".worker";
/// What the temporary file of the store's format file, at the top of the
/// store, is about (writer_tag.hpp).
inline constexpr std::string_view kFormatTempWhat = ".jugdata-format";

/// The lease only one `jug pack` holds at a time (file_store_pack.cpp),
/// kept among the tasks' leases but listed with none of them: no task's,
/// it is neither a running task for status nor an orphan for cleanup.
inline const TaskHash& pack_lease() {
  static const TaskHash hash = TaskHash::of("jug pack");
  return hash;
}

/// Whether the worker whose marker is named `name` is gone, known without
/// the lease time: of one on this machine, by its process (one of another
/// machine is judged by its renewals, with the lease time, in
/// FileStore::remove_abandoned_files). file_store_lone_lease.cpp.
bool worker_marker_gone(std::string_view name, const LeaseOwner& self);

/// The hashes named by the files of `directory` (`failed/`, `crashes/`;
/// none when it is missing). file_store_failures.cpp. Throws IoError.
std::vector<TaskHash> hashes_in(FileSystem& fs, const std::string& directory);

/// The hash a `<hex><suffix>` file name stands for (64 hex digits, or 40
/// for a Python jug hash), or nullopt.
inline std::optional<TaskHash> hash_of_name(std::string_view name, std::string_view suffix = {}) {
  if (name.size() < suffix.size() || !name.ends_with(suffix)) return std::nullopt;
  return TaskHash::from_hex(name.substr(0, name.size() - suffix.size()));
}

}  // namespace jug
