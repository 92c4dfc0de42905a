"""Workers as batch jobs on a real Grid Engine (a single-node cluster the
test starts, gridengine_cluster.py): the chapter's loop of `qsub -cwd` job
scripts that each run `jug execute`, and `jug submit`. Each task runs
exactly once however many jobs start at once, a deleted worker's task is
taken over, a worker stops taking tasks before its time limit, and
`jug status` names each running task's job (JOB_ID.SGE_TASK_ID).

This machine has SLURM's clients installed too (for test_submit_slurm.py):
`jug submit` finds Grid Engine all the same, by SGE_ROOT, which only a Grid
Engine user has set; one case names it with --scheduler sge."""

import glob
import json
import os
import re
import shutil
import time
import unittest
from collections import Counter

import jugtest
from gridengine_cluster import GridEngineCluster

JUGFILES = os.path.join(jugtest.SOURCE_DIR, "tests", "integration", "jugfiles")
INTRO = os.path.join(jugtest.SOURCE_DIR, "examples", "intro", "jugfile.cpp")
# Under a sanitizer only the cases that reach code of ours no other test
# does (submitting, the running tasks' jobs): the chapter's loop and the
# hundreds of tasks exercise the scheduler and the compile lock, which
# faster tests cover, and a time limit adds half a minute (--wait asks
# Grid Engine whether the workers are left every 30 s).
SANITIZED = os.environ.get("JUG_SANITIZED") == "1"

CLUSTER = None


def read(path):
    with open(path) as f:
        return f.read()


def setUpModule():
    # From the main thread, which outlives it (gridengine_cluster.py).
    # unittest skips tearDownModule when this fails: it cleans up itself.
    global CLUSTER
    try:
        CLUSTER = GridEngineCluster(slots=4)
        CLUSTER.start()
    except BaseException:
        tearDownModule()
        raise


def tearDownModule():
    if CLUSTER is not None:
        CLUSTER.remove()


def accounting(job_id, tasks, timeout=15):
    """The `qacct -j JOB` records of the array's tasks, {task id: {field:
    value}}, once all `tasks` of them are written (the qmaster flushes its
    accounting file every second)."""
    deadline = time.monotonic() + timeout
    while True:
        out = CLUSTER.run("qacct", "-j", str(job_id), check=False).stdout
        records = {}
        for block in re.split(r"^=+$", out, flags=re.M)[1:]:
            fields = {}
            for line in block.strip().splitlines():
                key, _, value = line.partition(" ")
                fields[key] = value.strip()
            # "137                  (Killed)": the number
            fields["exit_status"] = fields.get("exit_status", "").split(" ")[0]
            records[fields.get("taskid")] = fields
        if len(records) >= tasks:
            return records
        if time.monotonic() > deadline:
            raise AssertionError(f"qacct -j {job_id}: {len(records)} of {tasks} tasks:\n{out}")
        time.sleep(0.2)


