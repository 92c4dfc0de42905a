"""`jug submit` on PBS Pro, Torque and LSF, end to end, through the tests'
stand-ins of their client commands (standin_batch/: qsub, qstat, qdel, qmgr;
bsub, bjobs, bkill, bparams). Debian packages no server of either: the
stand-ins take a job as the real commands do (the options jug passes on the
command line, the directives of its script), refuse what the real ones
refuse, print the job id as they do, record each call, and run the script
once per array index, detached, with that system's environment variables,
its output delivered where the directives say when the element ends.

For each system: the chapter's first example runs to its end (--wait); the
submission and the script are what docs/clusters.md says; each element
runs with its system's variables, and its lease names it ("PBS job
100[2].pbs-head", "LSF job 100[2]"); the batch system, asked as jug asks
it, says the job runs, and then, cancelled with the id jug printed, that it
has ended; the logs are where the directives put them; an array larger than
the server takes is split (PBS Pro: an array of one is a plain job); a
refused array cancels those queued before it; --dry-run queues nothing. Then, for the three at once, --wait asking the
batch system whether the workers are left (every 30 s: a worker still
running past it, a worker that ended with work left); and jug telling PBS
Pro, Torque and LSF apart with no --scheduler.

This machine has SLURM and Grid Engine clients installed (for
test_submit_slurm.py and test_submit_gridengine.py), and jug looks for
sbatch first: cases name the system with --scheduler, but for the test of
detection, whose PATH has none of this machine's batch commands.
"""

import glob
import json
import os
import re
import shutil
import subprocess
import sys
import tempfile
import time

import jugtest

STANDINS = os.path.join(os.path.dirname(os.path.abspath(__file__)), "standin_batch")
sys.dont_write_bytecode = True
sys.path.insert(0, STANDINS)
import standin  # noqa: E402  (for kill_everything)

JUGFILES = os.path.join(jugtest.SOURCE_DIR, "tests", "integration", "jugfiles")
INTRO = os.path.join(jugtest.SOURCE_DIR, "examples", "intro", "jugfile.cpp")
SERVER = "pbs-head"

# The commands of a batch system jug looks for or runs, left out of the
# PATH of the detection test (this machine has SLURM's and Grid Engine's).
BATCH_COMMANDS = {"sbatch", "squeue", "scancel", "scontrol", "qsub", "qstat", "qdel", "qmgr",
                  "qconf", "bsub", "bjobs", "bkill", "bparams"}
# Variables of a batch job or of Grid Engine the test might run under.
FOREIGN_VARIABLES = re.compile(r"^(SGE_|SLURM_|PBS_|LSB_|LSF_|JOB_ID$|STANDIN_)")

CACHE = None     # the compiled jugfiles, shared by the tests (a fresh one each run)
SHADOW = None    # directories of symlinks: PATH without the batch commands
LSF_ONLY = None  # the LSF stand-ins alone


def setUpModule():
    global CACHE, SHADOW, LSF_ONLY
    CACHE = tempfile.mkdtemp(prefix="jug-it-standin-cache-")
    SHADOW = tempfile.mkdtemp(prefix="jug-it-standin-path-")
    LSF_ONLY = os.path.join(SHADOW, "lsf")
    os.mkdir(LSF_ONLY)
    for name in ("bsub", "bjobs", "bkill", "bparams"):
        os.symlink(os.path.join(STANDINS, name), os.path.join(LSF_ONLY, name))


def tearDownModule():
    shutil.rmtree(CACHE, ignore_errors=True)
    shutil.rmtree(SHADOW, ignore_errors=True)


def read(path):
    with open(path) as f:
        return f.read()


def path_without_batch_commands():
    """This machine's PATH, each directory holding a batch command replaced
    by one of symlinks to all else it holds."""
    dirs = []
    for i, d in enumerate(os.environ["PATH"].split(":")):
        if d and os.path.isdir(d) and any(
                os.path.exists(os.path.join(d, name)) for name in BATCH_COMMANDS):
            shadow = os.path.join(SHADOW, str(i))
            if not os.path.isdir(shadow):
                os.mkdir(shadow)
                for name in os.listdir(d):
                    if name not in BATCH_COMMANDS:
                        os.symlink(os.path.join(d, name), os.path.join(shadow, name))
            d = shadow
        dirs.append(d)
    return ":".join(dirs)


