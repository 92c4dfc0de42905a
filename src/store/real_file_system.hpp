#pragma once
/// The operating system's file system: each FileSystem call is the one
/// system call it names, with O_CLOEXEC on every descriptor (a worker's
/// child processes must not inherit the store's files).

#include <memory>

#include "store/file_system.hpp"

namespace jug {

/// The one real file system, shared: it keeps no state of its own.
std::shared_ptr<FileSystem> real_file_system();

}  // namespace jug
