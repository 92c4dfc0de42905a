#include "test_jug.hpp"

#include <fmt/format.h>
#include <unistd.h>

#include <cerrno>
#include <chrono>
#include <cstdlib>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <optional>
#include <regex>
#include <system_error>

#include "compile_config.hpp"
#include "jug_tool/embedded_files.hpp"
#include "process.hpp"
#include "text.hpp"
#include "tool_error.hpp"
#include "usage.hpp"

namespace jug::tool {
namespace {

namespace fs = std::filesystem;
using Clock = std::chrono::steady_clock;

/// The check that failed: what to tell the user.
struct CheckFailed {
  std::string what;
};

double seconds_since(Clock::time_point start) {
  return std::chrono::duration<double>(Clock::now() - start).count();
}

void ok(const std::string& what) { fmt::print("  ok    {}\n", what); }

/// The last lines of `text`, indented, for a failure's details.
std::string tail(std::string_view text, std::size_t lines = 15) {
  const std::vector<std::string_view> all = split_lines(text);
  std::string out;
  for (std::size_t i = all.size() > lines ? all.size() - lines : 0; i < all.size(); ++i) {
    out += fmt::format("        {}\n", all[i]);
  }
  return out;
}

/// How many tasks a worker's output says it ran ("Executed 12 tasks").
std::optional<long> executed(const std::string& output) {
  static const std::regex pattern("Executed ([0-9]+) tasks?");
  std::smatch match;
  if (!std::regex_search(output, match, pattern)) return std::nullopt;
  return std::stol(match[1].str());
}

struct Run {
  std::string self;  // this jug
  fs::path work;     // the temporary directory
  std::optional<std::string> jugdir;
  std::string salt;
};

/// The jugfile `name` (written into the work directory) on two workers,
/// then read back: each step checked, as described in test_jug.hpp.
void check_jugfile(const Run& run, const std::string& name, const char* text,
                   const std::string& label, const std::string& task_pattern) {
  const fs::path file = run.work / name;
  std::ofstream(file) << text;
  const std::string store = run.jugdir.value_or((run.work / (name + ".jugdata")).string());
  const auto command = [&](std::vector<std::string> words) {
    words.insert(words.begin(), run.self);
    for (const std::string& w : {file.string(), std::string("--jugdir"), store, std::string("--"),
                                 run.salt}) {
      words.push_back(w);
    }
    return words;
  };
  int status = 0;
  Clock::time_point start = Clock::now();
  std::string output = run_and_capture(command({"status"}), &status, true);
  if (status != 0) {
    throw CheckFailed{fmt::format("{} does not build or run (jug status exits {}):\n{}", label,
                                  status, tail(output))};
  }
  ok(fmt::format("{} builds, and jug status runs on {} ({:.1f} s)", label, store,
                 seconds_since(start)));

  start = Clock::now();
  const std::vector<std::string> logs{(run.work / (name + ".worker1.log")).string(),
                                      (run.work / (name + ".worker2.log")).string()};
  const std::vector<int> statuses =
      run_together({command({"execute"}), command({"execute"})}, logs);
  long total = 0;
  for (std::size_t i = 0; i < statuses.size(); ++i) {
    const std::string log = read_file(logs[i]);
    const std::optional<long> count = executed(log);
    if (statuses[i] != 0 || !count) {
      throw CheckFailed{fmt::format("worker {} of {} failed (exit {}):\n{}", i + 1, label,
                                    statuses[i], tail(log))};
    }
    total += *count;
  }
  if (total != 21) {
    throw CheckFailed{fmt::format(
        "the two workers of {} ran {} tasks between them, not 21 (each of 21 tasks once): "
        "their logs are {} and {}",
        label, total, logs[0], logs[1])};
  }
  ok(fmt::format("two workers ran its 21 tasks, each once ({:.1f} s)", seconds_since(start)));

  output = run_and_capture(command({"check"}), &status, true);
  if (status != 0) {
    throw CheckFailed{fmt::format(
        "{}'s result does not read back right (jug check exits {}):\n{}", label, status,
        tail(output))};
  }
  output = run_and_capture(command({"status", "--verify"}), &status, true);
  if (status != 0) {
    throw CheckFailed{fmt::format("jug status --verify finds damage in {}'s results:\n{}", label,
                                  tail(output))};
  }
  ok("its results read back right (jug check, jug status --verify)");
  if (run.jugdir) {  // a store of the user's: leave it as it was
    output = run_and_capture(command({"invalidate", "--target", task_pattern}), &status, true);
    if (status != 0) {
      throw CheckFailed{fmt::format("cannot remove the check's results from {}:\n{}", store,
                                    tail(output))};
    }
  }
}

/// Says which check failed, and where its files were left to look at.
int broken(const Run& run, const std::string& what) {
  fmt::print("  FAIL  {}\n", what);
  fmt::print("jug test-jug: this installation is broken (see above); its files are in {}\n",
             run.work.string());
  return kExitFailure;
}

}  // namespace

int test_jug(const std::vector<std::string>& args) {
  Run run;
  for (std::size_t i = 0; i < args.size(); ++i) {
    if (args[i] == "--jugdir" && i + 1 < args.size()) {
      run.jugdir = args[++i];
    } else if (args[i].starts_with("--jugdir=")) {
      run.jugdir = args[i].substr(std::string_view("--jugdir=").size());
    } else if (args[i] == "--help" || args[i] == "-h") {
      fmt::print(
          "usage: jug test-jug [--jugdir STORE]\n\n"
          "Checks this installation: the compiler, a small jugfile compiled and run by two\n"
          "workers on a new store (or on STORE, a directory or a redis:// URL, whose other\n"
          "results are left alone), its results read back; the same for Python jugfiles\n"
          "where this jug runs them. Exits 1 naming what is broken.\n");
      return 0;
    } else {
      throw ToolError(fmt::format("test-jug takes only --jugdir STORE; '{}' is not that",
                                  args[i]),
                      kExitUsage);
    }
  }
  std::error_code error;
  run.self = fs::read_symlink("/proc/self/exe", error).string();
  if (error) throw ToolError("cannot find this jug (/proc/self/exe)", kExitFailure);
  run.salt = std::to_string(std::chrono::system_clock::now().time_since_epoch().count() ^
                            ::getpid());
  fmt::print("jug test-jug: checking jug {} ({})\n", kVersion, run.self);

  const Clock::time_point start = Clock::now();
  std::string temp_root = fs::temp_directory_path(error).string();
  std::string pattern = (fs::path(error ? "/tmp" : temp_root) / "jug-test-XXXXXX").string();
  if (::mkdtemp(pattern.data()) == nullptr) {
    throw ToolError(fmt::format("cannot make a temporary directory ({}): {}", pattern,
                                std::strerror(errno)),
                    kExitFailure);
  }
  run.work = pattern;
  int checks = 0;
  try {
    const CompileConfig config = load_compile_config(own_executable_directory());
    ok(fmt::format("compile configuration: {}", config.path.string()));
    int status = 0;
    const std::string version = run_and_capture({config.cxx, "--version"}, &status, true);
    if (status != 0) {
      throw CheckFailed{fmt::format("the compiler {} does not run (exit {}): install it, or "
                                    "set cxx= in {}",
                                    config.cxx, status, config.path.string())};
    }
    ok(fmt::format("compiler: {} ({})", version.substr(0, version.find('\n')), config.cxx));
    checks = 2;
    check_jugfile(run, "jugfile.cpp", embedded::kSelftestJugfile, "a C++ jugfile",
                  "test_jug.square");
    checks += 3;
    if (config.python.empty()) {
      fmt::print("  --    Python jugfiles: this jug was built without its Python front end\n");
    } else {
      check_jugfile(run, "jugfile.py", embedded::kSelftestPython,
                    fmt::format("a Python jugfile ({})", config.python), "jugfile.square");
      checks += 3;
    }
  } catch (const CheckFailed& failed) {
    return broken(run, failed.what);
  } catch (const ToolError& e) {  // no compile configuration, a command that cannot start
    return broken(run, e.what());
  }
  fs::remove_all(run.work, error);
  fmt::print("All {} checks passed in {:.1f} s.\n", checks, seconds_since(start));
  return 0;
}

}  // namespace jug::tool
