#include "cli/command_line.hpp"

#include <algorithm>
#include <filesystem>
#include <iostream>
#include <map>

#include <CLI/CLI.hpp>
#include <fmt/format.h>

#include "cli/jugrc.hpp"
#include "cli/nearest_name.hpp"
#include "cli/option_values.hpp"
#include "cli/pattern_or_jugfile.hpp"
#include "cli/program_jugfile.hpp"
#include "cli/submit_values.hpp"
#include "cli/verbose_level.hpp"
#include "jug/errors.hpp"

namespace jug::cli {
namespace {

constexpr int kUsageError = 2;
constexpr const char* kSubcommandList =
    "execute, status, check, sleep-until, invalidate, cleanup, pack, count, graph, show, why, "
    "export, submit";

/// Sets, from the jugrc files (jugrc.hpp), the options of `sub` that the
/// command line left unset: a file's [main] then its [subcommand], files
/// from the least weighty to the most, the last one given winning. Notes in
/// `sources` where each option's value came from. False, having said so,
/// for a value the option refuses.
bool apply_jugrc(CLI::App& sub, const std::vector<JugrcSetting>& settings,
                 std::map<std::string, std::string>& sources, const std::string& program) {
  std::map<std::string, const JugrcSetting*> chosen;  // by option name
  std::vector<const JugrcSetting*> ordered;
  for (const JugrcSetting& s : settings) {
    if (s.section == "main" || s.section == sub.get_name()) ordered.push_back(&s);
  }
  std::stable_sort(ordered.begin(), ordered.end(),
                   [](const JugrcSetting* a, const JugrcSetting* b) {
                     return std::pair(a->file, a->section != "main") <
                            std::pair(b->file, b->section != "main");
                   });
  for (const JugrcSetting* s : ordered) {
    CLI::Option* option = sub.get_option_no_throw("--" + s->key);
    if (option == nullptr) {
      // [main] holds options some subcommands lack (a Python jug setting,
      // too): only a subcommand's own section is held to its options.
      if (s->section != "main") {
        std::cerr << program << ": warning: " << s->source << ": " << sub.get_name()
                  << " has no option --" << s->key << " (ignored)\n";
      }
      continue;
    }
    if (option->count() > 0) continue;  // given on the command line: that wins
    chosen[s->key] = s;
  }
  for (const auto& [key, s] : chosen) {
    CLI::Option* option = sub.get_option("--" + key);
    option->clear();
    try {
      option->add_result(option->get_type_size() == 0 || option->get_expected_max() == 0
                             ? std::string(jugrc_true(s->value) ? "true" : "false")
                             : s->value);
      option->run_callback();
    } catch (const CLI::Error& e) {
      std::cerr << program << ": " << s->source << ": --" << key << " = " << s->value << ": "
                << e.what() << "\n";
      return false;
    }
    sources["--" + key] = s->source;
  }
  return true;
}

/// `--print-options`: each option of `sub`, its value, and where it came
/// from (the command line, a jugrc file, or the default).
void print_options(const CLI::App& sub, const std::map<std::string, std::string>& sources) {
  for (const CLI::Option* option : sub.get_options()) {
    if (option->get_lnames().empty()) continue;  // the jugfile, patterns
    const std::string name = "--" + option->get_lnames().front();
    if (name == "--help" || name == "--help-all" || name == "--version" ||
        name == "--print-options") {
      continue;
    }
    std::string value;
    for (const std::string& result : option->results()) {
      value += (value.empty() ? "" : " ") + result;
    }
    const auto from = sources.find(name);
    const std::string source = from != sources.end()      ? from->second
                               : option->count() > 0      ? "the command line"
                                                           : "the default";
    fmt::print("{:<24} {:<20} ({})\n", name, option->count() > 0 ? value : "-", source);
  }
}

/// `jug show` and `jug why`: the patterns from where they may be given (the
/// jugfile's place included, pattern_or_jugfile.hpp); false, having said
/// so, when there are none.
bool gather_patterns(CommandLine& cl, const std::string& program) {
  if (!cl.jugfile.empty() && !names_a_jugfile(cl.jugfile)) {
    cl.show.patterns.insert(cl.show.patterns.begin(), cl.jugfile);
    cl.jugfile.clear();
  }
  if (cl.jugfile.empty()) {
    const auto named = std::find_if(cl.show.patterns.begin(), cl.show.patterns.end(),
                                    [](const std::string& p) { return names_a_jugfile(p); });
    if (named != cl.show.patterns.end()) {
      cl.jugfile = *named;
      cl.show.patterns.erase(named);
    }
  }
  if (!cl.target.empty()) cl.show.patterns.push_back(cl.target);
  if (!cl.show.patterns.empty()) return true;
  std::cerr << program << ": " << cl.subcommand
            << ": which tasks? Give a PATTERN: a task name, /regex/ or hash prefix (jug count "
               "lists the names)\n";
  return false;
}

void add_common(CLI::App& sub, CommandLine& cl);

/// The common options, and the patterns of `show`, `why` and `export`
/// (gather_patterns puts them together).
void add_patterns(CLI::App& sub, CommandLine& cl) {
  add_common(sub, cl);
  sub.add_option("patterns", cl.show.patterns,
                 "Task names or hash prefixes, as --target takes them");
  sub.add_option("--target", cl.target, "One more pattern");
}

void add_common(CLI::App& sub, CommandLine& cl) {
  sub.add_flag("--print-options", cl.print_options,
               "Print each option's value and where it came from (the command line, a jugrc "
               "file, the default), and exit");
  sub.add_option("jugfile", cl.jugfile,
                 "The jugfile (default: this program's source, else this program)");
  sub.add_option("--jugdir", cl.jugdir,
                 "Where results are stored (default %(jugfile)s.jugdata; %(date)s is today)");
  sub.add_flag("-v,--verbose", cl.verbose,
               "Say more; also as Python jug takes it: --verbose info (or debug; warning, "
               "error and critical say no more than the default)");
  // Python jug takes --debug with every subcommand; only execute runs tasks.
  sub.add_flag("--debug", cl.execute.debug,
               "execute: check each task as it runs (slower): that it changes nothing it is "
               "given, and that its result reads back as it was");
  sub.add_flag("--short", cl.short_output,
               "status: one line; execute: no table of the tasks it ran");
  sub.add_flag("--pdb", cl.pdb,
               "execute: run the first task that fails again in gdb, stopped where it throws "
               "(without a terminal: its backtrace); implies --debug");
  sub.add_flag("--aggressive-unload", cl.execute.aggressive_unload,
               "execute: keep no result in memory once the task that made or read it is done "
               "(each task reads its inputs from the store: less memory, more reading)");
  sub.add_flag("--will-cite")->description(
      "Accepted for Python jug's command lines (jug prints no request for citation)");
  sub.add_flag_callback(
      "--version", [] { throw CLI::CallForVersion(); }, "Print jug's version and exit");
  add_seconds(sub, "--reconnect-time", cl.store.reconnect_time,
              "Seconds to keep reconnecting to a Redis store that went away before stopping "
              "(default 300)");
}

/// `sub`'s option names as they are typed: "--keep-going", "-j".
std::vector<std::string> option_names(const CLI::App& sub) {
  std::vector<std::string> names;
  for (const CLI::Option* option : sub.get_options()) {
    for (const std::string& name : option->get_lnames()) names.push_back("--" + name);
    for (const std::string& name : option->get_snames()) names.push_back("-" + name);
  }
  return names;
}

/// The option of `sub` that the user probably meant by `argument`, an
/// option it does not have ("--keepgoing", "--keepgoing=1", "-keep-going").
std::optional<std::string> suggest_option(const CLI::App& sub, std::string_view argument) {
  std::string_view typed = argument.substr(0, argument.find('='));
  // Compared without dashes: "-keep-going" is as near "--keep-going" as can
  // be, and a single letter is near no other ("-x" is not "-j").
  while (typed.starts_with('-')) typed.remove_prefix(1);
  const std::vector<std::string> names = option_names(sub);
  std::vector<std::string_view> bare;
  for (std::string_view name : names) bare.push_back(name.substr(name.find_first_not_of('-')));
  const std::optional<std::string_view> nearest = nearest_name(typed, bare);
  if (!nearest) return std::nullopt;
  return names[std::distance(bare.begin(), std::find(bare.begin(), bare.end(), *nearest))];
}

/// Says, for each argument of `unexpected` that looks like an option
/// ("--keepgoing", "--keepgoing=1"), that `sub` has no such option,
/// suggesting the one probably meant. True when every unexpected argument
/// was one (nothing else is left to explain).
bool report_unknown_options(const std::string& program, const CLI::App& sub,
                            const std::vector<std::string>& unexpected) {
  bool only_options = !unexpected.empty();
  for (const std::string& argument : unexpected) {
    if (argument.size() < 2 || !argument.starts_with('-')) {
      only_options = false;  // a second jugfile, say: CLI11's message says it
      continue;
    }
    std::cerr << fmt::format("{}: {} has no option {}", program, sub.get_name(),
                             argument.substr(0, argument.find('=')));
    if (const std::optional<std::string> meant = suggest_option(sub, argument)) {
      std::cerr << fmt::format("; did you mean {}?", *meant);
    }
    std::cerr << '\n';
  }
  return only_options;
}

/// CLI11's words for `e`, or clearer ones: for an option given without its
/// value, CLI11 says "--target: 1 required TEXT missing".
std::string describe_parse_error(const CLI::ParseError& e, const CLI::App* sub) {
  const std::string what = e.what();
  const std::size_t colon = what.find(": ");
  const bool value_missing = dynamic_cast<const CLI::ArgumentMismatch*>(&e) != nullptr &&
                             what.ends_with(" missing") && what.starts_with("-") &&
                             colon != std::string::npos;
  if (!value_missing) return what;
  const std::string option = what.substr(0, colon);
  std::string message = fmt::format("{} needs a value", option);
  if (sub != nullptr) {
    try {
      message += fmt::format(" ({})", sub->get_option(option)->get_description());
    } catch (const CLI::OptionNotFound&) {
      // no description to add
    }
  }
  return message;
}

/// `jug submit`: its options, each value checked as it is read.
void add_submit(CLI::App& app, CommandLine& cl) {
  SubmitFlags& sf = cl.submit;
  auto* submit = app.add_subcommand(
      "submit", "Queue workers on the cluster's batch system (SLURM, Grid Engine, PBS, LSF)");
  add_common(*submit, cl);
  add_whole_number(*submit, "-n,--workers", sf.workers, 1, 1'000'000,
                   "Workers to queue, as one job array")
      ->required();
  submit->add_option("--scheduler", sf.scheduler,
                     "slurm, sge, pbs, torque or lsf (default: the one installed)");
  add_whole_number(*submit, "-j,--jobs", sf.cpus, 1, 4096,
                   "CPUs of each worker, and the tasks it runs at once (default 1)");
  const auto duration = [](std::optional<std::chrono::seconds>& target, const char* option) {
    return [&target, option](const std::string& text) {
      target = parse_duration(text);
      if (!target) {
        throw CLI::ValidationError(fmt::format(
            "{} takes a duration such as 2:00:00, 1-12:00:00, 90m or 2h; '{}' is not one",
            option, text));
      }
    };
  };
  submit->add_option_function<std::string>("--time", duration(sf.time_limit, "--time"),
                                           "Each worker's time limit: 2:00:00, 1-12:00:00, 90m");
  submit->add_option_function<std::string>(
      "--stop-before", duration(sf.stop_before, "--stop-before"),
      "Stop taking tasks this long before the time limit (default 5 % of it, at most 10m)");
  submit->add_option_function<std::string>(
      "--mem",
      [&sf](const std::string& text) {
        sf.memory_mib = parse_memory_mib(text);
        if (!sf.memory_mib) {
          throw CLI::ValidationError(fmt::format(
              "--mem takes a size such as 4G or 500M; '{}' is not one", text));
        }
      },
      "Memory of each worker: 4G, 500M");
  submit->add_option("--queue", sf.queue, "The queue (SLURM: partition)");
  submit->add_option("--account", sf.account, "The account (LSF: project) to charge");
  submit->add_option("--name", sf.name, "The job's name (default: the jugfile's)");
  submit->add_option("--pe", sf.parallel_environment,
                     "Grid Engine: the parallel environment for -j above 1 (default smp)");
  submit->add_option("--option", sf.raw_options,
                     "A directive for the batch system, as it is (repeatable): "
                     "--option '--constraint=haswell'")
      ->allow_extra_args(false);
  submit->add_flag("--dry-run", sf.dry_run,
                   "Print the job script and the command that would queue it; queue nothing");
  submit->add_flag("--wait", sf.wait,
                   "Wait for the workers to end; exit 0 only if every task is finished");
}

/// Takes `--verbose LEVEL` and `--verbose=LEVEL` (Python jug's form) out of
/// `arguments`, leaving the plain flag where the level asks for more output.
/// A level that is not one is reported; false then.
bool take_verbose_levels(std::vector<std::string>& arguments, const std::string& program) {
  std::vector<std::string> kept;
  for (std::size_t i = 0; i < arguments.size(); ++i) {
    const std::string& argument = arguments[i];
    std::optional<bool> says_more;
    if (argument == "--verbose" && i + 1 < arguments.size() &&
        (says_more = verbose_level_says_more(arguments[i + 1]))) {
      ++i;
    } else if (argument.starts_with("--verbose=")) {
      const std::string level = argument.substr(argument.find('=') + 1);
      says_more = verbose_level_says_more(level);
      if (!says_more) {
        std::cerr << fmt::format(
            "{}: --verbose takes a level ({}), or nothing; '{}' is not one\n", program,
            fmt::join(kVerboseLevels, ", "), level);
        return false;
      }
    } else {
      kept.push_back(argument);
      continue;
    }
    if (*says_more) kept.emplace_back("--verbose");
  }
  arguments = std::move(kept);
  return true;
}

}  // namespace

ParseResult parse_command_line(int argc, char** argv, std::string_view program_source) {
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
  if (!take_verbose_levels(ours, program)) {
    std::cerr << "Run with --help for usage.\n";
    return kUsageError;
  }

  CLI::App app{"A jugfile: tasks with persistent memoization, run in parallel by jug.",
               program};
  app.require_subcommand(1, 1);
  app.set_help_all_flag("--help-all", "Help on every subcommand");
  app.footer("Arguments after -- are passed to the jugfile (jug::arguments()).");

  ExecuteOptions& ex = cl.execute;
  auto* execute = app.add_subcommand("execute", "Run every task that can run");
  add_common(*execute, cl);
  execute->add_option("--target", ex.target, "Only tasks matching this pattern, and what they need");
  execute->add_flag("--keep-going", ex.keep_going, "Carry on after a task fails");
  execute->add_flag("--verify", ex.verify,
                    "First read and check every stored result: remove those that are damaged or "
                    "of a changed type, and compute them again (the rest stay)");
  execute->add_flag("--keep-failed", ex.keep_failed,
                    "Do not retry tasks that failed in an earlier run");
  add_whole_number(*execute, "--retries", ex.retries, 0, kNoLimit,
                   "Run a task that throws up to N more times (default 0)");
  add_whole_number(*execute, "-j,--jobs", ex.jobs, 1, 4096,
                   "Tasks to run at once in this process (default 1)");
  add_seconds(*execute, "--wait-cycle-time", ex.wait_cycle_time,
              "Seconds per wait cycle while other workers hold needed tasks (default 12)");
  add_whole_number(*execute, "--nr-wait-cycles", ex.nr_wait_cycles, 0, kNoLimit,
                   "Wait cycles before giving up (default 150)");
  const auto add_lease_time = [&ex](CLI::App& sub) {
    add_seconds(sub, "--lease-time", ex.lease_time,
                "Seconds after which the lease of a silent worker on another machine is "
                "taken over (default 300; the same for every worker of a store)");
  };
  add_lease_time(*execute);
  add_whole_number(*execute, "--max-crashes", ex.max_crashes, 1, 1'000'000,
                   "Mark a task failed once its worker has died this many times running it "
                   "(default 3)");
  execute->add_flag("-q,--quiet", cl.quiet,
                    "No progress line: errors, warnings and the summary only");
  add_seconds(*execute, "--progress-every", cl.progress_every,
              "Where output is no terminal (a log), a progress line this often (default 30)");
  execute->add_flag("--explain", cl.explain,
                    "Say why each task runs as it starts: which input changed since an earlier "
                    "result (as jug why)");
  execute->add_option("--trace", cl.trace,
                      "Append a row per task run to this tab-separated file (name, hash, host, "
                      "pid, batch job, status, failure, start, end, seconds, peak memory)");
  bool no_check_environment = false;
  execute->add_flag("--no-check-environment", no_check_environment,
                    "Ignore JUG_MAX_TASKS, JUG_MAX_HOURS/MINUTES/SECONDS, JUG_EXIT_IF_FILE_EXISTS");

  auto* status = app.add_subcommand("status", "Show how many tasks are in each state");
  add_common(*status, cl);
  status->add_flag("--json", cl.status.json, "Machine-readable output");
  add_lease_time(*status);
  status->add_flag("--verify", cl.status.verify,
                   "Read every stored result and report those that are corrupt (slower)");
  status->add_flag("--cache", cl.status.cache,
                   "Keep the tasks found finished in a file, and ask the store only about the "
                   "others next time; trusted only while no result was removed since "
                   "(docs/jug-command.md)");
  auto* cache_file = status->add_option("--cache-file", cl.status.cache_file,
                     "The cache file (default .jugstatus.jugcache, in this directory); implies "
                     "--cache");
  status->add_flag("--clear", cl.status.clear_cache,
                   "Remove the cache file, and show nothing");

  auto* check = app.add_subcommand("check", "Exit 0 when every task is finished, 1 otherwise");
  add_common(*check, cl);

  auto* sleep_until =
      app.add_subcommand("sleep-until", "Wait until every task is finished");
  add_common(*sleep_until, cl);

  auto* invalidate =
      app.add_subcommand("invalidate", "Remove results of matching tasks and everything downstream");
  add_common(*invalidate, cl);
  invalidate->add_option("--target,--invalid", cl.target,
                         "Pattern: name, module.name, /regex/ or a hash (--invalid: Python "
                         "jug's other name for it)")
      ->required();

  auto* cleanup = app.add_subcommand("cleanup", "Remove what no task of this jugfile owns");
  add_common(*cleanup, cl);
  cleanup->add_flag("--locks-only", cl.cleanup.locks_only, "Remove every lease (no worker may be running)");
  cleanup->add_flag("--failed-only", cl.cleanup.failed_only, "Remove every failure record");
  cleanup->add_flag("--keep-locks", cl.cleanup.keep_locks, "Leave leases alone");
  cleanup->add_flag("--dry-run", cl.cleanup.dry_run, "Only say what would be removed");
  cleanup->add_flag("--also-other-jugfiles", cl.cleanup.also_other_jugfiles,
                    "Remove what this jugfile does not own even when other jugfiles use the "
                    "store (their results among it)");
  add_lease_time(*cleanup);

  auto* pack = app.add_subcommand("pack", "Gather the small results into few files");
  add_common(*pack, cl);
  add_lease_time(*pack);

  auto* count = app.add_subcommand("count", "Count tasks per name");
  add_common(*count, cl);

  auto* graph = app.add_subcommand("graph", "Draw the task graph, with each task's state");
  add_common(*graph, cl);
  graph->add_option("--format", cl.graph.format,
                    "dot, json, or a format Graphviz renders (svg, png, pdf), to stdout or -o; "
                    "without it, <jugfile>.dot and <jugfile>.png as Python jug writes them");
  graph->add_option("-o,--output", cl.graph.output, "Write --format's output here");
  graph->add_flag("--tasks", cl.graph.tasks, "One node per task (default: one per task name)");
  graph->add_option("--target", cl.target,
                    "Only tasks matching this pattern, and what they need");
  graph->add_flag("--no-status", cl.graph.no_status, "Draw the tasks without their states");
  add_whole_number(*graph, "--max-tasks", cl.graph.max_tasks, 1, kNoLimit,
                   "--tasks draws at most this many (default 2000)");
  // Python jug's option, which takes no value: its drawing is a PNG.
  graph->add_flag("--file-format")->description("Python jug's: a PNG (the default)");
  add_lease_time(*graph);

  auto* show = app.add_subcommand(
      "show", "Tell all about the tasks matching PATTERN: state, arguments, result, its run");
  add_patterns(*show, cl);
  show->add_flag("--json", cl.show.json, "Machine-readable output");
  add_whole_number(*show, "--max-tasks", cl.show.max_tasks, 1, kNoLimit,
                   "Tell of at most this many tasks (default 20)");
  add_lease_time(*show);

  auto* why = app.add_subcommand(
      "why",
      "Say why the tasks matching PATTERN will run: which input changed, what they wait for");
  add_patterns(*why, cl);
  why->add_flag("--json", cl.show.json, "Machine-readable output");
  add_whole_number(*why, "--max-tasks", cl.show.max_tasks, 1, kNoLimit,
                   "Explain at most this many tasks (default 20)");
  add_lease_time(*why);

  auto* exported = app.add_subcommand(
      "export", "Write the results of the tasks matching PATTERN as JSON or CSV, for other tools");
  add_patterns(*exported, cl);
  exported->add_option("--format", cl.show.format, "json (default) or csv")
      ->check(CLI::IsMember({"json", "csv"}));
  exported->add_option("-o,--output", cl.show.output, "Write to this file (default: stdout)");

  add_submit(app, cl);

  if (!ours.empty() && !ours.front().starts_with("-")) {
    std::vector<std::string_view> subcommands;
    for (const CLI::App* sub : app.get_subcommands({})) subcommands.push_back(sub->get_name());
    if (std::find(subcommands.begin(), subcommands.end(), ours.front()) == subcommands.end()) {
      std::cerr << program << ": unknown subcommand '" << ours.front() << "'\n";
      if (const auto meant = nearest_name(ours.front(), subcommands)) {
        std::cerr << "Did you mean '" << *meant << "'?\n";
      }
      std::cerr << "Subcommands: " << kSubcommandList << "\nRun with --help for usage.\n";
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
  } catch (const CLI::CallForVersion&) {
    fmt::print("jug {}\n", JUG_VERSION);
    return 0;
  } catch (const CLI::ParseError& e) {
    // A mistyped option comes first: it is often why CLI11 stopped where
    // it did ("--target is required" after `--targt x`).
    const bool only_unknown_options =
        !app.get_subcommands().empty() &&
        report_unknown_options(program, *app.get_subcommands().front(), app.remaining(true));
    if (!only_unknown_options || !dynamic_cast<const CLI::ExtrasError*>(&e)) {
      const CLI::App* sub =
          app.get_subcommands().empty() ? nullptr : app.get_subcommands().front();
      std::cerr << program << ": " << describe_parse_error(e, sub) << "\n";
    }
    if (app.get_subcommands().empty()) {
      std::cerr << "Subcommands: " << kSubcommandList << "\n";
    }
    std::cerr << "Run with --help for usage.\n";
    return kUsageError;
  }
  CLI::App& sub = *app.get_subcommands().front();
  std::map<std::string, std::string> sources;
  try {
    if (!apply_jugrc(sub, read_jugrc_settings(), sources, program)) {
      return ParseResult(kUsageError);
    }
  } catch (const Error& e) {
    std::cerr << e.what() << "\n";
    return ParseResult(kUsageError);
  }
  if (cl.print_options) {
    print_options(sub, sources);
    return ParseResult(0);
  }
  cl.subcommand = sub.get_name();
  if (takes_patterns(cl.subcommand) && !gather_patterns(cl, program)) {
    return ParseResult(kUsageError);
  }
  if (cl.pdb) cl.execute.debug = true;
  if (cache_file->count() > 0) cl.status.cache = true;
  cl.check_environment = !no_check_environment;
  if (cl.jugfile.empty()) {
    cl.jugfile = program_jugfile(program, program_source);
  } else if (is_this_program(cl.jugfile)) {
    cl.jugfile = program_jugfile(cl.jugfile, program_source);
  }
  cl.cleanup.jugfile = absolute_jugfile(cl.jugfile);
  cl.cleanup.lease_time = cl.execute.lease_time;
  return cl;
}

std::string absolute_jugfile(const std::string& jugfile) {
  std::error_code error;
  const std::filesystem::path path = std::filesystem::absolute(jugfile, error);
  return (error ? std::filesystem::path(jugfile) : path).lexically_normal().string();
}

}  // namespace jug::cli
