#pragma once
/// Input files as task arguments:
///
///   const jug::TaskGenerator count_words("count_words", [](const std::string& path) {...});
///   count_words(jug::input_file("data/a.txt"));
///
/// The function receives the path. The task's hash covers the path and the
/// file's size and modification time (or, with `.hash_content`, a SHA-256 of
/// its bytes), read when the graph is built: changing the file recomputes
/// exactly the tasks that read it, and what depends on them.

#include <string>

#include "jug/argument_hashing.hpp"

namespace jug {

struct InputFileOptions {
  /// Hash the file's bytes instead of its size and time: slower for large
  /// files, but touching a file (or copying it anew) then recomputes nothing.
  bool hash_content = false;
};

/// Throws jug::Error when the file cannot be read (named, with the reason).
HashedAs<std::string> input_file(const std::string& path, InputFileOptions options = {});

}  // namespace jug
