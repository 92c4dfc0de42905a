#include "submit/job_script.hpp"

#include <algorithm>
#include <cctype>
#include <regex>

#include <fmt/format.h>

#include "submit/child_process.hpp"

namespace jug::submit {
namespace {

/// "H:MM:SS", hours past 24 as they are.
std::string hours_minutes_seconds(std::chrono::seconds limit) {
  const long long s = limit.count();
  return fmt::format("{}:{:02}:{:02}", s / 3600, s / 60 % 60, s % 60);
}

/// The directives of each system, in the order its users write them.
std::vector<std::string> directives(BatchSystem system, const JobRequest& r) {
  const std::string name = job_name_for(system, r.name);
  // Quoted: a directory with a space would split the directive. The
  // batch systems read directives with quotes as a shell does (and Grid
  // Engine still expands $JOB_ID inside single quotes).
  const std::string log = shell_quote(log_pattern(system, r));
  std::vector<std::string> d;
  switch (system) {
    case BatchSystem::kSlurm:
      d.push_back("#SBATCH --job-name=" + name);
      d.push_back("#SBATCH --nodes=1");
      d.push_back("#SBATCH --ntasks=1");
      d.push_back(fmt::format("#SBATCH --cpus-per-task={}", r.cpus));
      if (r.time_limit) d.push_back("#SBATCH --time=" + time_limit_for(system, *r.time_limit));
      if (r.memory_mib) d.push_back(fmt::format("#SBATCH --mem={}M", *r.memory_mib));
      if (!r.queue.empty()) d.push_back("#SBATCH --partition=" + r.queue);
      if (!r.account.empty()) d.push_back("#SBATCH --account=" + r.account);
      d.push_back("#SBATCH --output=" + log);
      for (const std::string& raw : r.raw_options) d.push_back("#SBATCH " + raw);
      break;
    case BatchSystem::kGridEngine:
      d.push_back("#$ -N " + name);
      d.push_back("#$ -S /bin/bash");
      // The submitting shell's environment (PATH: the compiler, should the
      // jugfile change), as SLURM passes it by default.
      d.push_back("#$ -V");
      d.push_back("#$ -wd " + shell_quote(r.working_directory));
      if (r.cpus > 1) d.push_back(fmt::format("#$ -pe {} {}", r.parallel_environment, r.cpus));
      if (r.time_limit) d.push_back("#$ -l h_rt=" + time_limit_for(system, *r.time_limit));
      if (r.memory_mib) {
        // h_vmem is per slot.
        d.push_back(fmt::format("#$ -l h_vmem={}M", (*r.memory_mib + r.cpus - 1) / r.cpus));
      }
      if (!r.queue.empty()) d.push_back("#$ -q " + r.queue);
      if (!r.account.empty()) d.push_back("#$ -A " + r.account);
      d.push_back("#$ -o " + log);
      d.push_back("#$ -j y");
      for (const std::string& raw : r.raw_options) d.push_back("#$ " + raw);
      break;
    case BatchSystem::kPbsPro:
    case BatchSystem::kTorque: {
      const bool pro = system == BatchSystem::kPbsPro;
      d.push_back("#PBS -N " + name);
      d.push_back("#PBS -V");
      if (pro) {
        std::string select = fmt::format("#PBS -l select=1:ncpus={}", r.cpus);
        if (r.memory_mib) select += fmt::format(":mem={}mb", *r.memory_mib);
        d.push_back(select);
      } else {
        d.push_back(fmt::format("#PBS -l nodes=1:ppn={}", r.cpus));
        if (r.memory_mib) d.push_back(fmt::format("#PBS -l mem={}mb", *r.memory_mib));
      }
      if (r.time_limit) d.push_back("#PBS -l walltime=" + time_limit_for(system, *r.time_limit));
      if (!r.queue.empty()) d.push_back("#PBS -q " + r.queue);
      if (!r.account.empty()) d.push_back("#PBS -A " + r.account);
      d.push_back("#PBS -j oe");
      d.push_back("#PBS -o " + log);
      for (const std::string& raw : r.raw_options) d.push_back("#PBS " + raw);
      break;
    }
    case BatchSystem::kLsf:
      d.push_back("#BSUB -J " + name);
      d.push_back(fmt::format("#BSUB -n {}", r.cpus));
      d.push_back("#BSUB -R \"span[hosts=1]\"");
      if (r.time_limit) d.push_back("#BSUB -W " + time_limit_for(system, *r.time_limit));
      // Units in -M need LSF 10.1.0.2 or later (before, the cluster's unit).
      if (r.memory_mib) d.push_back(fmt::format("#BSUB -M {}MB", *r.memory_mib));
      if (!r.queue.empty()) d.push_back("#BSUB -q " + r.queue);
      if (!r.account.empty()) d.push_back("#BSUB -P " + r.account);
      d.push_back("#BSUB -cwd " + shell_quote(r.working_directory));
      d.push_back("#BSUB -o " + log);
      for (const std::string& raw : r.raw_options) d.push_back("#BSUB " + raw);
      break;
  }
  return d;
}

}  // namespace

std::string job_script(BatchSystem system, const JobRequest& r) {
  std::string script = "#!/bin/bash\n";
  for (const std::string& line : directives(system, r)) script += line + "\n";
  script += fmt::format(
      "\n# Written by `jug submit`: one of {} workers, queued as an array on {}. The workers\n"
      "# share the work through the store; each runs the tasks no other has taken.\n",
      r.workers, display_name_of(system));
  script += "cd " + shell_quote(r.working_directory) + " || exit 1\n";
  if (r.time_limit && *r.time_limit > r.stop_before) {
    const std::chrono::seconds run_for = *r.time_limit - r.stop_before;
    script += fmt::format(
        "# Stop taking tasks {} s before the time limit ({}): a task is not cut off\n"
        "# half-way by the batch system (--stop-before).\n"
        "export JUG_MAX_SECONDS={}\n",
        r.stop_before.count(), hours_minutes_seconds(*r.time_limit), run_for.count());
  }
  // exec: the batch system's signals (a time limit, a cancel) reach the
  // worker itself, not a shell waiting for it.
  script += "exec " + shell_quote(r.worker) + "\n";
  return script;
}

std::vector<std::string> submit_command(BatchSystem system, const JobRequest& r,
                                        const std::string& script, ArrayRange range) {
  const std::string indices = fmt::format("{}-{}", range.first, range.last);
  switch (system) {
    case BatchSystem::kSlurm:
      return {"sbatch", "--parsable", "--array=" + indices, script};
    case BatchSystem::kGridEngine:
      return {"qsub", "-terse", "-t", indices, script};
    case BatchSystem::kPbsPro:
      // PBS Pro's arrays have two subjobs at least.
      if (range.size() < 2) return {"qsub", script};
      return {"qsub", "-J", indices, script};
    case BatchSystem::kTorque:
      return {"qsub", "-t", indices, script};
    case BatchSystem::kLsf:
      return {"bsub", "-J", fmt::format("{}[{}]", job_name_for(system, r.name), indices)};
  }
  return {};
}

bool script_on_stdin(BatchSystem system) { return system == BatchSystem::kLsf; }

std::optional<std::string> job_id_in(BatchSystem system, std::string_view output) {
  static const std::regex kSlurm(R"(^\s*(\d+)(;\S*)?\s*$)");
  static const std::regex kGridEngine(R"(^\s*(\d+)(\.\S*)?\s*$)");
  static const std::regex kPbs(R"(^\s*(\d+(\[\])?(\.\S+)?)\s*$)");
  static const std::regex kLsf(R"(Job <(\d+)> is submitted)");
  const std::regex& id = system == BatchSystem::kSlurm        ? kSlurm
                         : system == BatchSystem::kGridEngine ? kGridEngine
                         : system == BatchSystem::kLsf        ? kLsf
                                                              : kPbs;
  const std::string text(output);
  std::smatch m;
  if (!std::regex_search(text, m, id)) return std::nullopt;
  return m[1].str();
}

std::vector<std::string> cancel_command(BatchSystem system, const std::string& job_id) {
  switch (system) {
    case BatchSystem::kSlurm:
      return {"scancel", job_id};
    case BatchSystem::kGridEngine:
    case BatchSystem::kPbsPro:
    case BatchSystem::kTorque:
      return {"qdel", job_id};
    case BatchSystem::kLsf:
      return {"bkill", job_id};
  }
  return {};
}

std::string job_name_for(BatchSystem system, std::string_view wanted) {
  std::string name;
  for (char c : wanted) {
    const bool fits = std::isalnum(static_cast<unsigned char>(c)) || c == '_' || c == '-' ||
                      c == '.';
    name += fits ? c : '_';
  }
  if (name.empty() || !std::isalpha(static_cast<unsigned char>(name.front()))) {
    name = "jug-" + name;
  }
  const bool pbs = system == BatchSystem::kPbsPro || system == BatchSystem::kTorque;
  const std::size_t longest = pbs ? 15 : 64;
  if (name.size() > longest) name.resize(longest);
  while (name.size() > 1 && (name.back() == '-' || name.back() == '.')) name.pop_back();
  return name;
}

std::string log_pattern(BatchSystem system, const JobRequest& r) {
  const std::string dir = r.job_directory;
  switch (system) {
    case BatchSystem::kSlurm:
      return dir + "/worker-%A_%a.log";
    case BatchSystem::kGridEngine:
      return dir + "/worker-$JOB_ID.$TASK_ID.log";
    case BatchSystem::kPbsPro:
    case BatchSystem::kTorque:
      // A directory: each worker's log is named there by PBS
      // (NAME.oJOBID.INDEX, NAME.oJOBID-INDEX under Torque).
      return dir + "/";
    case BatchSystem::kLsf:
      return dir + "/worker-%J_%I.log";
  }
  return dir;
}

std::vector<ArrayRange> split_into_arrays(unsigned workers,
                                          std::optional<unsigned> largest_index) {
  std::vector<ArrayRange> arrays;
  const unsigned per_array =
      largest_index && *largest_index > 0 ? std::min(workers, *largest_index) : workers;
  for (unsigned left = workers; left > 0;) {
    const unsigned size = std::min(left, per_array);
    arrays.push_back({1, size});
    left -= size;
  }
  return arrays;
}

std::string time_limit_for(BatchSystem system, std::chrono::seconds limit) {
  const long long s = limit.count();
  switch (system) {
    case BatchSystem::kSlurm:
      if (s >= 86400) {
        return fmt::format("{}-{:02}:{:02}:{:02}", s / 86400, s / 3600 % 24, s / 60 % 60, s % 60);
      }
      return hours_minutes_seconds(limit);
    case BatchSystem::kLsf:
      return fmt::format("{}", (s + 59) / 60);  // minutes, rounded up
    default:
      return hours_minutes_seconds(limit);
  }
}

std::chrono::seconds default_stop_before(std::chrono::seconds limit) {
  return std::min(std::chrono::seconds(600), limit / 20);
}

}  // namespace jug::submit
