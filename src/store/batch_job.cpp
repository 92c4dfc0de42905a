#include "store/batch_job.hpp"

#include <array>
#include <cstdlib>
#include <string_view>

namespace jug {

std::string batch_job_of_this_process() {
  struct System {
    const char* variable;
    std::string_view name;
  };
  // Grid Engine's JOB_ID, the most generic name (a user's own script may
  // set it), is tried last.
  constexpr std::array<System, 4> kSystems{{{"SLURM_JOB_ID", "SLURM"},
                                            {"PBS_JOBID", "PBS"},
                                            {"LSB_JOBID", "LSF"},
                                            {"JOB_ID", "Grid Engine"}}};
  for (const System& system : kSystems) {
    const char* id = std::getenv(system.variable);
    if (id == nullptr || *id == '\0') continue;
    std::string job = std::string(system.name) + " job ";
    // One line, whatever the variable holds.
    for (const char* c = id; *c != '\0'; ++c) job += (*c == '\n' || *c == '\r') ? ' ' : *c;
    return job;
  }
  return {};
}

}  // namespace jug
