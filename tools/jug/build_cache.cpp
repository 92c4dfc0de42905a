#include "build_cache.hpp"

#include <fstream>

#include <fcntl.h>
#include <fmt/format.h>
#include <pwd.h>
#include <sys/file.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <system_error>

#include "tool_error.hpp"

namespace jug::tool {

namespace fs = std::filesystem;

namespace {

constexpr std::string_view kProgramName = "program";
constexpr std::string_view kTemporaryPrefix = "program.tmp.";

ToolError cache_error(const std::string& what, const fs::path& path, const std::string& why) {
  return ToolError(fmt::format("cannot {} {} in the build cache: {}; set JUG_CACHE_DIR to a "
                               "writable directory",
                               what, path.string(), why),
                   kExitFailure);
}

/// An exclusive flock held for the lifetime of the object.
class BuildLock {
 public:
  explicit BuildLock(const fs::path& path) {
    fd_ = ::open(path.c_str(), O_RDWR | O_CREAT | O_CLOEXEC, 0666);
    if (fd_ < 0) throw cache_error("create the lock", path, std::strerror(errno));
    if (::flock(fd_, LOCK_EX | LOCK_NB) == 0) return;
    if (errno != EWOULDBLOCK) fail(path);
    // Someone else is compiling this very program: say why we stand still.
    fmt::print(stderr, "jug: waiting for another jug compiling the same jugfile...\n");
    std::fflush(stderr);
    while (::flock(fd_, LOCK_EX) != 0) {
      if (errno != EINTR) fail(path);
    }
  }
  ~BuildLock() { ::close(fd_); }  // closing releases the lock
  BuildLock(const BuildLock&) = delete;
  BuildLock& operator=(const BuildLock&) = delete;

 private:
  [[noreturn]] void fail(const fs::path& path) {
    const std::string why = std::strerror(errno);
    ::close(fd_);
    throw cache_error("lock", path, why);
  }

  int fd_ = -1;
};

/// Flushes `path` to disk, so that a crash cannot leave a truncated program
/// in place under a name that says it is complete.
void sync_file(const fs::path& path) {
  const int fd = ::open(path.c_str(), O_RDONLY | O_CLOEXEC);
  if (fd < 0) throw cache_error("open", path, std::strerror(errno));
  const int result = ::fsync(fd);
  const int error = errno;
  ::close(fd);
  if (result != 0) throw cache_error("flush", path, std::strerror(error));
}

/// Removes what earlier builds of this key left behind when killed mid
/// compile. Only called under the build lock, when no one else builds here.
void remove_stale_temporaries(const fs::path& directory) {
  std::error_code error;
  for (const fs::directory_entry& entry : fs::directory_iterator(directory, error)) {
    if (entry.path().filename().string().starts_with(kTemporaryPrefix)) {
      std::error_code ignored;
      fs::remove(entry.path(), ignored);
    }
  }
}

std::string host_name() {
  char name[256] = {};
  if (::gethostname(name, sizeof name - 1) != 0) return "host";
  return name;
}

}  // namespace

fs::path cache_directory(const std::function<const char*(const char*)>& getenv) {
  auto non_empty = [&](const char* name) -> const char* {
    const char* value = getenv(name);
    return value != nullptr && *value != '\0' ? value : nullptr;
  };
  if (const char* dir = non_empty("JUG_CACHE_DIR")) return fs::path(dir);
  if (const char* xdg = non_empty("XDG_CACHE_HOME");
      xdg != nullptr && fs::path(xdg).is_absolute()) {
    return fs::path(xdg) / "jug";
  }
  if (const char* home = non_empty("HOME")) return fs::path(home) / ".cache" / "jug";
  if (const passwd* entry = ::getpwuid(::getuid()); entry != nullptr && entry->pw_dir != nullptr) {
    return fs::path(entry->pw_dir) / ".cache" / "jug";
  }
  throw ToolError(
      "cannot find a directory for the build cache: HOME is not set; "
      "set JUG_CACHE_DIR",
      kExitFailure);
}

fs::path BuildCache::program_path(std::string_view key) const {
  return root_ / "builds" / key / kProgramName;
}

bool BuildCache::failed_before(std::string_view key) const {
  std::error_code error;
  return fs::exists(root_ / "builds" / fmt::format("{}.failed", key), error);
}

fs::path BuildCache::note_failure(std::string_view key, std::string_view output) const {
  std::error_code error;
  fs::create_directories(root_ / "builds", error);
  const fs::path marker = root_ / "builds" / fmt::format("{}.failed", key);
  std::ofstream(marker) << output;
  return marker;
}

std::optional<fs::path> BuildCache::find(std::string_view key) const {
  const fs::path program = program_path(key);
  std::error_code error;
  if (fs::is_regular_file(program, error)) return program;
  return std::nullopt;
}

std::optional<fs::path> BuildCache::build(std::string_view key,
                                          const std::function<bool(const fs::path&)>& compile) {
  const fs::path builds = root_ / "builds";
  std::error_code error;
  fs::create_directories(builds, error);
  if (error) throw cache_error("create", builds, error.message());

  const BuildLock lock(builds / fmt::format("{}.lock", key));
  if (std::optional<fs::path> built = find(key)) return built;  // built while we waited

  const fs::path directory = builds / key;
  fs::create_directories(directory, error);
  if (error) throw cache_error("create", directory, error.message());
  remove_stale_temporaries(directory);

  const fs::path temporary =
      directory / fmt::format("{}{}.{}", kTemporaryPrefix, host_name(), ::getpid());
  const fs::path program = directory / kProgramName;
  bool compiled = false;
  try {
    compiled = compile(temporary) && fs::is_regular_file(temporary, error);
    if (compiled) {
      sync_file(temporary);
      fs::rename(temporary, program, error);
      if (error) throw cache_error("install", program, error.message());
    }
  } catch (...) {
    fs::remove(temporary, error);
    fs::remove(directory, error);
    throw;
  }
  if (!compiled) {
    fs::remove(temporary, error);
    fs::remove(directory, error);  // only if empty: fs::remove never recurses
    return std::nullopt;
  }
  return program;
}

}  // namespace jug::tool
