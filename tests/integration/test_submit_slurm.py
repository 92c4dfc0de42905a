"""Workers as batch jobs on a real SLURM (a single-node cluster the test
starts, slurm_cluster.py): the chapter's loop of job scripts that each run
`jug execute`, and `jug submit`. Each task runs exactly once however many
jobs start at once, a cancelled worker's task is taken over, a worker stops
taking tasks before its time limit, and `jug status` names each running
task's job."""

import glob
import json
import os
import re
import shutil
import subprocess
import time
import unittest
from collections import Counter

import jugtest
from slurm_cluster import SlurmCluster

JUGFILES = os.path.join(jugtest.SOURCE_DIR, "tests", "integration", "jugfiles")
INTRO = os.path.join(jugtest.SOURCE_DIR, "examples", "intro", "jugfile.cpp")
# Under a sanitizer only the cases that reach code of ours no other test
# does (submitting, the running tasks' jobs): the chapter's loop and the
# hundreds of tasks exercise the scheduler and the compile lock, which
# faster tests cover, and a time limit takes minutes (SLURM checks limits
# every 30 s).
SANITIZED = os.environ.get("JUG_SANITIZED") == "1"

CLUSTER = None


def read(path):
    with open(path) as f:
        return f.read()


def setUpModule():
    # From the main thread, which outlives it (slurm_cluster.py).
    global CLUSTER
    CLUSTER = SlurmCluster(cpus=4)
    CLUSTER.start()


def tearDownModule():
    CLUSTER.stop()
    CLUSTER.remove()


