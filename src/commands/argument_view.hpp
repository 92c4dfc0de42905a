#pragma once
/// A task's argument as a person reads it, from its bytes in the task's
/// hash (docs/hashing.md) or their identity kept with a result
/// (RunMetadata::argument_identities): `jug show` lists arguments so, and
/// `jug why` says so which one changed. The bytes may come from a store,
/// so they are read with every length checked.

#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "engine/graph.hpp"

namespace jug {

struct ArgumentView {
  /// "value", "big value", "task", "tasklet", "structure", "input file",
  /// "key", "unhashed", "digest" (a long identity: only its digest is
  /// known), or "opaque" (bytes in another front end's form).
  std::string kind;
  /// One line: "task load 1a2b3c4d", "a value of 4 bytes", "input file
  /// data.csv (1,024 bytes, modified 2026-12-05 03:14:07 UTC)".
  std::string text;
  /// The tasks it holds (a task argument, or a structure of them), as far
  /// as this graph knows them.
  std::vector<NodeId> tasks;
};

/// How `identity` (an argument's hash bytes, or argument_identity() of
/// them) reads in `graph`.
ArgumentView view_argument(std::string_view identity, const Graph& graph);

/// An input file's key (jug::input_file) as its fields: path, size,
/// mtime_ns, sha256, each as given; nullopt for another key.
struct InputFileKey {
  std::string path;
  std::optional<std::string> size, mtime_ns, sha256;
};
std::optional<InputFileKey> parse_input_file_key(std::string_view key);

/// "2026-12-05 03:14:07 UTC" for ns since the Unix epoch.
std::string utc_time_text(std::int64_t unix_ns);

}  // namespace jug