def environment(**settings):
    """This process's environment without any batch job's or batch system's
    variables, with `settings`."""
    env = {k: v for k, v in os.environ.items() if not FOREIGN_VARIABLES.match(k)}
    env.update(settings)
    return env


class System:
    """What each batch system is called, takes and prints, per its
    documentation (and docs/clusters.md)."""

    def __init__(self, flavour, scheduler, display, queue):
        self.flavour = flavour      # STANDIN_FLAVOUR, or "lsf"
        self.scheduler = scheduler  # jug submit --scheduler
        self.display = display      # as jug names it
        self.queue = queue          # the stand-in's default queue
        self.pbs = flavour in ("pbspro", "torque")

    def job_id(self, number, size):
        """What the submission command prints, and jug keeps."""
        if self.flavour == "pbspro":
            return f"{number}[].{SERVER}" if size >= 2 else f"{number}.{SERVER}"
        if self.flavour == "torque":
            return f"{number}[].{SERVER}"
        return str(number)

    def element(self, number, index, size):
        """An element's job, as its lease records it."""
        if self.flavour == "lsf":
            return f"LSF job {number}[{index}]"
        if self.flavour == "pbspro" and size < 2:
            return f"PBS job {number}.{SERVER}"
        return f"PBS job {number}[{index}].{SERVER}"

    def submit_argv(self, name, size, script):
        """The arguments of qsub or bsub for an array of `size`."""
        if self.flavour == "pbspro":
            return ["-J", f"1-{size}", script] if size >= 2 else [script]
        if self.flavour == "torque":
            return ["-t", f"1-{size}", script]
        return ["-J", f"{name}[1-{size}]"]

    def directives(self, name, jobs, cwd, cpus=1, time=None, minutes=None, mem_mb=None,
                   queue=None, account=None):
        """The directives of the script (without the prefix), per the table
        of docs/clusters.md."""
        if self.pbs:
            d = [f"-N {name}", "-V"]
            if self.flavour == "pbspro":
                d.append(f"-l select=1:ncpus={cpus}" + (f":mem={mem_mb}mb" if mem_mb else ""))
            else:
                d.append(f"-l nodes=1:ppn={cpus}")
                if mem_mb:
                    d.append(f"-l mem={mem_mb}mb")
            if time:
                d.append(f"-l walltime={time}")
            if queue:
                d.append(f"-q {queue}")
            if account:
                d.append(f"-A {account}")
            return d + ["-j oe", f"-o {jobs}/"]
        d = [f"-J {name}", f"-n {cpus}", '-R "span[hosts=1]"']
        if minutes:
            d.append(f"-W {minutes}")
        if mem_mb:
            d.append(f"-M {mem_mb}MB")
        if queue:
            d.append(f"-q {queue}")
        if account:
            d.append(f"-P {account}")
        return d + [f"-cwd {cwd}", f"-o {jobs}/worker-%J_%I.log"]

    def log(self, jobs, name, number, index, size):
        """Where an element's output is delivered."""
        if self.flavour == "pbspro":
            return os.path.join(jobs, f"{name}.o{number}" + (f".{index}" if size >= 2 else ""))
        if self.flavour == "torque":
            return os.path.join(jobs, f"{name}.o{number}-{index}")
        return os.path.join(jobs, f"worker-{number}_{index}.log")

    def element_variables(self, number, index, size, name, cwd):
        """The variables each element must see."""
        if self.flavour == "lsf":
            return {"LSB_JOBID": str(number), "LSB_JOBINDEX": str(index),
                    "LSB_JOBNAME": f"{name}[{index}]"}
        v = {"PBS_O_WORKDIR": cwd}
        if self.flavour == "pbspro":
            v["PBS_JOBNAME"] = name
            if size >= 2:
                v.update(PBS_JOBID=f"{number}[{index}].{SERVER}", PBS_ARRAY_INDEX=str(index),
                         PBS_ARRAY_ID=f"{number}[].{SERVER}")
            else:
                v["PBS_JOBID"] = f"{number}.{SERVER}"
        else:
            v.update(PBS_JOBID=f"{number}[{index}].{SERVER}", PBS_ARRAYID=str(index))
        return v

    def cancel_command(self):
        return "bkill" if self.flavour == "lsf" else "qdel"

    def query(self, job_id):
        """The query jug's --wait makes (submission.cpp, any_job_left)."""
        if self.flavour == "lsf":
            return ["bjobs", "-noheader", "-o", "stat", job_id]
        return ["qstat", job_id]

    def says_finished(self, query):
        """Whether the answer to query() is that of a job that has ended,
        as the real command gives it."""
        if self.flavour == "pbspro":
            # Without -x a finished job is an error (job history on).
            return query.returncode == 35 and "Job has finished" in query.stderr
        if self.flavour == "torque":
            return query.returncode == 0 and re.search(r"\sC\s", query.stdout) is not None
        states = query.stdout.split()
        return query.returncode == 0 and states and set(states) <= {"DONE", "EXIT"}

    def says_running(self, query):
        if self.flavour == "lsf":
            return query.returncode == 0 and "RUN" in query.stdout.split()
        # PBS Pro: an array that has begun is B.
        letter = "B" if self.flavour == "pbspro" and "[]" in query.args[-1] else "R"
        return query.returncode == 0 and re.search(rf"\s{letter}\s", query.stdout) is not None


