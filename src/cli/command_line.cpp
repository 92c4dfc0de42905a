#include "cli/command_line.hpp"

#include <ctime>
#include <iostream>

#include <CLI/CLI.hpp>
#include <fmt/format.h>

namespace jug::cli {
namespace {

constexpr int kUsageError = 2;
constexpr const char* kSubcommandList =
    "execute, status, check, sleep-until, invalidate, cleanup, count";

void add_common(CLI::App& sub, CommandLine& cl) {
  sub.add_option("jugfile", cl.jugfile, "The jugfile (default: this program)");
  sub.add_option("--jugdir", cl.jugdir,
                 "Where results are stored (default %(jugfile)s.jugdata; %(date)s is today)");
  sub.add_flag("-v,--verbose", cl.verbose, "Say more");
}

std::string strip_extension(const std::string& path) {
  for (const char* ext : {".cpp", ".cc", ".cxx", ".C"}) {
    if (path.ends_with(ext) && path.size() > std::string_view(ext).size()) {
      return path.substr(0, path.size() - std::string_view(ext).size());
    }
  }
  return path;
}

}  // namespace

std::string expand_jugdir(const std::string& pattern, const std::string& jugfile) {
  std::string out = pattern;
  auto replace_all = [&out](std::string_view from, const std::string& to) {
    for (std::size_t at = out.find(from); at != std::string::npos;
         at = out.find(from, at + to.size())) {
      out.replace(at, from.size(), to);
    }
  };
  const std::time_t now = std::time(nullptr);
  std::tm local{};
  localtime_r(&now, &local);
  char date[16];
  std::strftime(date, sizeof date, "%Y-%m-%d", &local);
  replace_all("%(jugfile)s", strip_extension(jugfile));
  replace_all("%(date)s", date);
  return out;
}

ParseResult parse_command_line(int argc, char** argv) {
  CommandLine cl;
  // Everything after `--` belongs to the jugfile, not to us.
  std::vector<std::string> ours;
  for (int i = 1; i < argc; ++i) {
    if (std::string_view(argv[i]) == "--") {
      cl.jugfile_arguments.assign(argv + i + 1, argv + argc);
      break;
    }
    ours.emplace_back(argv[i]);
  }
  const std::string program = argc > 0 ? argv[0] : "jugfile";

  CLI::App app{"A jugfile: tasks with persistent memoization, run in parallel by jug.",
               program};
  app.require_subcommand(1, 1);
  app.set_help_all_flag("--help-all", "Help on every subcommand");
  app.footer("Arguments after -- are passed to the jugfile (jug::arguments()).");

  ExecuteOptions& ex = cl.execute;
  double wait_cycle_time = ex.wait_cycle_time.count();
  auto* execute = app.add_subcommand("execute", "Run every task that can run");
  add_common(*execute, cl);
  execute->add_option("--target", ex.target, "Only tasks matching this pattern, and what they need");
  execute->add_flag("--keep-going", ex.keep_going, "Carry on after a task fails");
  execute->add_flag("--keep-failed", ex.keep_failed,
                    "Do not retry tasks that failed in an earlier run");
  execute->add_option("--retries", ex.retries, "Run a task that throws up to N more times");
  execute->add_option("-j,--jobs", ex.jobs, "Tasks to run at once in this process")
      ->check(CLI::Range(1u, 4096u));
  execute->add_option("--wait-cycle-time", wait_cycle_time,
                      "Seconds per wait cycle while other workers hold needed tasks")
      ->check(CLI::PositiveNumber);
  execute->add_option("--nr-wait-cycles", ex.nr_wait_cycles, "Wait cycles before giving up");
  double lease_time = ex.lease_time.count();
  const auto add_lease_time = [&lease_time](CLI::App& sub) {
    sub.add_option("--lease-time", lease_time,
                   "Seconds after which the lease of a silent worker on another machine is "
                   "taken over (default 300; the same for every worker of a store)")
        ->check(CLI::PositiveNumber);
  };
  add_lease_time(*execute);
  execute->add_option("--max-crashes", ex.max_crashes,
                      "Mark a task failed once its worker has died this many times running it")
      ->check(CLI::Range(1u, 1000000u));
  bool no_check_environment = false;
  execute->add_flag("--no-check-environment", no_check_environment,
                    "Ignore JUG_MAX_TASKS, JUG_MAX_HOURS/MINUTES/SECONDS, JUG_EXIT_IF_FILE_EXISTS");

  auto* status = app.add_subcommand("status", "Show how many tasks are in each state");
  add_common(*status, cl);
  status->add_flag("--short", cl.status.short_form, "One line");
  status->add_flag("--json", cl.status.json, "Machine-readable output");
  add_lease_time(*status);
  status->add_flag("--verify", cl.status.verify,
                   "Read every stored result and report those that are corrupt (slower)");

  auto* check = app.add_subcommand("check", "Exit 0 when every task is finished, 1 otherwise");
  add_common(*check, cl);

  auto* sleep_until =
      app.add_subcommand("sleep-until", "Wait until every task is finished");
  add_common(*sleep_until, cl);

  auto* invalidate =
      app.add_subcommand("invalidate", "Remove results of matching tasks and everything downstream");
  add_common(*invalidate, cl);
  invalidate->add_option("--target", cl.target, "Pattern: name, module.name or /regex/")
      ->required();

  auto* cleanup = app.add_subcommand("cleanup", "Remove what no task of this jugfile owns");
  add_common(*cleanup, cl);
  cleanup->add_flag("--locks-only", cl.cleanup.locks_only, "Remove every lease (no worker may be running)");
  cleanup->add_flag("--failed-only", cl.cleanup.failed_only, "Remove every failure record");
  cleanup->add_flag("--keep-locks", cl.cleanup.keep_locks, "Leave leases alone");
  cleanup->add_flag("--dry-run", cl.cleanup.dry_run, "Only say what would be removed");

  auto* count = app.add_subcommand("count", "Count tasks per name");
  add_common(*count, cl);

  if (!ours.empty() && !ours.front().starts_with("-")) {
    bool known = false;
    for (const CLI::App* sub : app.get_subcommands({})) known |= sub->get_name() == ours.front();
    if (!known) {
      std::cerr << program << ": unknown subcommand '" << ours.front() << "'\n"
                << "Subcommands: " << kSubcommandList << "\nRun with --help for usage.\n";
      return kUsageError;
    }
  }
  try {
    std::reverse(ours.begin(), ours.end());  // CLI11 takes arguments in reverse
    app.parse(ours);
  } catch (const CLI::CallForHelp& e) {
    return app.exit(e);
  } catch (const CLI::CallForAllHelp& e) {
    return app.exit(e);
  } catch (const CLI::ParseError& e) {
    std::cerr << program << ": " << e.what() << "\n";
    if (app.get_subcommands().empty()) {
      std::cerr << "Subcommands: " << kSubcommandList << "\n";
    }
    std::cerr << "Run with --help for usage.\n";
    return kUsageError;
  }
  cl.subcommand = app.get_subcommands().front()->get_name();
  cl.execute.wait_cycle_time = std::chrono::duration<double>(wait_cycle_time);
  cl.execute.lease_time = std::chrono::duration<double>(lease_time);
  cl.check_environment = !no_check_environment;
  if (cl.jugfile.empty()) cl.jugfile = program;
  return cl;
}

}  // namespace jug::cli
