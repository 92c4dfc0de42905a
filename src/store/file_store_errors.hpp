#pragma once
/// File-store errors as the user reads them: what failed, on which path, and
/// what to do about it (free space, fix permissions, another --jugdir).

#include <string>
#include <string_view>

#include "jug/errors.hpp"
#include "jug/task_hash.hpp"
#include "store/posix_files.hpp"

namespace jug {

/// Whether a failure happened while changing the store or only reading it:
/// the advice differs (free space vs. read permissions).
enum class Access { read, write };

/// What to do about error `err` met in the store at `root`.
std::string advice(int err, Access access, const std::string& root);

/// "doing: path: strerror. advice."
StoreError store_error(std::string_view doing, const posix::IoError& e, Access access,
                       const std::string& root);

/// "cannot take the lock of task <hash>: ...": a lease not taken.
StoreError lock_error(const TaskHash& hash, const posix::IoError& e, const std::string& root);

}  // namespace jug