PBS_PRO = System("pbspro", "pbs", "PBS Pro", "workq")
TORQUE = System("torque", "torque", "Torque", "batch")
LSF = System("lsf", "lsf", "LSF", "normal")


class StandinTest(jugtest.ScratchTest):
    """A scratch directory with a stand-in batch system of its own (its
    state and record)."""

    SYSTEM = None

    def setUp(self):
        super().setUp()
        self.system = self.SYSTEM
        self.state = os.path.join(self.dir, "standin-state")
        self.record = os.path.join(self.dir, "standin-record.jsonl")
        self.env = environment(
            PATH=STANDINS + ":" + os.environ["PATH"], STANDIN_STATE=self.state,
            STANDIN_RECORD=self.record, JUG_CACHE_DIR=CACHE, JUG_TEST_LOG=self.log,
            STANDIN_FLAVOUR=self.system.flavour if self.system.pbs else "")
        shutil.copy(os.path.join(JUGFILES, "sleepy.cpp"), self.dir)

    def tearDown(self):
        # Every element and runner of this test's jobs, before its directory.
        left = standin.kill_everything(self.state)
        super().tearDown()
        self.assertEqual(left, [], "stand-in processes that would not end")

    def run_in(self, args, env=None, timeout=120, check=None):
        p = subprocess.run(args, cwd=self.dir, env=env or self.env, capture_output=True,
                           text=True, timeout=timeout)
        if check is not None and p.returncode != check:
            raise AssertionError(f"{args} exited {p.returncode}, expected {check}\n"
                                 f"--- stdout\n{p.stdout}\n--- stderr\n{p.stderr}")
        return p

    def jug(self, *args, **kw):
        return self.run_in([jugtest.JUG, *args], **kw)

    def submit(self, jugfile, *args, **kw):
        return self.jug("submit", jugfile, "--scheduler", self.system.scheduler, *args, **kw)

    def records(self, command=None):
        if not os.path.exists(self.record):
            return []
        with open(self.record) as f:
            entries = [json.loads(line) for line in f if line.strip()]
        return [e for e in entries if command is None or e["command"] == command]

    def submissions(self):
        return [e for e in self.records() if e.get("kind") == "submission"]

    def elements(self, job_id):
        return {e["index"]: e for e in self.records("element") if e["job"] == job_id}

    def ask(self, job_id):
        return self.run_in(self.system.query(job_id))

    def wait_for(self, what, predicate, timeout=60):
        deadline = time.monotonic() + timeout
        while not predicate():
            if time.monotonic() > deadline:
                self.fail(f"{what}: not within {timeout} s")
            time.sleep(0.1)

    def wait_until_ended(self, job_ids, timeout=60):
        """Until the batch system says each job has ended (its output is
        delivered by then)."""
        for job_id in job_ids:
            self.wait_for(f"job {job_id} ended",
                          lambda: self.system.says_finished(self.ask(job_id)), timeout)

    def jobs_dir(self, jugfile):
        return os.path.join(self.dir, os.path.splitext(jugfile)[0] + ".jugdata", "jobs")

    def check_submission(self, entry, name, size, jobs, **options):
        """The command and the script of one submission, per the docs."""
        system = self.system
        script = entry.get("script_path")
        if system.pbs:
            self.assertRegex(script or "", rf"^{re.escape(jobs)}/submitting-\d+\.sh$")
        else:
            self.assertTrue(entry["script_from_stdin"], "bsub < script")
        self.assertEqual(entry["argv"], system.submit_argv(name, size, script), entry["argv"])
        self.assertEqual(entry["cwd"], self.dir)
        self.assertTrue(entry["script"].startswith("#!/bin/bash\n"), entry["script"])
        self.assertCountEqual(entry["directives"],
                              system.directives(name, jobs, self.dir, **options),
                              entry["script"])
        self.assertIn(f"cd {self.dir} || exit 1\n", entry["script"])
        self.assertRegex(entry["script"], rf"\nexec {re.escape(jugtest.JUG)} execute ")
        # What it saw: this test's environment (jug passes its own on).
        self.assertEqual(entry["env"].get("JUG_CACHE_DIR"), CACHE)

    def check_elements(self, job_id, number, size, name, jugfile):
        """Each element of a job ran, with its system's variables, and its
        output was delivered where the directives say."""
        elements = self.elements(job_id)
        indices = list(range(1, size + 1)) if (size >= 2 or self.system.flavour != "pbspro") \
            else [0]
        self.assertEqual(sorted(elements), indices, self.records("element"))
        jobs = self.jobs_dir(jugfile)
        for index in indices:
            element = elements[index]
            for variable, value in self.system.element_variables(
                    number, index, size, name, self.dir).items():
                self.assertEqual(element["env"].get(variable), value,
                                 f"{variable} of element {index} of {job_id}")
            # -V (PBS), or LSF's default: the submitter's environment.
            self.assertEqual(element["env"].get("JUG_CACHE_DIR"), CACHE)
            log = self.system.log(jobs, name, number, index, size)
            self.assertEqual(element["output"]["out"], log)
            self.assertTrue(os.path.exists(log), f"{log} not in {os.listdir(jobs)}")
        return [self.system.log(jobs, name, number, i, size) for i in indices]


