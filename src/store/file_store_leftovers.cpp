// What writers killed half-way leave in the file store besides their leases:
// temporary files never renamed (tmp/, and the format file's at the top), and
// in locks/ the breaker of a worker that died breaking a lease, and the last
// words of a dead holder whose lease is gone, and in removals/ the mark of a
// process that died removing results (file_store_removals.cpp). Nobody would look at them
// again: whoever runs remove_abandoned_files removes those whose writer is
// gone, judged as a lease's holder is (lease_judge.hpp).

#include <algorithm>

#include <fmt/format.h>

#include "store/file_names.hpp"
#include "store/file_store.hpp"
#include "store/file_store_errors.hpp"
#include "store/lease_judge.hpp"
#include "store/posix_files.hpp"
#include "store/writer_tag.hpp"

namespace jug {

using namespace posix;

std::size_t FileStore::remove_abandoned_files(std::chrono::duration<double> lease_time,
                                              bool dry_run) {
  const LeaseOwner self = LeaseOwner::self();
  std::optional<std::chrono::system_clock::time_point> store_now;
  const auto now_once = [&] {
    if (!store_now) store_now = now();
    return *store_now;
  };
  std::size_t removed = 0;
  // Removes `path` unless another worker did first.
  const auto remove = [&](const std::string& path) {
    if (dry_run) {
      ++removed;
    } else if (const Errno err = fs_->unlink(path); err == 0) {
      ++removed;
    } else if (err != ENOENT) {
      throw IoError{err, path};
    }
  };
  const auto gone = [&](const LeaseInfo& written) {
    return abandoned_lease(written, self, lease_time, now_once).has_value();
  };
  const auto judge_temp = [&](const std::string& path, std::string_view name) {
    const std::optional<LeaseInfo> written = temp_file_writer(path, name);
    if (written && gone(*written)) remove(path);
  };
  try {
    const std::string tmp = root_ + "/tmp";
    if (Directory dir = open_directory(*fs_, tmp)) {
      while (const DirectoryEntry* entry = dir.next(tmp)) {
        const std::string_view name = entry->name;
        if (name != "." && name != "..") judge_temp(tmp + "/" + entry->name, name);
      }
    }
    if (Directory dir = open_directory(*fs_, root_)) {
      while (const DirectoryEntry* entry = dir.next(root_)) {
        const std::string_view name = entry->name;
        if (name.starts_with(kFormatTempWhat) && name.size() > kFormatTempWhat.size() &&
            name[kFormatTempWhat.size()] == '.') {
          judge_temp(root_ + "/" + entry->name, name);
        }
      }
    }
    const std::string locks = root_ + "/locks";
    // The lone worker's lease holds the tasks it names; one naming none, of
    // a worker that is gone, stands for nothing (one naming tasks is broken
    // with their crashes, as their leases are: remove_abandoned_leases).
    std::optional<LoneLease> lone = lone_worker_format_ ? read_lone_lease() : std::nullopt;
    if (lone && lone->tasks.empty()) {
      const LeaseInfo seen{TaskHash{}, lone->owner, lone->renewed};
      if (gone(seen) && (dry_run || break_lone_lease(seen))) ++removed;
    }
    if (Directory dir = open_directory(*fs_, locks)) {
      while (const DirectoryEntry* entry = dir.next(locks)) {
        const std::string_view name = entry->name;
        const std::string path = locks + "/" + entry->name;
        if (hash_of_name(name, kBreakerSuffix) ||
            (name.starts_with(kLoneLeaseName) && name.substr(kLoneLeaseName.size()) == ".break")) {
          if (remove_abandoned_breaker(path, dry_run)) ++removed;
        } else if (name.ends_with(kWorkerMarkerSuffix)) {
          // Renewed by its worker's lease keeper: judged as a lease.
          judge_temp(path, name.substr(0, name.size() - kWorkerMarkerSuffix.size()));
        } else if (const auto hash = hash_of_name(name, kLastWordsSuffix)) {
          // Taken by whoever breaks the lease, before the lock goes: words
          // without a lock were left by a lease removed another way
          // (cleanup --locks-only), or by a breaker that died.
          if (lone && std::find(lone->tasks.begin(), lone->tasks.end(), *hash) !=
                          lone->tasks.end()) {
            continue;
          }
          const std::string lock = lock_path(*hash);
          if (const Errno err = fs_->exists(lock); err != ENOENT) {
            if (err != 0) throw IoError{err, lock};
            continue;
          }
          remove(path);
        }
      }
    }
    removed += remove_abandoned_removal_marks(gone, dry_run);
  } catch (const IoError& e) {
    throw store_error("cannot remove the files left by workers that are gone", e, Access::write,
                      root_);
  }
  return removed;
}

std::optional<LeaseInfo> FileStore::temp_file_writer(const std::string& path,
                                                     std::string_view name) {
  FileStatus st;
  if (const Errno err = fs_->link_status(path, &st)) {
    if (err == ENOENT) return std::nullopt;  // gone meanwhile
    throw IoError{err, path};
  }
  if (st.type != FileType::regular) return std::nullopt;
  return LeaseInfo{TaskHash{}, writer_of_temp_file(name), st.modified};
}

}  // namespace jug
