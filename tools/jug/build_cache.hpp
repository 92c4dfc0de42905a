#pragma once
/// The cache of compiled jugfiles: `<root>/builds/<key>/program`.
///
/// A program is only ever seen complete: it is compiled under a temporary
/// name in its own directory, flushed, then renamed into place. Builds of
/// one key are serialised by an flock on `<root>/builds/<key>.lock`, and
/// whoever gets the lock looks again before compiling, so any number of
/// `jug execute &` started at once compile once. A hit takes no lock: a
/// program in place is complete by construction.

#include <filesystem>
#include <functional>
#include <optional>
#include <string>
#include <string_view>

namespace jug::tool {

/// Where the cache lives: $JUG_CACHE_DIR, else $XDG_CACHE_HOME/jug (if
/// absolute, as the XDG spec requires), else ~/.cache/jug. `getenv` is
/// injected so tests can give any environment. Throws ToolError if no home
/// directory can be found.
std::filesystem::path cache_directory(const std::function<const char*(const char*)>& getenv);

class BuildCache {
 public:
  explicit BuildCache(std::filesystem::path root) : root_(std::move(root)) {}

  /// Where the program for `key` is (or would be).
  std::filesystem::path program_path(std::string_view key) const;

  /// The program for `key`, if it is built.
  std::optional<std::filesystem::path> find(std::string_view key) const;

  /// The program for `key`, built if needed by calling `compile(output)`,
  /// which must write the program to `output` and return whether it
  /// succeeded. On failure nothing is left in place and this returns
  /// nullopt. Throws ToolError if the cache directory is unusable.
  std::optional<std::filesystem::path> build(
      std::string_view key,
      const std::function<bool(const std::filesystem::path& output)>& compile);

  /// Whether a build of `key` failed before, as note_failure() recorded: a
  /// build that may fail and has a fallback (a jugfile with JSON output) is
  /// not tried again on every run.
  bool failed_before(std::string_view key) const;
  /// Records that a build of `key` failed, with what the compiler said, in
  /// the file it returns (best effort: a cache that cannot be written tries
  /// again next time). Removing the file makes jug try again.
  std::filesystem::path note_failure(std::string_view key, std::string_view output) const;

 private:
  std::filesystem::path root_;
};

}  // namespace jug::tool