class Cases:
    """The cases of each batch system (a mixin: the classes below name the
    system)."""

    def test_submit_runs_the_intro(self):
        shutil.copy(INTRO, self.dir)
        p = self.submit("jugfile.cpp", "-n", "4", "--wait", check=0, timeout=180)
        system = self.system
        job_id = system.job_id(100, 4)
        self.assertIn(f"Queued 4 workers of jugfile.cpp on {system.display}: job {job_id}.",
                      p.stdout)
        self.assertIn("Every task is finished.", p.stdout)
        self.assertIn("36", read(os.path.join(self.dir, "output.txt")))
        jobs = self.jobs_dir("jugfile.cpp")
        [entry] = self.submissions()
        self.assertEqual((entry["status"], entry["job"]), (0, job_id), entry["stderr"])
        self.check_submission(entry, "jugfile", 4, jobs)
        # The script kept under the job's id, as jug says; the logs where
        # the directives put them, once the batch system says the job ended.
        kept = os.path.join(jobs, "job-" + re.sub(r"[^A-Za-z0-9._-]", "", job_id) + ".sh")
        self.assertIn(f"  job script: {kept}\n", p.stdout)
        self.assertEqual(read(kept), entry["script"])
        self.wait_until_ended([job_id])
        logs = self.check_elements(job_id, 100, 4, "jugfile", "jugfile.cpp")
        self.assertEqual(sum(jugtest.executed_count(read(log)) for log in logs), 6)
        if system.flavour == "lsf":
            self.assertIn(f"  worker logs: {jobs}/worker-100_<index>.log\n", p.stdout)
        else:
            self.assertIn(f"  worker logs: {jobs}/\n", p.stdout)

    def test_status_names_the_job_of_each_running_element(self):
        # Two workers on four 3-second naps.
        p = self.submit("sleepy.cpp", "-n", "2", "--", "4", "3000", check=0)
        system = self.system
        job_id = system.job_id(100, 2)
        self.assertIn(f"on {system.display}: job {job_id}.", p.stdout)
        running = []

        def two_running():
            st = json.loads(self.jug("status", "sleepy.cpp", "--json", "--", "4", "3000",
                                     check=0).stdout)
            running[:] = st["running"]
            return len(running) == 2
        self.wait_for("two tasks running", two_running)
        self.assertEqual(sorted(r["job"] for r in running),
                         [system.element(100, 1, 2), system.element(100, 2, 2)])
        table = self.jug("status", "sleepy.cpp", "--", "4", "3000", check=0).stdout
        self.assertIn(f", {system.element(100, 1, 2)} (pid ", table)
        # The batch system says it runs, as jug's --wait asks it; a user
        # cancels it with the id jug printed; its elements end, and their
        # output is delivered all the same.
        self.assertTrue(system.says_running(self.ask(job_id)), self.ask(job_id))
        self.run_in([system.cancel_command(), job_id], check=0)
        self.wait_until_ended([job_id], timeout=30)
        [cancel] = self.records(system.cancel_command())
        self.assertEqual(cancel["deleted"], [job_id])
        self.check_elements(job_id, 100, 2, "sleepy", "sleepy.cpp")

    def test_an_array_larger_than_the_server_takes_is_split(self):
        # And every option, as the directives the docs give.
        system = self.system
        self.env["STANDIN_MAX_ARRAY"] = "3"
        p = self.submit("sleepy.cpp", "-n", "7", "-j", "2", "--time", "10:00", "--mem", "1G",
                        "--queue", system.queue, "--account", "proj42", "--wait",
                        "--", "7", "300", check=0, timeout=180)
        ids = [system.job_id(100, 3), system.job_id(101, 3), system.job_id(102, 1)]
        self.assertIn(f"Queued 7 workers of sleepy.cpp on {system.display}: jobs "
                      f"{', '.join(ids)}.", p.stdout)
        self.assertIn("Every task is finished.", p.stdout)
        # The server's largest array, asked as the docs say, before queuing.
        calls = [e["command"] for e in self.records()]
        ask = "bparams" if system.flavour == "lsf" else "qmgr"
        self.assertIn(ask, calls)
        self.assertLess(calls.index(ask), calls.index("bsub" if ask == "bparams" else "qsub"))
        entries = self.submissions()
        self.assertEqual([e["job"] for e in entries], ids, [e["stderr"] for e in entries])
        jobs = self.jobs_dir("sleepy.cpp")
        options = dict(cpus=2, mem_mb=1024, queue=system.queue, account="proj42")
        if system.pbs:
            options["time"] = "0:10:00"
        else:
            options["minutes"] = 10
        for entry, size in zip(entries, (3, 3, 1)):
            self.check_submission(entry, "sleepy", size, jobs, **options)
            self.assertEqual(entry["script"], entries[0]["script"], "one script for all")
        self.assertIn("export JUG_MAX_SECONDS=570\n", entries[0]["script"])
        self.wait_until_ended(ids)
        executed = 0
        for number, job_id, size in zip((100, 101, 102), ids, (3, 3, 1)):
            logs = self.check_elements(job_id, number, size, "sleepy", "sleepy.cpp")
            executed += sum(jugtest.executed_count(read(log)) for log in logs)
        self.assertEqual(executed, 7)
        # Each element's CPUs, as the system tells a job.
        cpus = {"pbspro": "NCPUS", "torque": "PBS_NUM_PPN", "lsf": "LSB_DJOB_NUMPROC"}
        self.assertEqual({e["env"].get(cpus[system.flavour]) for e in self.records("element")},
                         {"2"})

    def test_a_refused_array_cancels_those_queued_before(self):
        system = self.system
        self.env.update(STANDIN_MAX_ARRAY="3", STANDIN_REFUSE_FROM="2")
        p = self.submit("sleepy.cpp", "-n", "7", "--", "4", "3000")
        self.assertNotEqual(p.returncode, 0, p.stdout)
        entries = self.submissions()
        self.assertEqual([e["status"] == 0 for e in entries], [True, False],
                         "no third array after a refusal")
        said = entries[1]["stderr"].strip()
        self.assertTrue(said)
        self.assertIn(said, p.stderr)
        self.assertIn("(the 1 array queued before it cancelled: nothing is left queued)",
                      p.stderr)
        first = system.job_id(100, 3)
        cancels = self.records(system.cancel_command())
        self.assertEqual([(c["argv"], c["status"]) for c in cancels], [([first], 0)], cancels)
        self.assertEqual(cancels[0]["deleted"], [first])
        self.wait_until_ended([first], timeout=30)
        self.assertEqual(glob.glob(os.path.join(self.jobs_dir("sleepy.cpp"), "submitting-*")),
                         [])

    def test_dry_run_queues_nothing(self):
        system = self.system
        p = self.submit("sleepy.cpp", "-n", "4", "--dry-run", check=0)
        jobs = self.jobs_dir("sleepy.cpp")
        script = f"{jobs}/submitting-"
        if system.flavour == "pbspro":
            self.assertRegex(p.stdout, rf"\nqsub -J 1-4 {re.escape(script)}\d+\.sh\n")
        elif system.flavour == "torque":
            self.assertRegex(p.stdout, rf"\nqsub -t 1-4 {re.escape(script)}\d+\.sh\n")
        else:
            self.assertRegex(p.stdout, rf"\nbsub -J 'sleepy\[1-4\]' < {re.escape(script)}\d+\.sh\n")
        prefix = "#PBS " if system.pbs else "#BSUB "
        for directive in system.directives("sleepy", jobs, self.dir):
            self.assertIn(f"\n{prefix}{directive}\n", p.stdout)
        self.assertEqual(self.records(), [], "the batch system was not even asked")
        self.assertEqual(os.listdir(os.path.join(self.state, "jobs"))
                         if os.path.isdir(self.state) else [], [])
        self.assertFalse(os.path.exists(jobs))


