#pragma once
/// What `jug submit` writes and runs for each batch system: the job script
/// (its directives, then one `exec` of a worker), the command that queues
/// it as a job array, and how that command names the job. Each system's
/// forms follow its own documentation (docs/clusters.md lists them).

#include <chrono>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "submit/batch_system.hpp"

namespace jug::submit {

/// What the user asked for.
struct JobRequest {
  /// The job's name as wanted; made acceptable per system (job_name_for).
  std::string name;
  /// Workers: the array's size.
  unsigned workers = 1;
  /// CPUs of each worker, and the tasks it runs at once (`execute -j`).
  unsigned cpus = 1;
  /// The job's time limit, if given.
  std::optional<std::chrono::seconds> time_limit;
  /// How long before the time limit workers stop taking tasks.
  std::chrono::seconds stop_before{0};
  /// Memory of each worker, in MiB, if given.
  std::optional<std::uint64_t> memory_mib;
  std::string queue;
  std::string account;
  /// Grid Engine's parallel environment, for more than one CPU.
  std::string parallel_environment = "smp";
  /// Directives given as they are (--option), after ours: they win.
  std::vector<std::string> raw_options;
  /// Where workers run (absolute): relative paths of the jugfile mean the
  /// same to them as to the user.
  std::string working_directory;
  /// Where the script and the workers' logs go (absolute).
  std::string job_directory;
  /// The worker's command line: `jug execute JUGFILE --jugdir ... -j N`.
  std::vector<std::string> worker;
};

/// Array indices first..last, both included.
struct ArrayRange {
  unsigned first = 1;
  unsigned last = 1;
  unsigned size() const { return last - first + 1; }
};

/// The script's text.
std::string job_script(BatchSystem system, const JobRequest& request);

/// The command that queues `script` as an array over `range` (the array is
/// given here, not in the script, so that one script serves every array a
/// large request is split into). Run with script_stdin() as its input.
std::vector<std::string> submit_command(BatchSystem system, const JobRequest& request,
                                        const std::string& script, ArrayRange range);
/// LSF's bsub reads the script's directives only from its standard input.
bool script_on_stdin(BatchSystem system);

/// The job (array) id in what the submit command printed, or nothing.
std::optional<std::string> job_id_in(BatchSystem system, std::string_view output);

/// Cancels a job array: for a submission that failed half-way.
std::vector<std::string> cancel_command(BatchSystem system, const std::string& job_id);

/// `wanted` made acceptable as a job name: letters, digits, `_`, `-`, `.`;
/// starting with a letter; cut to what the system takes (PBS and Torque:
/// 15 characters).
std::string job_name_for(BatchSystem system, std::string_view wanted);

/// The path pattern of a worker's log in the script, and an example of
/// what it becomes, for the user: "worker-%A_%a.log" under SLURM.
std::string log_pattern(BatchSystem system, const JobRequest& request);

/// `workers` split into arrays whose indices stay at or under
/// `largest_index` (SLURM's MaxArraySize - 1, Grid Engine's max_aj_tasks,
/// ...); one array when there is no limit.
std::vector<ArrayRange> split_into_arrays(unsigned workers, std::optional<unsigned> largest_index);

/// "2:00:00"; "1-00:00:00" under SLURM from a day on; LSF takes minutes
/// ("120").
std::string time_limit_for(BatchSystem system, std::chrono::seconds limit);

/// The default of --stop-before: 5 % of the limit, at most 10 minutes.
std::chrono::seconds default_stop_before(std::chrono::seconds limit);

}  // namespace jug::submit
