#include "submit/submission.hpp"

#include <unistd.h>

#include <cctype>
#include <charconv>
#include <filesystem>
#include <fstream>
#include <regex>
#include <sstream>

#include <fmt/format.h>

#include "jug/errors.hpp"
#include "submit/child_process.hpp"

namespace jug::submit {
namespace {

namespace fs = std::filesystem;

/// The number after `pattern` in `text` (a setting as the batch system
/// prints its configuration), if any.
std::optional<unsigned> number_after(const std::string& text, const std::string& pattern) {
  std::smatch m;
  if (!std::regex_search(text, m, std::regex(pattern + R"(\s*(\d+))"))) return std::nullopt;
  unsigned value = 0;
  const std::string digits = m[1].str();
  if (std::from_chars(digits.data(), digits.data() + digits.size(), value).ec != std::errc()) {
    return std::nullopt;
  }
  return value;
}

void write_file(const std::string& path, const std::string& text) {
  std::ofstream out(path, std::ios::trunc);
  out << text;
  out.close();
  if (!out) throw Error(fmt::format("jug submit: cannot write {}", path));
}

/// The batch system's own words, for a message.
std::string said(const Finished& run) {
  std::string text = run.err.empty() ? run.out : run.err;
  while (!text.empty() && (text.back() == '\n' || text.back() == ' ')) text.pop_back();
  return text.empty() ? fmt::format("exit status {}", run.status) : text;
}

}  // namespace

std::optional<unsigned> largest_array_index(BatchSystem system) {
  switch (system) {
    case BatchSystem::kSlurm: {
      // Indices go up to MaxArraySize - 1: the setting caps the index.
      const Finished config = run_captured({"scontrol", "show", "config"});
      const std::optional<unsigned> size = number_after(config.out, R"(MaxArraySize\s*=)");
      if (config.status != 0 || !size || *size < 2) return std::nullopt;
      return *size - 1;
    }
    case BatchSystem::kGridEngine: {
      const Finished config = run_captured({"qconf", "-sconf"});
      const std::optional<unsigned> tasks = number_after(config.out, R"(max_aj_tasks)");
      if (config.status != 0 || !tasks || *tasks == 0) return std::nullopt;  // 0: no limit
      return tasks;
    }
    case BatchSystem::kPbsPro: {
      const Finished server = run_captured({"qmgr", "-c", "list server"});
      if (server.status != 0) return std::nullopt;
      return number_after(server.out, R"(max_array_size\s*=)");
    }
    case BatchSystem::kTorque: {
      const Finished server = run_captured({"qmgr", "-c", "print server"});
      if (server.status != 0) return std::nullopt;
      return number_after(server.out, R"(max_job_array_size\s*=)");
    }
    case BatchSystem::kLsf: {
      const Finished params = run_captured({"bparams", "-a"});
      if (params.status != 0) return std::nullopt;
      return number_after(params.out, R"(MAX_JOB_ARRAY_SIZE\s*=)");
    }
  }
  return std::nullopt;
}

Submission submit_workers(BatchSystem system, const JobRequest& request, bool dry_run,
                          const std::function<std::optional<unsigned>(BatchSystem)>&
                              largest_index) {
  Submission submission{system, job_script(system, request), "", {}, {}};
  // Named by the job id once it is known; the batch system keeps its own
  // copy of what it was given.
  const std::string pending = fmt::format("{}/submitting-{}.sh", request.job_directory, ::getpid());
  const std::vector<ArrayRange> arrays = split_into_arrays(
      request.workers, dry_run ? std::optional<unsigned>() : largest_index(system));
  for (const ArrayRange& range : arrays) {
    submission.commands.push_back(submit_command(system, request, pending, range));
  }
  if (dry_run) {
    submission.script_path = pending;
    return submission;
  }
  std::error_code error;
  fs::create_directories(request.job_directory, error);
  if (error) {
    throw Error(fmt::format("jug submit: cannot make {}: {}", request.job_directory,
                            error.message()));
  }
  write_file(pending, submission.script);
  fs::permissions(pending, fs::perms::owner_exec | fs::perms::group_exec, fs::perm_options::add,
                  error);
  const auto give_up = [&](const std::string& why) {
    for (const std::string& id : submission.job_ids) run_captured(cancel_command(system, id));
    fs::remove(pending, error);
    std::string message = fmt::format("jug submit: {}", why);
    if (!submission.job_ids.empty()) {
      message += fmt::format(" (the {} array{} queued before it cancelled: nothing is left queued)",
                             submission.job_ids.size(), submission.job_ids.size() == 1 ? "" : "s");
    }
    throw Error(message);
  };
  for (const std::vector<std::string>& command : submission.commands) {
    const Finished run = run_captured(
        command, script_on_stdin(system) ? std::optional<std::string>(pending) : std::nullopt);
    if (run.status == 127 && run.out.empty()) give_up(said(run));
    if (run.status != 0) {
      give_up(fmt::format("{} refused the job: {}\n  (the command was: {})",
                          display_name_of(system), said(run), shell_quote(command)));
    }
    const std::optional<std::string> id = job_id_in(system, run.out);
    if (!id) {
      give_up(fmt::format("{} queued something, but its answer names no job id: {}",
                          command.front(), said(run)));
    }
    submission.job_ids.push_back(*id);
  }
  // "4242", "1234[].server": only what a file name takes.
  std::string id_in_name;
  for (char c : submission.job_ids.front()) {
    if (std::isalnum(static_cast<unsigned char>(c)) || c == '.' || c == '-' || c == '_') {
      id_in_name += c;
    }
  }
  submission.script_path = fmt::format("{}/job-{}.sh", request.job_directory, id_in_name);
  fs::rename(pending, submission.script_path, error);
  if (error) submission.script_path = pending;
  return submission;
}

bool any_job_left(BatchSystem system, const std::vector<std::string>& job_ids) {
  std::string ids;
  for (const std::string& id : job_ids) ids += (ids.empty() ? "" : ",") + id;
  switch (system) {
    case BatchSystem::kSlurm: {
      // Finished jobs leave squeue (after MinJobAge they are unknown: an
      // error, and nothing printed, which is the same answer).
      const Finished q = run_captured({"squeue", "--noheader", "--jobs=" + ids, "--format=%i"});
      return q.status == 0 && q.out.find_first_not_of(" \n") != std::string::npos;
    }
    case BatchSystem::kGridEngine: {
      for (const std::string& id : job_ids) {
        if (run_captured({"qstat", "-j", id}).status == 0) return true;
      }
      return false;
    }
    case BatchSystem::kPbsPro:
    case BatchSystem::kTorque: {
      for (const std::string& id : job_ids) {
        const Finished q = run_captured({"qstat", id});
        // A finished array stays listed a while in state F (PBS Pro) or C.
        if (q.status == 0 && !std::regex_search(q.out, std::regex(R"(\s[FC]\s)"))) return true;
      }
      return false;
    }
    case BatchSystem::kLsf: {
      for (const std::string& id : job_ids) {
        // Finished elements stay listed a while as DONE or EXIT; any other
        // state (PEND, RUN, PSUSP, PROV, WAIT, UNKWN...) is a worker left.
        const Finished q = run_captured({"bjobs", "-noheader", "-o", "stat", id});
        if (q.status != 0) continue;
        std::istringstream states(q.out);
        for (std::string state; states >> state;) {
          if (state != "DONE" && state != "EXIT") return true;
        }
      }
      return false;
    }
  }
  return false;
}

}  // namespace jug::submit