class SubmitOnPbsPro(Cases, StandinTest):
    SYSTEM = PBS_PRO


class SubmitOnTorque(Cases, StandinTest):
    SYSTEM = TORQUE


class SubmitOnLsf(Cases, StandinTest):
    SYSTEM = LSF


class WaitAsksTheBatchSystem(StandinTest):
    """--wait asks whether the workers are left every 30 s: one worker still
    at its task past that, and one that stopped with work left (its time
    limit), on each system at once (the wait is the same for all)."""

    SYSTEM = PBS_PRO  # each run below has its own

    def test_wait_ends_when_the_work_or_the_workers_are_done(self):
        runs = []
        for system in (PBS_PRO, TORQUE, LSF):
            for case in ("still running", "ended with work left"):
                d = os.path.join(self.dir, f"{system.flavour}-{case.replace(' ', '-')}")
                os.mkdir(d)
                shutil.copy(os.path.join(JUGFILES, "sleepy.cpp"), d)
                env = dict(self.env, STANDIN_STATE=os.path.join(d, "state"),
                           STANDIN_RECORD=os.path.join(d, "record.jsonl"),
                           JUG_TEST_LOG=os.path.join(d, "runs.log"),
                           STANDIN_FLAVOUR=system.flavour if system.pbs else "")
                if case == "still running":
                    # One nap past the first question (at 30 s).
                    args = ["-n", "1", "--wait", "--", "1", "33000"]
                else:
                    # Stops taking tasks after 4 s: two of three naps.
                    args = ["-n", "1", "--time", "1m", "--stop-before", "56s", "--wait",
                            "--", "3", "3000"]
                proc = subprocess.Popen(
                    [jugtest.JUG, "submit", "sleepy.cpp", "--scheduler", system.scheduler,
                     *args], cwd=d, env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                    text=True)
                runs.append((system, case, d, env, proc))
        try:
            for system, case, d, env, proc in runs:
                out, err = proc.communicate(timeout=90)
                what = f"{system.display}, {case}:\n--- stdout\n{out}\n--- stderr\n{err}"
                job_id = system.job_id(100, 1)
                if case == "still running":
                    self.assertEqual(proc.returncode, 0, what)
                    self.assertIn("Every task is finished.", out, what)
                else:
                    self.assertEqual(proc.returncode, 1, what)
                    self.assertIn("the workers have all ended, and not every task is finished",
                                  out, what)
                # It asked, for this job, in the documented way.
                with open(env["STANDIN_RECORD"]) as f:
                    calls = [json.loads(line) for line in f]
                queries = [c for c in calls if c["command"] == system.query(job_id)[0]]
                self.assertTrue(queries, what)
                self.assertEqual({tuple(c["argv"]) for c in queries},
                                 {tuple(system.query(job_id)[1:])}, what)
        finally:
            for run in runs:
                if run[4].poll() is None:
                    run[4].kill()
                    run[4].wait()
                standin.kill_everything(run[3]["STANDIN_STATE"])


