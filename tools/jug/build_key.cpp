#include "build_key.hpp"

#include <fmt/format.h>
#include <nettle/sha2.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <array>
#include <cstdint>
#include <cstdlib>
#include <memory>
#include <set>
#include <string_view>
#include <system_error>

#include "compiler_flags.hpp"
#include "local_includes.hpp"
#include "text.hpp"
#include "tool_error.hpp"

namespace jug::tool {

namespace fs = std::filesystem;

namespace {

/// Change this when what goes into the key changes, so that programs built
/// under the old rules are not mistaken for current ones.
constexpr std::string_view kBuildKeyVersion = "jug-build-key-1";

/// SHA-256 (nettle). Every field is written with a tag and its length, so
/// that no two different input lists hash the same bytes ("ab"+"c" vs "a"+"bc").
class KeyHasher {
 public:
  KeyHasher() { sha256_init(&context_); }

  void field(std::string_view tag, std::string_view bytes) {
    raw(tag);
    const std::uint64_t size = bytes.size();
    std::array<unsigned char, 8> size_bytes{};
    for (std::size_t i = 0; i < size_bytes.size(); ++i) size_bytes[i] = (size >> (8 * i)) & 0xff;
    update(size_bytes.data(), size_bytes.size());
    raw(bytes);
  }

  std::string hex_digest() {
    std::array<std::uint8_t, SHA256_DIGEST_SIZE> digest{};
    sha256_digest(&context_, digest.size(), digest.data());
    std::string hex;
    hex.reserve(2 * digest.size());
    for (std::uint8_t byte : digest) hex += fmt::format("{:02x}", byte);
    return hex;
  }

 private:
  void raw(std::string_view bytes) { update(bytes.data(), bytes.size()); }
  void update(const void* data, std::size_t size) {
    sha256_update(&context_, size, static_cast<const std::uint8_t*>(data));
  }

  sha256_ctx context_;
};

/// Size and modification time (to the nanosecond) of `path`, or "missing".
std::string stamp(const fs::path& path) {
  struct stat info {};
  if (::stat(path.c_str(), &info) != 0) return "missing";
  return fmt::format("{} {}.{:09}", static_cast<long long>(info.st_size),
                     static_cast<long long>(info.st_mtim.tv_sec),
                     static_cast<long>(info.st_mtim.tv_nsec));
}

bool is_source_or_header(const fs::path& path) {
  static const std::set<std::string> kExtensions{".c",   ".cc",  ".cpp", ".cxx", ".c++", ".C",
                                                 ".h",   ".hh",  ".hpp", ".hxx", ".h++", ".H",
                                                 ".inl", ".ipp", ".tpp", ".inc"};
  return kExtensions.contains(path.extension().string());
}

void add_closure(KeyHasher& hasher, std::string_view tag, const fs::path& file,
                 std::span<const fs::path> include_dirs) {
  for (const LocalFile& local : local_include_closure(file, include_dirs)) {
    hasher.field(tag, local.content);
  }
}

}  // namespace

std::string build_key(const BuildInputs& inputs) {
  KeyHasher hasher;
  hasher.field("version", kBuildKeyVersion);

  const std::vector<fs::path> include_dirs = include_directories(inputs.extra_cxxflags);
  add_closure(hasher, "source", inputs.source, include_dirs);

  hasher.field("config", inputs.compile_config);
  for (const std::string& flag : inputs.extra_cxxflags) hasher.field("cxxflag", flag);
  for (const std::string& lib : inputs.extra_libs) hasher.field("lib", lib);
  hasher.field("compiler", inputs.compiler.string());
  hasher.field("compiler-stamp", stamp(inputs.compiler));

  std::vector<std::string> words = inputs.libs;
  words.insert(words.end(), inputs.extra_cxxflags.begin(), inputs.extra_cxxflags.end());
  words.insert(words.end(), inputs.extra_libs.begin(), inputs.extra_libs.end());
  for (const fs::path& file : named_files(words)) {
    hasher.field("file", file.string());
    if (is_source_or_header(file)) {
      add_closure(hasher, "file-source", file, include_dirs);
    } else {
      hasher.field("file-stamp", stamp(file));
    }
  }
  return hasher.hex_digest();
}

fs::path find_in_path(const std::string& command) {
  if (command.find('/') != std::string::npos) return command;
  const char* path = std::getenv("PATH");
  if (path == nullptr) return command;
  std::string_view directories(path);
  while (true) {
    const std::size_t colon = std::min(directories.find(':'), directories.size());
    // An empty entry means the working directory, as in execvp.
    const fs::path directory(colon == 0 ? std::string_view(".") : directories.substr(0, colon));
    const fs::path candidate = directory / command;
    std::error_code error;
    if (::access(candidate.c_str(), X_OK) == 0 && fs::is_regular_file(candidate, error)) {
      return candidate;
    }
    if (colon == directories.size()) break;
    directories.remove_prefix(colon + 1);
  }
  return command;
}

}  // namespace jug::tool
