/// What `jug submit` writes for each batch system, checked against what
/// each system's documentation says its scripts and commands look like.

#include "submit/job_script.hpp"

#include <gtest/gtest.h>

#include <string>

#include "submit/batch_system.hpp"

namespace jug::submit {
namespace {

using std::chrono::seconds;

bool has_line(const std::string& text, const std::string& line) {
  return ("\n" + text + "\n").find("\n" + line + "\n") != std::string::npos;
}

JobRequest request() {
  JobRequest r;
  r.name = "jugfile";
  r.workers = 16;
  r.cpus = 2;
  r.time_limit = seconds(7200);
  r.stop_before = seconds(360);
  r.memory_mib = 4096;
  r.queue = "short";
  r.account = "proj1";
  r.raw_options = {"--constraint=haswell"};
  r.working_directory = "/home/ann/work dir";
  r.job_directory = "/home/ann/work dir/jugfile.jugdata/jobs";
  r.worker = {"/usr/bin/jug", "execute", "/home/ann/work dir/jugfile.cpp", "-j", "2"};
  return r;
}

TEST(BatchSystem, IsDetectedFromWhatIsInstalled) {
  const auto installed = [](std::vector<std::string> programs, bool sge_root,
                            std::string qsub_version) {
    return Installed{
        .has_program =
            [programs](std::string_view name) {
              return std::find(programs.begin(), programs.end(), name) != programs.end();
            },
        .has_variable = [sge_root](const char* name) {
          return sge_root && std::string_view(name) == "SGE_ROOT";
        },
        .qsub_version = [qsub_version] { return qsub_version; },
    };
  };
  EXPECT_EQ(detect_batch_system(installed({"sbatch", "qsub"}, false, "")), BatchSystem::kSlurm)
      << "a SLURM cluster that keeps a qsub wrapper is SLURM";
  EXPECT_EQ(detect_batch_system(installed({"qsub"}, true, "")), BatchSystem::kGridEngine);
  EXPECT_EQ(detect_batch_system(installed({"sbatch", "qsub"}, true, "")),
            BatchSystem::kGridEngine)
      << "SGE_ROOT is set only where Grid Engine is in use";
  EXPECT_EQ(detect_batch_system(installed({"qsub"}, false, "pbs_version = 2022.1.1")),
            BatchSystem::kPbsPro);
  EXPECT_EQ(detect_batch_system(installed({"qsub"}, false, "Version: 6.1.3")),
            BatchSystem::kTorque);
  EXPECT_EQ(detect_batch_system(installed({"bsub"}, false, "")), BatchSystem::kLsf);
  EXPECT_EQ(detect_batch_system(installed({}, true, "")), std::nullopt);
}

TEST(BatchSystem, NamesParseBothWays) {
  for (BatchSystem s : {BatchSystem::kSlurm, BatchSystem::kGridEngine, BatchSystem::kPbsPro,
                        BatchSystem::kTorque, BatchSystem::kLsf}) {
    EXPECT_EQ(parse_batch_system(name_of(s)), s);
  }
  EXPECT_EQ(parse_batch_system("gridengine"), BatchSystem::kGridEngine);
  EXPECT_EQ(parse_batch_system("openpbs"), BatchSystem::kPbsPro);
  EXPECT_EQ(parse_batch_system("condor"), std::nullopt);
}

TEST(JobScript, SlurmDirectivesAndTheWorker) {
  const std::string script = job_script(BatchSystem::kSlurm, request());
  EXPECT_TRUE(script.starts_with("#!/bin/bash\n"));
  for (const char* line :
       {"#SBATCH --job-name=jugfile", "#SBATCH --cpus-per-task=2", "#SBATCH --time=2:00:00",
        "#SBATCH --mem=4096M", "#SBATCH --partition=short", "#SBATCH --account=proj1",
        "#SBATCH --output='/home/ann/work dir/jugfile.jugdata/jobs/worker-%A_%a.log'",
        "#SBATCH --constraint=haswell", "cd '/home/ann/work dir' || exit 1",
        "export JUG_MAX_SECONDS=6840",
        "exec /usr/bin/jug execute '/home/ann/work dir/jugfile.cpp' -j 2"}) {
    EXPECT_TRUE(has_line(script, line)) << line << "\nnot in:\n" << script;
  }
  // The user's own directive comes after ours: it wins.
  EXPECT_LT(script.find("--partition"), script.find("--constraint"));
  // The worker is the last line, exec'd: signals reach it.
  EXPECT_TRUE(script.ends_with("-j 2\n"));
}

TEST(JobScript, GridEngineDirectives) {
  const std::string script = job_script(BatchSystem::kGridEngine, request());
  for (const char* line :
       {"#$ -N jugfile", "#$ -S /bin/bash", "#$ -V", "#$ -wd '/home/ann/work dir'",
        "#$ -pe smp 2", "#$ -l h_rt=2:00:00", "#$ -l h_vmem=2048M", "#$ -q short",
        "#$ -A proj1",
        "#$ -o '/home/ann/work dir/jugfile.jugdata/jobs/worker-$JOB_ID.$TASK_ID.log'",
        "#$ -j y", "#$ --constraint=haswell"}) {
    EXPECT_TRUE(has_line(script, line)) << line << "\nnot in:\n" << script;
  }
  JobRequest one_cpu = request();
  one_cpu.cpus = 1;
  EXPECT_EQ(job_script(BatchSystem::kGridEngine, one_cpu).find("-pe "), std::string::npos)
      << "a parallel environment only for more than one CPU";
}

TEST(JobScript, PbsProAndTorqueDirectives) {
  const std::string pro = job_script(BatchSystem::kPbsPro, request());
  for (const char* line : {"#PBS -N jugfile", "#PBS -V", "#PBS -l select=1:ncpus=2:mem=4096mb",
                           "#PBS -l walltime=2:00:00", "#PBS -q short", "#PBS -A proj1",
                           "#PBS -j oe", "#PBS -o '/home/ann/work dir/jugfile.jugdata/jobs/'"}) {
    EXPECT_TRUE(has_line(pro, line)) << line << "\nnot in:\n" << pro;
  }
  const std::string torque = job_script(BatchSystem::kTorque, request());
  for (const char* line : {"#PBS -l nodes=1:ppn=2", "#PBS -l mem=4096mb",
                           "#PBS -l walltime=2:00:00"}) {
    EXPECT_TRUE(has_line(torque, line)) << line << "\nnot in:\n" << torque;
  }
}

TEST(JobScript, LsfDirectives) {
  const std::string script = job_script(BatchSystem::kLsf, request());
  for (const char* line : {"#BSUB -J jugfile", "#BSUB -n 2", "#BSUB -R \"span[hosts=1]\"",
                           "#BSUB -W 120", "#BSUB -M 4096MB", "#BSUB -q short", "#BSUB -P proj1",
                           "#BSUB -cwd '/home/ann/work dir'",
                           "#BSUB -o '/home/ann/work dir/jugfile.jugdata/jobs/worker-%J_%I.log'"}) {
    EXPECT_TRUE(has_line(script, line)) << line << "\nnot in:\n" << script;
  }
}

TEST(JobScript, WithoutATimeLimitWorkersRunUntilDone) {
  JobRequest r = request();
  r.time_limit.reset();
  const std::string script = job_script(BatchSystem::kSlurm, r);
  EXPECT_EQ(script.find("JUG_MAX_SECONDS"), std::string::npos);
  EXPECT_EQ(script.find("--time"), std::string::npos);
}

TEST(SubmitCommand, QueuesOneArrayPerSystem) {
  const JobRequest r = request();
  EXPECT_EQ(submit_command(BatchSystem::kSlurm, r, "/j/s.sh", {1, 16}),
            (std::vector<std::string>{"sbatch", "--parsable", "--array=1-16", "/j/s.sh"}));
  EXPECT_EQ(submit_command(BatchSystem::kGridEngine, r, "/j/s.sh", {1, 16}),
            (std::vector<std::string>{"qsub", "-terse", "-t", "1-16", "/j/s.sh"}));
  EXPECT_EQ(submit_command(BatchSystem::kPbsPro, r, "/j/s.sh", {1, 16}),
            (std::vector<std::string>{"qsub", "-J", "1-16", "/j/s.sh"}));
  EXPECT_EQ(submit_command(BatchSystem::kPbsPro, r, "/j/s.sh", {1, 1}),
            (std::vector<std::string>{"qsub", "/j/s.sh"}))
      << "a PBS Pro array has two subjobs at least";
  EXPECT_EQ(submit_command(BatchSystem::kTorque, r, "/j/s.sh", {1, 16}),
            (std::vector<std::string>{"qsub", "-t", "1-16", "/j/s.sh"}));
  EXPECT_EQ(submit_command(BatchSystem::kLsf, r, "/j/s.sh", {1, 16}),
            (std::vector<std::string>{"bsub", "-J", "jugfile[1-16]"}));
  EXPECT_TRUE(script_on_stdin(BatchSystem::kLsf));
  EXPECT_FALSE(script_on_stdin(BatchSystem::kSlurm));
}

TEST(SubmitCommand, TheJobIdIsReadFromWhatEachSystemPrints) {
  EXPECT_EQ(job_id_in(BatchSystem::kSlurm, "4242\n"), "4242");
  EXPECT_EQ(job_id_in(BatchSystem::kSlurm, "4242;cluster2\n"), "4242");
  EXPECT_EQ(job_id_in(BatchSystem::kGridEngine, "77.1-16:1\n"), "77");
  EXPECT_EQ(job_id_in(BatchSystem::kGridEngine, "77\n"), "77");
  EXPECT_EQ(job_id_in(BatchSystem::kPbsPro, "1234[].pbs-head\n"), "1234[].pbs-head");
  EXPECT_EQ(job_id_in(BatchSystem::kTorque, "1234.head\n"), "1234.head");
  EXPECT_EQ(job_id_in(BatchSystem::kLsf, "Job <5678> is submitted to queue <normal>.\n"), "5678");
  EXPECT_EQ(job_id_in(BatchSystem::kSlurm, "sbatch: error: Batch job submission failed"),
            std::nullopt);
}

TEST(JobName, IsMadeAcceptableAndShortEnough) {
  EXPECT_EQ(job_name_for(BatchSystem::kSlurm, "my jugfile/v2"), "my_jugfile_v2");
  EXPECT_EQ(job_name_for(BatchSystem::kSlurm, "2024-run"), "jug-2024-run")
      << "Grid Engine and PBS refuse a name that starts with a digit";
  EXPECT_EQ(job_name_for(BatchSystem::kTorque, "image_classification"), "image_classific");
  EXPECT_LE(job_name_for(BatchSystem::kPbsPro, std::string(40, 'a')).size(), 15u);
  EXPECT_EQ(job_name_for(BatchSystem::kLsf, "x[1]"), "x_1_") << "brackets are LSF's arrays";
}

TEST(JobArrays, AreSplitWhereTheSystemCapsTheIndex) {
  const auto sizes = [](const std::vector<ArrayRange>& arrays) {
    std::vector<unsigned> out;
    for (const ArrayRange& a : arrays) {
      EXPECT_EQ(a.first, 1u);
      out.push_back(a.size());
    }
    return out;
  };
  EXPECT_EQ(sizes(split_into_arrays(16, std::nullopt)), std::vector<unsigned>{16});
  EXPECT_EQ(sizes(split_into_arrays(16, 1000)), std::vector<unsigned>{16});
  EXPECT_EQ(sizes(split_into_arrays(2500, 1000)), (std::vector<unsigned>{1000, 1000, 500}));
  EXPECT_EQ(sizes(split_into_arrays(3, 1)), (std::vector<unsigned>{1, 1, 1}));
}

TEST(TimeLimit, IsWrittenAsEachSystemReadsIt) {
  EXPECT_EQ(time_limit_for(BatchSystem::kSlurm, seconds(7200)), "2:00:00");
  EXPECT_EQ(time_limit_for(BatchSystem::kSlurm, seconds(36 * 3600 + 61)), "1-12:01:01");
  EXPECT_EQ(time_limit_for(BatchSystem::kGridEngine, seconds(36 * 3600)), "36:00:00");
  EXPECT_EQ(time_limit_for(BatchSystem::kLsf, seconds(7201)), "121") << "minutes, rounded up";
  EXPECT_EQ(default_stop_before(seconds(7200)), seconds(360));
  EXPECT_EQ(default_stop_before(seconds(48 * 3600)), seconds(600));
}

}  // namespace
}  // namespace jug::submit
