#include "store/file_store_errors.hpp"

#include <system_error>

#include <fmt/format.h>

namespace jug {

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

StoreError store_error(std::string_view doing, const posix::IoError& e, Access access,
                       const std::string& root) {
  return StoreError(fmt::format("{}: {}: {}. {}", doing, e.path,
                                std::generic_category().message(e.err),
                                advice(e.err, access, root)));
}

StoreError lock_error(const TaskHash& hash, const posix::IoError& e, const std::string& root) {
  return store_error(fmt::format("cannot take the lock of task {}", hash.hex()), e, Access::write,
                     root);
}

}  // namespace jug
