#pragma once
/// Which batch job this process runs in, for leases: a user told that a
/// worker died, or that another holds a task, learns which job to look at.

#include <string>

namespace jug {

/// "SLURM job 4242", from the environment the batch system gives its jobs
/// (SLURM_JOB_ID, PBS_JOBID, JOB_ID of Grid Engine, LSB_JOBID of LSF); empty
/// outside a batch job.
std::string batch_job_of_this_process();

}  // namespace jug