class DetectionTest(StandinTest):
    """With no --scheduler, jug finds the batch system installed: PBS Pro or
    Torque by `qsub --version`, LSF by bsub when there is no qsub; with this
    machine's own PATH (SLURM's sbatch on it), SLURM first."""

    SYSTEM = PBS_PRO  # each run below names its own

    def dry_run(self, path, flavour):
        env = dict(self.env, PATH=path, STANDIN_FLAVOUR=flavour)
        if os.path.exists(self.record):
            os.remove(self.record)
        return self.jug("submit", "sleepy.cpp", "-n", "2", "--dry-run", env=env, check=0).stdout

    def test_jug_tells_the_systems_apart(self):
        bare = path_without_batch_commands()
        for d in bare.split(":"):
            for name in BATCH_COMMANDS:
                self.assertFalse(os.path.exists(os.path.join(d, name)), f"{d}/{name}")
        out = self.dry_run(STANDINS + ":" + bare, "pbspro")
        self.assertIn("queued as an array on PBS Pro.", out)
        self.assertRegex(out, r"\nqsub -J 1-2 \S+\.sh\n")
        self.assertEqual([c["argv"] for c in self.records()], [["--version"]])
        out = self.dry_run(STANDINS + ":" + bare, "torque")
        self.assertIn("queued as an array on Torque.", out)
        self.assertRegex(out, r"\nqsub -t 1-2 \S+\.sh\n")
        self.assertEqual([c["argv"] for c in self.records()], [["--version"]])
        out = self.dry_run(LSF_ONLY + ":" + bare, "")
        self.assertIn("queued as an array on LSF.", out)
        self.assertRegex(out, r"\nbsub -J 'sleepy\[1-2\]' < \S+\.sh\n")
        self.assertEqual(self.records(), [])
        # This machine's PATH has sbatch: SLURM comes first.
        if shutil.which("sbatch"):
            out = self.dry_run(STANDINS + ":" + os.environ["PATH"], "pbspro")
            self.assertIn("queued as an array on SLURM.", out)


if __name__ == "__main__":
    jugtest.main()
