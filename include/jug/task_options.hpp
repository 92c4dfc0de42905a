#pragma once
/// jug::TaskOptions: what identifies a generator's tasks (or a tasklet
/// function's views) besides its name and their arguments.

#include <cstdint>

namespace jug {

struct TaskOptions {
  /// The version of the function's code. The code itself is not hashed, so
  /// after a change to what the function computes (a bug fixed), bump this:
  /// the generator's tasks, and everything downstream of them, get new
  /// hashes and are computed again; nothing else is. 0, the default, adds
  /// nothing to the hash (docs/hashing.md).
  std::uint64_t version = 0;
};

}  // namespace jug
