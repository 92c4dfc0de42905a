#include "store/batch_job.hpp"

#include <array>
#include <cstdlib>
#include <string_view>

namespace jug {
namespace {

/// A variable's value; empty when unset.
std::string_view variable(const char* name) {
  const char* value = std::getenv(name);
  return value == nullptr ? std::string_view() : std::string_view(value);
}

}  // namespace

std::string batch_job_of_this_process() {
  struct System {
    std::string_view name;
    /// The job's id, and the variable of a job array's index (none when
    /// the id names the array element already).
    const char* job;
    const char* array_job;
    const char* index;
    /// How the system writes an element of an array: "4242_7".
    std::string_view open;
    std::string_view close;
  };
  // Grid Engine's JOB_ID, the most generic name (a user's own script may
  // set it), is tried last. PBS_JOBID already names the element
  // ("123[7].server"); a non-array job has LSF index 0 and Grid Engine's
  // "undefined".
  constexpr std::array<System, 4> kSystems{{
      {"SLURM", "SLURM_JOB_ID", "SLURM_ARRAY_JOB_ID", "SLURM_ARRAY_TASK_ID", "_", ""},
      {"PBS", "PBS_JOBID", nullptr, nullptr, "", ""},
      {"LSF", "LSB_JOBID", "LSB_JOBID", "LSB_JOBINDEX", "[", "]"},
      {"Grid Engine", "JOB_ID", "JOB_ID", "SGE_TASK_ID", ".", ""},
  }};
  for (const System& system : kSystems) {
    std::string_view id = variable(system.job);
    if (id.empty()) continue;
    std::string job;
    if (system.index != nullptr) {
      const std::string_view array = variable(system.array_job);
      const std::string_view index = variable(system.index);
      const bool element = !array.empty() && !index.empty() && index != "0" &&
                           index != "undefined";
      if (element) job = std::string(array) + std::string(system.open) + std::string(index) +
                         std::string(system.close);
    }
    if (job.empty()) job = std::string(id);
    // One line, whatever the variables hold.
    std::string line = std::string(system.name) + " job ";
    for (char c : job) line += (c == '\n' || c == '\r') ? ' ' : c;
    return line;
  }
  return {};
}

}  // namespace jug
