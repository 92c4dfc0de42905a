#include "cli/submit_command.hpp"

#include <unistd.h>

#include <algorithm>
#include <chrono>
#include <filesystem>
#include <iostream>
#include <thread>

#include <fmt/format.h>
#include <fmt/ostream.h>

#include "cli/status_output.hpp"
#include "commands/status.hpp"
#include "jug/errors.hpp"
#include "store/redis_url.hpp"
#include "submit/child_process.hpp"
#include "submit/submission.hpp"

namespace jug::cli {
namespace {

namespace fs = std::filesystem;
using submit::BatchSystem;

/// How often --wait asks the batch system whether the workers still
/// exist: the store says how the work goes; the batch system is asked only
/// whether anyone is left to do it.
constexpr std::chrono::seconds kJobQueryInterval{30};

BatchSystem batch_system_of(const SubmitFlags& flags) {
  if (!flags.scheduler.empty()) {
    if (const std::optional<BatchSystem> named = submit::parse_batch_system(flags.scheduler)) {
      return *named;
    }
    throw Error(fmt::format("jug submit: --scheduler {} is not one jug knows; it takes {}",
                            flags.scheduler, submit::kBatchSystemNames));
  }
  if (const std::optional<BatchSystem> found =
          submit::detect_batch_system(submit::installed_here())) {
    return *found;
  }
  throw Error(fmt::format(
      "jug submit: no batch system found here: none of sbatch, qsub or bsub is on PATH. Run it "
      "where jobs are submitted (the cluster's login node), or name one with --scheduler ({}; "
      "with --dry-run to see the job script without it). On one machine, run jug execute -j N.",
      submit::kBatchSystemNames));
}

/// The command a worker runs jug with: the jug command that ran this
/// program (it compiles the jugfile again should it change), else this
/// program itself.
std::string jug_command() {
  if (const char* command = std::getenv("JUG_COMMAND"); command != nullptr && *command != '\0') {
    return command;
  }
  std::error_code error;
  const fs::path self = fs::read_symlink("/proc/self/exe", error);
  return error ? std::string("jug") : self.string();
}

submit::JobRequest job_request(const CommandLine& cl) {
  const SubmitFlags& flags = cl.submit;
  const std::string jugfile = absolute_jugfile(cl.jugfile);
  std::string jugdir = expand_jugdir(cl.jugdir, jugfile);
  const bool on_server = RedisUrl::names_redis(jugdir);
  if (on_server && jugdir.find('@') != std::string::npos) {
    throw Error(
        "jug submit: the store's URL holds a password, which the job script would keep in "
        "plain text: give it in JUG_REDIS_PASSWORD instead (the workers inherit it)");
  }
  if (!on_server) jugdir = absolute_jugfile(jugdir);
  submit::JobRequest request;
  request.name = flags.name.empty() ? fs::path(jugfile).stem().string() : flags.name;
  request.workers = flags.workers;
  request.cpus = flags.cpus;
  request.time_limit = flags.time_limit;
  if (flags.stop_before && !flags.time_limit) {
    throw Error(
        "jug submit: --stop-before counts back from the time limit: give --time as well");
  }
  if (flags.time_limit) {
    request.stop_before =
        flags.stop_before.value_or(submit::default_stop_before(*flags.time_limit));
    if (request.stop_before >= *flags.time_limit) {
      throw Error(fmt::format(
          "jug submit: --stop-before ({} s) leaves no time of the --time limit ({} s) to work",
          request.stop_before.count(), flags.time_limit->count()));
    }
  }
  request.memory_mib = flags.memory_mib;
  request.queue = flags.queue;
  request.account = flags.account;
  request.parallel_environment = flags.parallel_environment;
  request.raw_options = flags.raw_options;
  request.working_directory = fs::current_path().string();
  // The store's directory keeps the scripts and logs of its workers; a
  // store on a server has none, so they go beside the jugfile.
  request.job_directory =
      on_server ? (fs::path(jugfile).replace_extension().string() + ".jugjobs") : jugdir + "/jobs";
  request.worker = {jug_command(), "execute", jugfile, "--jugdir", jugdir};
  if (flags.cpus > 1) {
    request.worker.push_back("-j");
    request.worker.push_back(std::to_string(flags.cpus));
  }
  if (!cl.jugfile_arguments.empty()) {
    request.worker.push_back("--");
    request.worker.insert(request.worker.end(), cl.jugfile_arguments.begin(),
                          cl.jugfile_arguments.end());
  }
  return request;
}

void print_submitted(const submit::Submission& s, const submit::JobRequest& request,
                     const CommandLine& cl) {
  std::string jobs;
  for (const std::string& id : s.job_ids) jobs += (jobs.empty() ? "" : ", ") + id;
  fmt::print(std::cout, "Queued {} worker{} of {} on {}: job{} {}.\n", request.workers,
             request.workers == 1 ? "" : "s", cl.jugfile, submit::display_name_of(s.system),
             s.job_ids.size() == 1 ? "" : "s", jobs);
  // The log's pattern with this job's id: "worker-4242_<index>.log".
  std::string logs = submit::log_pattern(s.system, request);
  for (const auto& [from, to] : {std::pair<std::string_view, std::string_view>{"%A", s.job_ids[0]},
                                 {"$JOB_ID", s.job_ids[0]},
                                 {"%J", s.job_ids[0]},
                                 {"%a", "<index>"},
                                 {"$TASK_ID", "<index>"},
                                 {"%I", "<index>"}}) {
    if (const std::size_t at = logs.find(from); at != std::string::npos) {
      logs.replace(at, from.size(), to);
    }
  }
  fmt::print(std::cout, "  job script: {}\n  worker logs: {}\n", s.script_path, logs);
  fmt::print(std::cout, "Follow with: jug status {}\n", cl.jugfile);
}

void print_dry_run(const submit::Submission& s) {
  fmt::print(std::cout, "# The job script (--dry-run: not written):\n{}\n", s.script);
  fmt::print(std::cout, "# The command{} that would queue it:\n", s.commands.size() == 1 ? "" : "s");
  for (const std::vector<std::string>& command : s.commands) {
    fmt::print(std::cout, "{}{}\n", submit::shell_quote(command),
               submit::script_on_stdin(s.system) ? " < " + submit::shell_quote(s.script_path) : "");
  }
}

/// --wait: until every task is finished (0), or no worker is left while
/// some are not (1).
int wait_for_workers(const submit::Submission& s, const std::function<Graph()>& build,
                     Store& store) {
  using Clock = std::chrono::steady_clock;
  Clock::time_point last_query = Clock::now();
  std::optional<Graph> graph;
  while (true) {
    const Clock::time_point look_start = Clock::now();
    graph.emplace(build());
    const StatusReport report = compute_status(*graph, store);
    const Clock::duration look = Clock::now() - look_start;
    if (report.all_finished() && !graph->stopped_at()) {
      print_status_table(std::cout, *graph, report);
      fmt::print(std::cout, "Every task is finished.\n");
      return 0;
    }
    if (Clock::now() - last_query >= kJobQueryInterval) {
      last_query = Clock::now();
      if (!submit::any_job_left(s.system, s.job_ids)) {
        // One more look: the last worker may have finished just before.
        graph.emplace(build());
        const StatusReport last = compute_status(*graph, store);
        print_status_table(std::cout, *graph, last);
        print_failures(std::cout, *graph, last);
        if (last.all_finished() && !graph->stopped_at()) return 0;
        fmt::print(std::cout,
                   "jug submit: the workers have all ended, and not every task is finished: "
                   "see their logs, then jug execute or jug submit again\n");
        return 1;
      }
    }
    // The graph is built anew each time (a barrier may have been passed).
    // Waiting 20 looks' time between looks keeps this process under 5 % of
    // a core whatever the graph's size, and ends a small graph's wait soon
    // after its work (a quarter of a second; a 100,000-task graph: ~2 s).
    std::this_thread::sleep_for(std::clamp<Clock::duration>(
        20 * look, std::chrono::milliseconds(250), std::chrono::seconds(5)));
  }
}

}  // namespace

int run_submit(const CommandLine& cl, const std::function<Graph()>& build, Store& store) {
  const BatchSystem system = batch_system_of(cl.submit);
  const submit::JobRequest request = job_request(cl);
  const submit::Submission submission =
      submit::submit_workers(system, request, cl.submit.dry_run);
  if (cl.submit.dry_run) {
    print_dry_run(submission);
    return 0;
  }
  print_submitted(submission, request, cl);
  if (!cl.submit.wait) return 0;
  std::cout.flush();
  return wait_for_workers(submission, build, store);
}

}  // namespace jug::cli
