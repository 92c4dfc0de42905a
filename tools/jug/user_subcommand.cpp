#include "user_subcommand.hpp"

#include <algorithm>
#include <cctype>
#include <cstdlib>
#include <filesystem>
#include <span>
#include <system_error>

#include "arguments.hpp"
#include "build_key.hpp"
#include "cli/jugdir.hpp"
#include "process.hpp"
#include "usage.hpp"

namespace jug::tool {
namespace {

namespace fs = std::filesystem;

bool plain_name(std::string_view name) {
  return !name.empty() && std::all_of(name.begin(), name.end(), [](unsigned char c) {
    return std::isalnum(c) || c == '-' || c == '_';
  });
}

/// The value of --jugdir among `args` (before `--`), or nothing.
std::optional<std::string> jugdir_option(std::span<const std::string> args) {
  std::optional<std::string> found;
  for (std::size_t i = 0; i < args.size() && args[i] != "--"; ++i) {
    if (args[i] == "--jugdir" && i + 1 < args.size()) {
      found = args[++i];
    } else if (args[i].starts_with("--jugdir=")) {
      found = args[i].substr(std::string_view("--jugdir=").size());
    }
  }
  return found;
}

std::string absolute(const std::string& path) {
  std::error_code error;
  const fs::path made = fs::absolute(path, error);
  return error ? path : made.lexically_normal().string();
}

/// A store location that names a directory is made absolute (the user
/// subcommand may change directory); a URL is left as it is.
std::string absolute_store(const std::string& location) {
  return location.find("://") != std::string::npos ? location : absolute(location);
}

}  // namespace

std::optional<std::string> find_user_subcommand(std::string_view name) {
  if (!plain_name(name)) return std::nullopt;
  const std::string command = "jug-" + std::string(name);
  const fs::path found = find_in_path(command);
  // find_in_path gives the name back as it is where PATH has no such program.
  if (found == command) return std::nullopt;
  return found.string();
}

void run_user_subcommand(const std::string& program, const std::vector<std::string>& args) {
  const ScannedArguments scanned = scan_arguments(args);
  std::error_code error;
  std::string jugfile = scanned.file.value_or(kDefaultJugfile);
  if (!scanned.file && !fs::exists(jugfile, error) && fs::exists(kDefaultPythonJugfile, error)) {
    jugfile = kDefaultPythonJugfile;
  }
  const std::string jugdir =
      cli::expand_jugdir(jugdir_option(args).value_or("%(jugfile)s.jugdata"), jugfile);
  std::error_code self_error;
  const fs::path self = fs::read_symlink("/proc/self/exe", self_error);
  if (!self_error) ::setenv("JUG_COMMAND", self.c_str(), 1);
  ::setenv("JUG_JUGFILE", absolute(jugfile).c_str(), 1);
  ::setenv("JUG_JUGDIR", absolute_store(jugdir).c_str(), 1);
  std::vector<std::string> argv{program};
  argv.insert(argv.end(), args.begin(), args.end());
  replace_process(program, argv);
}

}  // namespace jug::tool
