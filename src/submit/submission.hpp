#pragma once
/// Queuing `jug execute` workers as job arrays (`jug submit`), and asking
/// the batch system, sparingly, whether they still exist (`--wait`).

#include <functional>
#include <optional>
#include <string>
#include <vector>

#include "submit/batch_system.hpp"
#include "submit/job_script.hpp"

namespace jug::submit {

/// What was (or, with a dry run, would be) submitted.
struct Submission {
  BatchSystem system;
  std::string script;
  /// Where the script is kept: `job-<first id>.sh` in the job directory.
  std::string script_path;
  /// The commands run (with a dry run, to be run), one per array.
  std::vector<std::vector<std::string>> commands;
  /// One per array, in order (none with a dry run).
  std::vector<std::string> job_ids;
};

/// The largest array index `system` accepts (SLURM: MaxArraySize - 1 from
/// `scontrol show config`; Grid Engine: max_aj_tasks of `qconf -sconf`;
/// PBS Pro: max_array_size; LSF: MAX_JOB_ARRAY_SIZE of `bparams -a`);
/// nothing when it has no limit or cannot say (the batch system then
/// refuses an array too large, in its own words).
std::optional<unsigned> largest_array_index(BatchSystem system);

/// Writes the script into request.job_directory and queues it as arrays of
/// request.workers workers in all (several when the system caps the index:
/// `largest_index`). Throws jug::Error saying what the batch system said
/// when a submission is refused; arrays queued before it are cancelled
/// first, so that nothing is left half-submitted. With `dry_run`, writes
/// and queues nothing.
Submission submit_workers(BatchSystem system, const JobRequest& request, bool dry_run,
                          const std::function<std::optional<unsigned>(BatchSystem)>&
                              largest_index = largest_array_index);

/// Whether any job of `job_ids` is still queued or running: one query of
/// these jobs only (never of every job on the cluster, never of the
/// accounting database, which many clusters lack).
bool any_job_left(BatchSystem system, const std::vector<std::string>& job_ids);

}  // namespace jug::submit