class SubmitOnSlurm(jugtest.ScratchTest):
    def setUp(self):
        super().setUp()
        self.env = dict(CLUSTER.env(), JUG_CACHE_DIR=os.path.join(self.dir, "cache"),
                        JUG_TEST_LOG=self.log)
        for name in ("append_log.cpp", "test_log.hpp", "sleepy.cpp"):
            shutil.copy(os.path.join(JUGFILES, name), self.dir)

    def jug(self, *args, check=None, timeout=300):
        return jugtest.run([jugtest.JUG, *args], self.dir, env=self.env, check=check,
                           timeout=timeout)

    def status(self, jugfile, *args):
        return json.loads(self.jug("status", jugfile, "--json", *args, check=0).stdout)

    def wait_for(self, what, predicate, timeout=120):
        deadline = time.monotonic() + timeout
        while not predicate():
            if time.monotonic() > deadline:
                self.fail(f"{what}: not within {timeout} s; squeue:\n"
                          + CLUSTER.run("squeue", "-r").stdout)
            time.sleep(0.2)

    def work_runs(self):
        """How many times each `work i` task ran, from the log."""
        return Counter(line.split()[1] for line in self.read_log() if line.startswith("work "))

    @unittest.skipIf(SANITIZED, "covered by faster tests under a sanitizer")
    def test_the_chapters_loop_of_job_scripts(self):
        # As the chapter does with qsub: one script, queued N times, each job
        # running jug execute in the shared directory; on a fresh build cache.
        script = os.path.join(self.dir, "run-jugfile.sh")
        with open(script, "w") as f:
            f.write(f"#!/bin/bash\nexec {jugtest.JUG} execute append_log.cpp -- 300\n")
        jobs = []
        for _ in range(4):
            p = jugtest.run(["sbatch", "--parsable", "-o", os.path.join(self.dir, "job-%j.log"),
                             script], self.dir, env=self.env, check=0)
            jobs.append(p.stdout.strip())
        CLUSTER.wait_for_jobs_gone(jobs, timeout=240)
        outputs = [read(p) for p in glob.glob(os.path.join(self.dir, "job-*.log"))]
        self.assertEqual(len(outputs), 4)
        # Compiled once; the others waited for it, and none ran a half-written
        # program.
        self.assertEqual(sum(o.count("jug: compiling append_log.cpp") for o in outputs), 1,
                         "\n".join(outputs))
        self.assertEqual(sum(jugtest.executed_count(o) for o in outputs), 301, "\n".join(outputs))
        runs = self.work_runs()
        self.assertEqual(len(runs), 300)
        self.assertEqual(set(runs.values()), {1}, "a task ran twice")
        self.assertEqual(self.status("append_log.cpp", "--", "300")["totals"]["finished"], 301)

    def test_submit_runs_the_intro(self):
        shutil.copy(INTRO, self.dir)
        p = self.jug("submit", "jugfile.cpp", "-n", "4", "--wait", check=0)
        self.assertIn("Queued 4 workers of jugfile.cpp on SLURM", p.stdout)
        self.assertIn("Every task is finished.", p.stdout)
        with open(os.path.join(self.dir, "output.txt")) as f:
            self.assertIn("36", f.read())
        jobs = os.path.join(self.dir, "jugfile.jugdata", "jobs")
        job_id = re.search(r"job (\d+)\.", p.stdout).group(1)
        # --wait ends when every task is finished; a worker that started
        # late may still be saying it found nothing to do.
        CLUSTER.wait_for_jobs_gone([job_id], timeout=120)
        # The script kept under its job id, and one log per worker.
        self.assertTrue(os.path.exists(os.path.join(jobs, f"job-{job_id}.sh")), os.listdir(jobs))
        logs = sorted(glob.glob(os.path.join(jobs, f"worker-{job_id}_*.log")))
        self.assertEqual(len(logs), 4, os.listdir(jobs))
        self.assertEqual(sum(jugtest.executed_count(read(log)) for log in logs), 6)

    @unittest.skipIf(SANITIZED, "covered by faster tests under a sanitizer")
    def test_submit_runs_each_of_hundreds_of_tasks_once(self):
        p = self.jug("submit", "append_log.cpp", "--workers=4", "--jobs", "2", "--name",
                     "logged", "--wait", "--", "300", check=0, timeout=400)
        self.assertIn("Every task is finished.", p.stdout)
        runs = self.work_runs()
        self.assertEqual(len(runs), 300)
        self.assertEqual(set(runs.values()), {1}, "a task ran twice")
        job_id = re.search(r"job (\d+)\.", p.stdout).group(1)
        info = CLUSTER.job_info(f"{job_id}_1")
        self.assertEqual(info["JobName"], "logged")
        self.assertEqual(info["NumCPUs"], "2")

    def test_status_names_the_job_of_each_running_task_and_a_cancelled_worker_is_replaced(self):
        # Two workers on four 3-second naps; one is cancelled mid-task.
        p = self.jug("submit", "sleepy.cpp", "-n", "2", "--", "4", "3000", check=0)
        job_id = re.search(r"job (\d+)\.", p.stdout).group(1)
        running = []

        def two_running():
            running[:] = self.status("sleepy.cpp", "--", "4", "3000")["running"]
            return len(running) == 2
        self.wait_for("two tasks running", two_running)
        self.assertEqual(sorted(r["job"] for r in running),
                         [f"SLURM job {job_id}_1", f"SLURM job {job_id}_2"])
        table = self.jug("status", "sleepy.cpp", "--", "4", "3000", check=0).stdout
        self.assertIn(f", SLURM job {job_id}_1 (pid ", table)
        # SIGTERM, then SIGKILL 5 s later (KillWait): its nap is cut short,
        # its lease left behind; the other worker takes the task over.
        CLUSTER.run("scancel", f"{job_id}_1", check=True)
        CLUSTER.wait_for_jobs_gone([job_id], timeout=120)
        st = self.status("sleepy.cpp", "--", "4", "3000")
        if st["totals"]["finished"] < 4:
            # The survivor may have ended before the lease was seen as
            # abandoned: one more worker finishes the work.
            self.jug("execute", "sleepy.cpp", "--", "4", "3000", check=0, timeout=120)
            st = self.status("sleepy.cpp", "--", "4", "3000")
        self.assertEqual(st["totals"]["finished"], 4)
        ends = Counter(line.split()[1] for line in self.read_log() if line.startswith("end "))
        self.assertEqual(set(ends.values()), {1}, "a nap finished twice")

    @unittest.skipIf(SANITIZED, "minutes of waiting for SLURM's time limit")
    def test_workers_stop_before_their_time_limit_and_a_task_cut_off_is_run_again(self):
        # 1 minute limit, stop 30 s before it: of 6 ten-second naps, a worker
        # starts those it can by 30 s and ends on its own, before SLURM's
        # limit.
        p = self.jug("submit", "sleepy.cpp", "-n", "1", "--time", "1m", "--stop-before", "30s",
                     "--wait", "--", "6", "10000", check=1, timeout=300)
        self.assertIn("not every task is finished", p.stdout)
        job_id = re.search(r"job (\d+)\.", p.stdout).group(1)
        log = read(os.path.join(self.dir, "sleepy.jugdata", "jobs", f"worker-{job_id}_1.log"))
        self.assertIn("the time allowed is up", log)
        self.assertEqual(CLUSTER.job_info(f"{job_id}_1")["JobState"], "COMPLETED")
        done = self.status("sleepy.cpp", "--", "6", "10000")["totals"]["finished"]
        self.assertIn(done, (3, 4))
        # A nap longer than the limit is cut off by SLURM (SIGTERM, then
        # SIGKILL): its lease is left behind, seen as abandoned, with the
        # job that held it; the next execute takes it over.
        p = self.jug("submit", "sleepy.cpp", "-n", "1", "--time", "1m", "--stop-before", "1s",
                     "--wait", "--", "1", "100000", check=1, timeout=300)
        job_id = re.search(r"job (\d+)\.", p.stdout).group(1)
        self.assertEqual(CLUSTER.job_info(f"{job_id}_1")["JobState"], "TIMEOUT")
        st = self.status("sleepy.cpp", "--", "1", "100000")
        self.assertEqual(st["totals"]["finished"], 0)
        self.assertEqual(len(st["abandoned"]), 1, st)
        self.assertIn(f"SLURM job {job_id}_1", st["abandoned"][0]["why"])


if __name__ == "__main__":
    jugtest.main()
