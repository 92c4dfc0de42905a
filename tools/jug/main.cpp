/// The `jug` command: `jug SUBCOMMAND [FILE] [options] [-- args]`.
///
/// It only finds the jugfile, makes sure there is a program for it (see
/// jugfile_program.hpp) and becomes that program, which parses the options
/// and does the work. Keeping jug this thin means a jugfile program and
/// `jug` always accept the same command line, and options need no change
/// here.

#include <fmt/format.h>

#include <cstdio>
#include <cstdlib>
#include <exception>
#include <filesystem>
#include <optional>
#include <span>
#include <string>
#include <system_error>
#include <vector>

#include "arguments.hpp"
#include "demo.hpp"
#include "install_skills.hpp"
#include "huge_pages.hpp"
#include "jugfile_program.hpp"
#include "process.hpp"
#include "python_jugfile.hpp"
#include "subcommands.hpp"
#include "test_jug.hpp"
#include "tool_error.hpp"
#include "usage.hpp"
#include "user_subcommand.hpp"
#include "webstatus.hpp"

namespace jug::tool {
namespace {

namespace fs = std::filesystem;

const char* environment(const char* name) { return std::getenv(name); }

/// This jug command's own path (what `jug webstatus` runs again).
std::string own_path() {
  std::error_code error;
  const fs::path self = fs::read_symlink("/proc/self/exe", error);
  return error ? std::string("jug") : self.string();
}

std::string working_directory() {
  std::error_code error;
  fs::path cwd = fs::current_path(error);
  return error ? std::string(".") : cwd.string();
}

int unknown_subcommand(const std::string& name) {
  std::string message =
      fmt::format("jug: unknown subcommand '{}' (and no jug-{} on PATH)\n", name, name);
  if (std::optional<std::string_view> suggestion = suggest_subcommand(name)) {
    message += fmt::format("Did you mean 'jug {}'?\n", *suggestion);
  }
  message += "\nThe subcommands are:\n" + subcommand_listing();
  fmt::print(stderr, "{}", message);
  return kExitUsage;
}

int run(const std::vector<std::string>& args) {
  if (args.empty()) {
    fmt::print(stderr, "jug: no subcommand given\n\n{}", usage());
    return kExitUsage;
  }
  const std::string& first = args[0];
  if (first == "--help" || first == "-h") {
    fmt::print("{}", usage());
    return 0;
  }
  if (first == "--version") {
    fmt::print("jug {}\n", kVersion);
    return 0;
  }
  if (first.starts_with('-')) {
    fmt::print(stderr, "jug: '{}' before the subcommand; the subcommand comes first\n\n{}", first,
               usage());
    return kExitUsage;
  }
  // Subcommands without a jugfile.
  if (first == "import") run_python_module("jug._import", args);  // a Python jug store taken over
  if (first == "demo") return write_demo();
  if (first == "test-jug") return test_jug({args.begin() + 1, args.end()});
  if (first == "install-skills") return install_skills({args.begin() + 1, args.end()});
  if (first == "webstatus") return webstatus({args.begin() + 1, args.end()}, own_path());
  const Subcommand* subcommand = find_subcommand(first);
  if (subcommand == nullptr) {
    if (const std::optional<std::string> program = find_user_subcommand(first)) {
      run_user_subcommand(*program, {args.begin() + 1, args.end()});
    }
    return unknown_subcommand(first);
  }

  const ScannedArguments scanned =
      scan_arguments(std::span(args).subspan(1), takes_patterns(subcommand->name));
  if (scanned.version) {
    fmt::print("jug {}\n", kVersion);
    return 0;
  }
  std::error_code error;
  std::string file = scanned.file.value_or(kDefaultJugfile);
  if (!scanned.file && !fs::exists(file, error) && fs::exists(kDefaultPythonJugfile, error)) {
    file = kDefaultPythonJugfile;
  }
  if (!fs::exists(file, error)) {
    if (scanned.help) {
      fmt::print("{}", generic_subcommand_help(*subcommand));
      return 0;
    }
    // Without a FILE, the user may not know jug takes one: say how.
    const std::string hint =
        scanned.file ? "" : fmt::format(" (give the jugfile as: jug {} FILE)", subcommand->name);
    throw ToolError(
        fmt::format("no jugfile: {} does not exist in {}{}", file, working_directory(), hint),
        kExitUsage);
  }
  // `jug submit` writes this command into its job scripts: workers run
  // the jug that queued them, wherever PATH leads on the nodes.
  std::error_code self_error;
  const fs::path self = fs::read_symlink("/proc/self/exe", self_error);
  if (!self_error) ::setenv("JUG_COMMAND", self.c_str(), 1);
  ::setenv("GLIBC_TUNABLES", tunables_with_huge_pages(environment("GLIBC_TUNABLES")).c_str(), 1);
  // The program is told it is "jug", so that its help and messages read as
  // the command the user typed, not as a path in the build cache. It needs
  // its own path for nothing: FILE names its store.
  const std::vector<std::string> argv =
      program_arguments("jug", subcommand->name, file, scanned.others);
  if (is_python_jugfile(file)) run_python_jugfile(argv);
  replace_process(
      jugfile_program(file, environment, shows_result_values(subcommand->name)), argv);
}

}  // namespace
}  // namespace jug::tool

int main(int argc, char** argv) {
  using namespace jug::tool;
  try {
    return run(std::vector<std::string>(argv + 1, argv + argc));
  } catch (const ToolError& e) {
    fmt::print(stderr, "jug: {}\n", e.what());
    return e.exit_code();
  } catch (const std::exception& e) {
    fmt::print(stderr, "jug: internal error: {}\n", e.what());
    return kExitFailure;
  }
}
