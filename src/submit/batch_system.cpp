#include "submit/batch_system.hpp"

#include <array>
#include <cstdlib>

#include "submit/child_process.hpp"

namespace jug::submit {
namespace {

struct Names {
  BatchSystem system;
  std::string_view name;
  std::string_view display;
};
constexpr std::array<Names, 5> kNames{{{BatchSystem::kSlurm, "slurm", "SLURM"},
                                       {BatchSystem::kGridEngine, "sge", "Grid Engine"},
                                       {BatchSystem::kPbsPro, "pbs", "PBS Pro"},
                                       {BatchSystem::kTorque, "torque", "Torque"},
                                       {BatchSystem::kLsf, "lsf", "LSF"}}};

const Names& names(BatchSystem system) {
  for (const Names& n : kNames) {
    if (n.system == system) return n;
  }
  return kNames.front();  // unreachable: every value is listed
}

}  // namespace

std::string_view name_of(BatchSystem system) { return names(system).name; }
std::string_view display_name_of(BatchSystem system) { return names(system).display; }

std::optional<BatchSystem> parse_batch_system(std::string_view name) {
  for (const Names& n : kNames) {
    if (n.name == name) return n.system;
  }
  if (name == "gridengine") return BatchSystem::kGridEngine;
  if (name == "pbspro" || name == "openpbs") return BatchSystem::kPbsPro;
  return std::nullopt;
}

std::optional<BatchSystem> detect_batch_system(const Installed& installed) {
  const bool qsub = installed.has_program("qsub");
  // SGE_ROOT is set only where a Grid Engine is in use: it wins even over
  // an sbatch on the same machine.
  if (qsub && installed.has_variable("SGE_ROOT")) return BatchSystem::kGridEngine;
  if (installed.has_program("sbatch")) return BatchSystem::kSlurm;
  if (qsub) {
    // PBS Pro and OpenPBS: "pbs_version = 2022.1.1"; Torque: "Version: 6.1.3".
    return installed.qsub_version().find("pbs_version") != std::string::npos
               ? BatchSystem::kPbsPro
               : BatchSystem::kTorque;
  }
  if (installed.has_program("bsub")) return BatchSystem::kLsf;
  return std::nullopt;
}

Installed installed_here() {
  return {
      .has_program = [](std::string_view name) { return !find_on_path(name).empty(); },
      .has_variable =
          [](const char* name) {
            const char* value = std::getenv(name);
            return value != nullptr && *value != '\0';
          },
      .qsub_version =
          [] {
            const Finished version = run_captured({"qsub", "--version"});
            return version.out + version.err;
          },
  };
}

}  // namespace jug::submit
