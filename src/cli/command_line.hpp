#pragma once
/// The parsed command line of a jugfile program:
///   PROGRAM SUBCOMMAND [JUGFILE] [options] [-- args for the jugfile]

#include <chrono>
#include <cstdint>
#include <optional>
#include <string>
#include <variant>
#include <vector>

#include "cli/jugdir.hpp"
#include "commands/cleanup.hpp"
#include "commands/execute.hpp"
#include "store/store.hpp"

namespace jug::cli {

struct StatusFlags {
  bool json = false;
  /// Read and check every stored result.
  bool verify = false;
  /// --cache: the tasks found finished are kept in `cache_file`
  /// (commands/status_cache.hpp); --cache-file implies it.
  bool cache = false;
  std::string cache_file = ".jugstatus.jugcache";
  /// --clear: remove `cache_file`, and show nothing.
  bool clear_cache = false;
};

struct GraphFlags {
  /// --format: dot, json, or what Graphviz's `dot -T` renders (svg, png,
  /// pdf); empty: Python jug's files, <jugfile>.dot and <jugfile>.png.
  std::string format;
  /// -o: where --format's output goes; empty: stdout.
  std::string output;
  bool tasks = false;
  bool no_status = false;
  /// --tasks refuses graphs of more tasks than this (--max-tasks).
  unsigned max_tasks = 2000;
};

/// `jug show`, `jug why` and `jug export`.
struct ShowFlags {
  /// The tasks to tell of (--target's syntax, target_pattern.hpp): the
  /// positional patterns and --target.
  std::vector<std::string> patterns;
  bool json = false;
  /// At most this many tasks are told of (--max-tasks); the rest counted.
  unsigned max_tasks = 20;
  /// `jug export`: json or csv, and the file (empty: stdout).
  std::string format = "json";
  std::string output;
};

struct SubmitFlags {
  /// --workers: how many workers to queue (an array of this size).
  unsigned workers = 0;
  /// --scheduler as given; empty: the one installed.
  std::string scheduler;
  /// -j: CPUs per worker, and tasks it runs at once.
  unsigned cpus = 1;
  std::optional<std::chrono::seconds> time_limit;
  std::optional<std::chrono::seconds> stop_before;
  std::optional<std::uint64_t> memory_mib;
  std::string queue;
  std::string account;
  std::string name;
  std::string parallel_environment = "smp";
  std::vector<std::string> raw_options;
  bool dry_run = false;
  bool wait = false;
};

struct CommandLine {
  std::string subcommand;
  /// The jugfile as named on the command line (by the jug command), else the
  /// program's source (program_jugfile.hpp); names the default store
  /// directory, beside it.
  std::string jugfile;
  /// --jugdir before expansion of %(jugfile)s and %(date)s.
  std::string jugdir = "%(jugfile)s.jugdata";
  bool verbose = false;
  /// --short (Python jug takes it with every subcommand): status in one
  /// line; execute without its table of the tasks it ran.
  bool short_output = false;
  /// execute --pdb: the first failed task runs again in a debugger
  /// (failed_task_debugger.hpp); implies --debug.
  bool pdb = false;
  StoreOptions store;
  /// execute: honour JUG_MAX_* and JUG_EXIT_IF_FILE_EXISTS.
  bool check_environment = true;
  ExecuteOptions execute;
  /// --print-options: say each option's value and origin, and exit.
  bool print_options = false;
  /// execute --quiet: errors and the summary only, no progress line.
  bool quiet = false;
  /// execute: where the progress goes to a log, a line this often.
  std::chrono::duration<double> progress_every{30};
  /// execute --trace FILE (trace_file.hpp); empty: none.
  std::string trace;
  /// execute --explain: why each task runs, as it starts (why.hpp).
  bool explain = false;
  StatusFlags status;
  GraphFlags graph;
  ShowFlags show;
  std::string target;  // invalidate, graph
  CleanupOptions cleanup;
  SubmitFlags submit;
  std::vector<std::string> jugfile_arguments;
};

/// Either a command line to run, or the exit code to leave with (after
/// --help: 0; after a usage error, already reported on stderr: 2).
using ParseResult = std::variant<CommandLine, int>;

/// `program_source`: the file that calls jug::main (program_jugfile.hpp).
ParseResult parse_command_line(int argc, char** argv, std::string_view program_source = {});

/// The jugfile's absolute path (`jugfile` as on the command line, made
/// absolute from the working directory): how execute notes in the store
/// that this jugfile uses it, and how cleanup tells it from the others.
std::string absolute_jugfile(const std::string& jugfile);


}  // namespace jug::cli
