#pragma once
/// The batch systems `jug submit` queues workers on, and which one is here.

#include <functional>
#include <optional>
#include <string>
#include <string_view>

namespace jug::submit {

enum class BatchSystem {
  kSlurm,
  kGridEngine,  // Sun, Open, Son of, Univa Grid Engine: `qsub` with SGE_ROOT set
  kPbsPro,      // PBS Professional and OpenPBS: arrays with -J
  kTorque,      // Torque, PBS's older branch: arrays with -t
  kLsf,
};

/// The name a user gives with --scheduler: slurm, sge, pbs, torque, lsf.
std::string_view name_of(BatchSystem system);
/// The name in messages: "SLURM", "Grid Engine", ...
std::string_view display_name_of(BatchSystem system);

/// Parses --scheduler's value (also "gridengine", "pbspro", "openpbs");
/// nothing for any other.
std::optional<BatchSystem> parse_batch_system(std::string_view name);
/// The values parse_batch_system takes, for messages.
inline constexpr std::string_view kBatchSystemNames = "slurm, sge, pbs, torque, lsf";

/// What detect_batch_system looks at; a test passes its own.
struct Installed {
  /// Whether a program is on PATH.
  std::function<bool(std::string_view)> has_program;
  /// Whether an environment variable is set (and not empty).
  std::function<bool(const char*)> has_variable;
  /// What `qsub --version` prints, on stdout and stderr.
  std::function<std::string()> qsub_version;
};

/// The batch system here: `qsub` with SGE_ROOT set (Grid Engine, whose
/// users have SGE_ROOT in their environment); `sbatch` (SLURM); `qsub` of
/// PBS Pro or Torque, told apart by `qsub --version` ("pbs_version = ..."
/// for PBS Pro); `bsub` (LSF). SLURM before PBS: a cluster that has moved
/// to SLURM often keeps a `qsub` wrapper. Nothing when none is here.
std::optional<BatchSystem> detect_batch_system(const Installed& installed);

/// What is installed on this machine.
Installed installed_here();

}  // namespace jug::submit