class SubmitOnGridEngine(jugtest.ScratchTest):
    def setUp(self):
        super().setUp()
        self.env = dict(CLUSTER.env(), JUG_CACHE_DIR=os.path.join(self.dir, "cache"), JUG_TEST_LOG=self.log)
        for name in ("append_log.cpp", "test_log.hpp", "sleepy.cpp"):
            shutil.copy(os.path.join(JUGFILES, name), self.dir)

    def jug(self, *args, check=None, timeout=300, cwd=None):
        return jugtest.run([jugtest.JUG, *args], cwd or self.dir, env=self.env, check=check,
                           timeout=timeout)

    def status(self, jugfile, *args):
        return json.loads(self.jug("status", jugfile, "--json", *args, check=0).stdout)

    def wait_for(self, what, predicate, timeout=120):
        deadline = time.monotonic() + timeout
        while not predicate():
            if time.monotonic() > deadline:
                self.fail(f"{what}: not within {timeout} s; qstat:\n"
                          + CLUSTER.run("qstat", "-u", "*", "-g", "d").stdout)
            time.sleep(0.2)

    def work_runs(self):
        """How many times each `work i` task ran, from the log."""
        return Counter(line.split()[1] for line in self.read_log() if line.startswith("work "))

    @staticmethod
    def job_id(submitted):
        return re.search(r"job (\d+)\.", submitted.stdout).group(1)

    @unittest.skipIf(SANITIZED, "covered by faster tests under a sanitizer")
    def test_the_chapters_loop_of_job_scripts(self):
        # As the chapter does: one script, queued N times with qsub -cwd,
        # each job running jug execute in the shared directory; on a fresh
        # build cache. Without -V Grid Engine passes a job none of the
        # submitter's environment: the script exports what the test needs.
        script = os.path.join(self.dir, "run-jugfile.sh")
        with open(script, "w") as f:
            f.write(f"#!/bin/bash\n"
                    f"export JUG_CACHE_DIR={self.env['JUG_CACHE_DIR']} JUG_TEST_LOG={self.log}\n"
                    f"exec {jugtest.JUG} execute append_log.cpp -- 300\n")
        jobs = [CLUSTER.qsub("-cwd", "run-jugfile.sh", cwd=self.dir) for _ in range(4)]
        CLUSTER.wait_for_jobs_gone(jobs, timeout=240)
        # Each job's stdout and stderr, as Grid Engine names them with -cwd.
        outputs = [read(os.path.join(self.dir, f"run-jugfile.sh.o{j}")) +
                   read(os.path.join(self.dir, f"run-jugfile.sh.e{j}")) for j in jobs]
        everything = "\n".join(outputs)
        for j in jobs:
            self.assertEqual(accounting(j, 1)["undefined"]["exit_status"], "0", everything)
        # Compiled once; the others waited for it, and none ran a half-written
        # program.
        self.assertEqual(everything.count("jug: compiling append_log.cpp"), 1, everything)
        self.assertEqual(sum(jugtest.executed_count(o) for o in outputs), 301, everything)
        runs = self.work_runs()
        self.assertEqual(len(runs), 300)
        self.assertEqual(set(runs.values()), {1}, "a task ran twice")
        self.assertEqual(self.status("append_log.cpp", "--", "300")["totals"]["finished"], 301)

    def test_submit_runs_the_intro(self):
        shutil.copy(INTRO, self.dir)
        p = self.jug("submit", "jugfile.cpp", "-n", "4", "--wait", check=0)
        self.assertIn("Queued 4 workers of jugfile.cpp on Grid Engine", p.stdout)
        self.assertIn("Every task is finished.", p.stdout)
        self.assertIn("36", read(os.path.join(self.dir, "output.txt")))
        job_id = self.job_id(p)
        # The last worker may still be writing its summary.
        CLUSTER.wait_for_jobs_gone([job_id], timeout=60)
        jobs = os.path.join(self.dir, "jugfile.jugdata", "jobs")
        # The script kept under its job id, and one log per worker (-o with
        # -j y: nothing in the working directory).
        self.assertTrue(os.path.exists(os.path.join(jobs, f"job-{job_id}.sh")), os.listdir(jobs))
        logs = sorted(glob.glob(os.path.join(jobs, f"worker-{job_id}.*.log")))
        self.assertEqual([os.path.basename(log) for log in logs],
                         [f"worker-{job_id}.{i}.log" for i in range(1, 5)], os.listdir(jobs))
        self.assertEqual(sum(jugtest.executed_count(read(log)) for log in logs), 6)
        self.assertEqual(glob.glob(os.path.join(self.dir, "jugfile.[oe]*")), [])
        records = accounting(job_id, 4)
        self.assertEqual({r["exit_status"] for r in records.values()}, {"0"}, records)

    @unittest.skipIf(SANITIZED, "covered by faster tests under a sanitizer")
    def test_submit_runs_each_of_hundreds_of_tasks_once(self):
        # -j 2: `#$ -pe smp 2` (the cluster's parallel environment smp, all
        # slots on one host); two such workers at a time in its 4 slots.
        p = self.jug("submit", "append_log.cpp", "--workers=4", "--jobs", "2", "--name",
                     "logged", "--wait", "--", "300", check=0, timeout=400)
        self.assertIn("Every task is finished.", p.stdout)
        runs = self.work_runs()
        self.assertEqual(len(runs), 300)
        self.assertEqual(set(runs.values()), {1}, "a task ran twice")
        job_id = self.job_id(p)
        CLUSTER.wait_for_jobs_gone([job_id], timeout=120)
        records = accounting(job_id, 4)
        for task in ("1", "2", "3", "4"):
            self.assertEqual(records[task]["jobname"], "logged")
            self.assertEqual(records[task]["granted_pe"], "smp")
            self.assertEqual(records[task]["slots"], "2")
            self.assertEqual(records[task]["exit_status"], "0")

    def test_status_names_the_job_of_each_running_task_and_a_deleted_worker_is_replaced(self):
        # Named, as a user may on a host with both.
        self.env["PATH"] = CLUSTER.env()["PATH"]
        # Two workers on four 3-second naps; one is deleted mid-task.
        p = self.jug("submit", "sleepy.cpp", "--scheduler", "sge", "-n", "2", "--", "4", "3000",
                     check=0)
        self.assertIn("Queued 2 workers of sleepy.cpp on Grid Engine", p.stdout)
        job_id = self.job_id(p)
        running = []

        def two_running():
            running[:] = self.status("sleepy.cpp", "--", "4", "3000")["running"]
            return len(running) == 2
        self.wait_for("two tasks running", two_running)
        self.assertEqual(sorted(r["job"] for r in running),
                         [f"Grid Engine job {job_id}.1", f"Grid Engine job {job_id}.2"])
        table = self.jug("status", "sleepy.cpp", "--", "4", "3000", check=0).stdout
        self.assertIn(f", Grid Engine job {job_id}.1 (pid ", table)
        # qdel of one array task: SIGKILL at once (no -notify). Its nap is
        # cut short, its lease left behind; the other worker takes it over.
        CLUSTER.run("qdel", job_id, "-t", "1")
        CLUSTER.wait_for_jobs_gone([job_id], timeout=120)
        self.assertEqual(accounting(job_id, 2)["1"]["exit_status"], "137")    # 128 + SIGKILL
        st = self.status("sleepy.cpp", "--", "4", "3000")
        if st["totals"]["finished"] < 4:
            # The survivor may have ended before the lease was seen as
            # abandoned: one more worker finishes the work.
            self.jug("execute", "sleepy.cpp", "--", "4", "3000", check=0, timeout=120)
            st = self.status("sleepy.cpp", "--", "4", "3000")
        self.assertEqual(st["totals"]["finished"], 4)
        ends = Counter(line.split()[1] for line in self.read_log() if line.startswith("end "))
        self.assertEqual(sorted(ends), ["0", "1", "2", "3"])
        self.assertEqual(set(ends.values()), {1}, "a nap finished twice")

    @unittest.skipIf(SANITIZED, "half a minute of --wait for Grid Engine's time limit")
    def test_workers_stop_before_their_time_limit_and_a_task_cut_off_is_run_again(self):
        # Grid Engine enforces h_rt with SIGKILL, within a second of it.
        # First (not waited for) a nap longer than a 10 s limit: Grid Engine
        # kills it; its lease is left behind, seen as abandoned, with the
        # job that held it.
        cut = self.jug("submit", "sleepy.cpp", "-n", "1", "--time", "10s", "--stop-before",
                       "1s", "--", "1", "100000", check=0)
        cut_id = self.job_id(cut)
        # Meanwhile a 12 s limit, stop 6 s before it: of 6 naps of 2.5 s, a
        # worker starts those it can by 6 s (3, fewer on a loaded machine,
        # where the job starts slowly) and ends on its own, before Grid
        # Engine's limit. --wait sees it gone (its first look, at 30 s) with
        # work left.
        p = self.jug("submit", "sleepy.cpp", "-n", "1", "--time", "12s", "--stop-before", "6s",
                     "--wait", "--", "6", "2500", check=1, timeout=120)
        self.assertIn("not every task is finished", p.stdout)
        job_id = self.job_id(p)
        log = read(os.path.join(self.dir, "sleepy.jugdata", "jobs", f"worker-{job_id}.1.log"))
        self.assertIn("the time allowed is up", log)
        record = accounting(job_id, 1)["1"]
        self.assertEqual((record["failed"], record["exit_status"]), ("0", "0"), record)
        done = self.status("sleepy.cpp", "--", "6", "2500")["totals"]["finished"]
        self.assertIn(done, (1, 2, 3, 4))

        CLUSTER.wait_for_jobs_gone([cut_id], timeout=60)
        record = accounting(cut_id, 1)["1"]
        self.assertIn("h_rt", record["failed"], record)
        self.assertEqual(record["exit_status"], "137", record)
        st = self.status("sleepy.cpp", "--", "1", "100000")
        self.assertEqual(st["totals"]["finished"], 0)
        self.assertEqual(len(st["abandoned"]), 1, st)
        self.assertIn(f"Grid Engine job {cut_id}.1", st["abandoned"][0]["why"])

    def test_submit_from_a_directory_whose_name_has_a_space(self):
        work = os.path.join(self.dir, "my project")
        os.mkdir(work)
        shutil.copy(INTRO, work)
        p = self.jug("submit", "jugfile.cpp", "-n", "1", "--wait", check=None, cwd=work)
        self.assertEqual(p.returncode, 0, f"--- stdout\n{p.stdout}\n--- stderr\n{p.stderr}")
        self.assertIn("Every task is finished.", p.stdout)
        self.assertIn("36", read(os.path.join(work, "output.txt")))
        job_id = self.job_id(p)
        CLUSTER.wait_for_jobs_gone([job_id], timeout=60)
        log = os.path.join(work, "jugfile.jugdata", "jobs", f"worker-{job_id}.1.log")
        self.assertEqual(jugtest.executed_count(read(log)), 6)


if __name__ == "__main__":
    jugtest.main()
