"""A real single-node SLURM cluster of a test's own, for the integration tests
of `jug execute` run as batch jobs: in a scratch directory of its own, on free
non-default ports of 127.0.0.1, stopped by its pids (never by name), torn down
with the test process however that dies.

    with SlurmCluster(cpus=8) as cluster:          # 8 one-CPU jobs at once
        job = cluster.sbatch("--array=1-8", "job.sh")
        cluster.run("squeue")                        # CompletedProcess
        cluster.wait_for_jobs_gone([job], timeout=60)
        subprocess.run(["sbatch", ...], env=cluster.env())

It runs scripts/local-slurm (which see) as `start DIR --foreground`: that
supervisor starts munged, slurmctld and slurmd as its children, prints the
exports and `ready`, and tears everything down (jobs first) on SIGTERM.

Why it dies with the test: the supervisor gets PR_SET_PDEATHSIG=SIGTERM, so
when the test process dies (even by SIGKILL) it is asked to stop, and stops
the cluster as stop() would. The daemons have PDEATHSIG=SIGKILL towards the
supervisor, so even a SIGKILLed supervisor takes them along; only the job
processes of that cluster (slurmstepds are double-forked by slurmd, and the
supervisor adopts them as a subreaper) would then outlive it, until their
jobs end or `scripts/local-slurm stop DIR` sweeps them. As with any
PDEATHSIG, "the parent" is the thread that started it: start a cluster from a
thread that lives as long as the cluster (e.g. the main thread).

There is no accounting database (so no sacct): ask squeue/scontrol for job
state, while jobs are known (MinJobAge, 300 s after they end), or read
jobcomp.txt in the cluster's directory (one line per finished job).

Timing, as measured on a 2-core VM: start() ~0.3 s, stop() ~0.3-0.5 s. A job
starts ~0.5 s after sbatch, except that slurmctld's first scheduling pass
comes ~3 s after it started: jobs submitted at once wait until then. scancel
sends SIGTERM to every process of the job's batch step at once, SIGKILL
KillWait (5 s here) later. SLURM checks time limits every 30 s: a job with
--time=1:00 gets its SIGTERM between 60 and 90 s after it started, and a
--signal=B:USR1@30 comes up to 30 s early."""

import ctypes
import os
import select
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time

HERE = os.path.dirname(os.path.abspath(__file__))
LOCAL_SLURM = os.path.normpath(os.path.join(HERE, "..", "..", "scripts", "local-slurm"))

# Variables that change what SLURM's clients do (a test run from inside a real
# job, or a user's SQUEUE_FORMAT) and must not leak into our clients and jobs.
CLIENT_ENV_PREFIXES = ("SLURM_", "SBATCH_", "SALLOC_", "SRUN_", "SQUEUE_", "SINFO_",
                       "SCANCEL_", "SCONTROL_", "SACCT_")

# Set by local-slurm on the processes of a cluster; must not reach clients.
MARKER = "JUG_LOCAL_SLURM_DIR"


def terminate_with_parent():
    """In the child: SIGTERM when the test process dies, however it dies (the
    supervisor then stops the cluster, jobs included)."""
    PR_SET_PDEATHSIG = 1
    ctypes.CDLL(None, use_errno=True).prctl(PR_SET_PDEATHSIG, signal.SIGTERM)


class SlurmCluster:
    """A cluster of one node in a tempfile.mkdtemp directory (see the module's
    comment).

    - cpus: CPUs the node declares (may exceed the machine's): that many
      one-CPU jobs (the default size of a job) run at once.
    - max_array_size: MaxArraySize (largest array index + 1); SLURM's default
      1001 when None.
    - kill_wait: KillWait, the seconds between SIGTERM and SIGKILL when a job
      is cancelled or runs out of time (local-slurm's default: 5, not 30).
    """

    def __init__(self, cpus=2, max_array_size=None, kill_wait=None):
        if not os.access(LOCAL_SLURM, os.X_OK):
            raise AssertionError(f"{LOCAL_SLURM} is missing")
        self.cpus = cpus
        self.max_array_size = max_array_size
        self.kill_wait = kill_wait
        self.dir = None
        self.proc = None
        self._env = None

    def __enter__(self):
        self.start()
        return self

    def __exit__(self, exc_type, _exc, _tb):
        """Stopped; its directory removed unless the test failed (then the
        daemons' logs are there, and the path is printed)."""
        self.stop()
        if exc_type is None:
            self.remove()
        else:
            print(f"slurm_cluster: logs kept in {self.dir}/log", file=sys.stderr)

    def start(self, timeout=60):
        """Starts a fresh cluster in a new directory; returns once the node is
        idle (which takes well under a second)."""
        if self.running():
            raise AssertionError(f"the cluster in {self.dir} is still running")
        if not all(os.access(b, os.X_OK) for b in ("/usr/sbin/slurmctld", "/usr/sbin/munged")):
            raise AssertionError("slurm-wlm or munge is missing: the SLURM tests need them. "
                                 f"Run {LOCAL_SLURM} install.")
        if self.dir is not None:  # a stopped cluster's: never reused
            shutil.rmtree(self.dir, ignore_errors=True)
        # Resolved, as local-slurm resolves it: the pid files' check compares.
        self.dir = os.path.realpath(tempfile.mkdtemp(prefix="jug-slurm-"))
        argv = [LOCAL_SLURM, "start", self.dir, "--foreground", "--cpus", str(self.cpus)]
        if self.max_array_size is not None:
            argv += ["--max-array-size", str(self.max_array_size)]
        if self.kill_wait is not None:
            argv += ["--kill-wait", str(self.kill_wait)]
        os.makedirs(os.path.join(self.dir, "log"))
        with open(os.path.join(self.dir, "log", "supervisor.log"), "ab") as log:
            # The marker lets `local-slurm stop` recognise the supervisor by its
            # pid file without trusting a pid that may have been reused.
            self.proc = subprocess.Popen(
                argv, stdin=subprocess.DEVNULL, stdout=subprocess.PIPE, stderr=log,
                env=dict(os.environ, **{MARKER: self.dir}), preexec_fn=terminate_with_parent)
        exports = self._read_until_ready(timeout)
        env = {k: v for k, v in os.environ.items()
               if not k.startswith(CLIENT_ENV_PREFIXES) and k != MARKER}
        env.update(exports)
        self._env = env

    def _read_until_ready(self, timeout):
        """The `export NAME=VALUE` lines the supervisor prints before `ready`."""
        exports, buf = {}, b""
        deadline = time.monotonic() + timeout
        fd = self.proc.stdout.fileno()
        while True:
            remaining = deadline - time.monotonic()
            if remaining <= 0 or not select.select([fd], [], [], remaining)[0]:
                self.stop()
                raise AssertionError(f"SLURM did not start within {timeout} s: "
                                     + self._log_tail())
            chunk = os.read(fd, 4096)
            if not chunk:  # it exited: it could not start
                self.proc.wait()
                raise AssertionError("SLURM did not start: " + self._log_tail())
            buf += chunk
            *lines, buf = buf.split(b"\n")
            for line in lines:
                line = line.decode()
                if line == "ready":
                    self.proc.stdout.close()
                    return exports
                if line.startswith("export "):
                    name, _, value = line[len("export "):].partition("=")
                    exports[name] = value

    def _log_tail(self):
        out = []
        for name in ("supervisor", "slurmctld", "slurmd", "munged-stderr"):
            path = os.path.join(self.dir, "log", name + ".log")
            try:
                with open(path, errors="replace") as f:
                    out.append(f"{path} ends:\n" + "".join(f.readlines()[-10:]))
            except OSError:
                pass
        return "\n".join(out) or "see " + self.dir

    def running(self):
        return self.proc is not None and self.proc.poll() is None

    @property
    def conf(self):
        return os.path.join(self.dir, "slurm.conf")

    @property
    def jobcomp(self):
        """jobcomp/filetxt's file: a line per finished job (JobId=, JobState=,
        ExitCode=, ...), the stand-in for sacct."""
        return os.path.join(self.dir, "jobcomp.txt")

    def env(self):
        """The environment for client commands (sbatch, squeue, scancel,
        scontrol...): ours, less any SLURM_*/SBATCH_*/... variables, plus
        SLURM_CONF. A job gets it too (sbatch exports it by default), so jobs
        can run client commands against the same cluster."""
        if self._env is None:
            raise AssertionError("the cluster is not started")
        return dict(self._env)

    def run(self, *args, check=False, timeout=60, **kwargs):
        """Runs a client command with env(); its CompletedProcess (text)."""
        return subprocess.run(list(args), env=self.env(), capture_output=True, text=True,
                              check=check, timeout=timeout, **kwargs)

    def sbatch(self, *args, **kwargs):
        """sbatch --parsable ARGS; the job id (of an array: the array's)."""
        r = self.run("sbatch", "--parsable", *args, **kwargs)
        if r.returncode != 0:
            raise AssertionError(f"sbatch {' '.join(args)} failed: {r.stderr}")
        return r.stdout.strip().split(";")[0]

    def job_info(self, job_id):
        """scontrol show job's fields for one job (not an array: a task's own
        job id, or ARRAYID_TASK), as a dict; None once SLURM forgot it."""
        r = self.run("scontrol", "show", "job", "-o", str(job_id))
        if r.returncode != 0:
            return None
        info = {}
        for word in r.stdout.split("\n")[0].split():
            key, sep, value = word.partition("=")
            if sep:
                info.setdefault(key, value)
        return info

    def queued(self):
        """{job id: state} of every job squeue shows (pending, running,
        completing...), array tasks one by one, with ids as squeue's %A and
        their array's id as well (so that an array's id is queued while any
        of its tasks is)."""
        r = self.run("squeue", "-h", "-r", "-o", "%A %F %T", check=True)
        states = {}
        for line in r.stdout.splitlines():
            job, array, state = line.split()
            states[job] = state
            if array not in ("N/A", "0", job):
                states.setdefault(array, state)
        return states

    def wait_for_jobs_gone(self, job_ids, timeout=60):
        """Until squeue shows none of `job_ids` (jobs or arrays: all their
        tasks), i.e. they ended (or never were). AssertionError after
        `timeout` seconds, with what is still queued."""
        ids = {str(j) for j in job_ids}
        deadline = time.monotonic() + timeout
        while True:
            left = ids & set(self.queued())
            if not left:
                return
            if time.monotonic() > deadline:
                raise AssertionError(f"jobs {sorted(left)} still queued after {timeout} s:\n"
                                     + self.run("squeue", "-r").stdout)
            time.sleep(0.2)

    def stop(self):
        """Every job and daemon killed (local-slurm stop: by the recorded pids,
        SIGTERM then SIGKILL); waits for the supervisor. Its directory stays
        (logs, jobcomp.txt): remove() removes it. start() again makes a fresh
        cluster, in a new directory."""
        if self.dir is None:
            return
        if self.proc is not None:
            subprocess.run([LOCAL_SLURM, "stop", self.dir], check=True,
                           stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, timeout=120)
            self.proc.wait(timeout=30)
            self.proc = None
        self._env = None

    def remove(self):
        self.stop()
        if self.dir is not None:
            shutil.rmtree(self.dir, ignore_errors=True)


# ------------------------------------------------------------------ self-test
#
#   /usr/bin/python3 tests/integration/slurm_cluster.py [--slow]
#
# Checks that the cluster does what the jug tests rely on; --slow adds the
# time-limit signals (about two minutes: SLURM checks time limits every 30 s).

def _processes_of(cluster_dir):
    """Pids of every process that belongs to the cluster in `cluster_dir`:
    marked daemons, processes working in it or naming it (slurmstepd,
    supervisor), and jobs (whose environment names its slurm.conf)."""
    needles = [f"{MARKER}={cluster_dir}".encode(),
               f"SLURM_CONF={cluster_dir}/slurm.conf".encode()]
    found = []
    for entry in os.listdir("/proc"):
        if not entry.isdigit() or int(entry) == os.getpid():
            continue
        try:
            with open(f"/proc/{entry}/environ", "rb") as f:
                environ = f.read().split(b"\0")
            with open(f"/proc/{entry}/cmdline", "rb") as f:
                cmdline = f.read()
            cwd = os.readlink(f"/proc/{entry}/cwd")
        except OSError:
            continue
        if (any(n in environ for n in needles) or cwd == cluster_dir
                or cluster_dir.encode() in cmdline):
            found.append(int(entry))
    return found


def _wait_for(what, predicate, timeout):
    deadline = time.monotonic() + timeout
    while not predicate():
        if time.monotonic() > deadline:
            raise AssertionError(f"timed out ({timeout} s) waiting for {what}")
        time.sleep(0.1)


def _check(cond, message):
    if not cond:
        raise AssertionError(message)
    print("  ok:", message)


def _self_test_array(cluster, shared):
    script = os.path.join(shared, "array.sh")
    with open(script, "w") as f:
        f.write("#!/bin/bash\n"
                "out=%s/task.$SLURM_ARRAY_TASK_ID\n"
                'echo "$SLURM_JOB_ID $SLURM_ARRAY_JOB_ID $SLURM_ARRAY_TASK_ID $(hostname) '
                '$(date +%%s.%%N)" > $out.tmp\n'
                "sleep 2\n"
                'echo "$(cat $out.tmp) $(date +%%s.%%N)" > $out\n' % shared)
    began = time.monotonic()
    array = cluster.sbatch("--array=1-8", "-o", os.path.join(shared, "slurm-%A_%a.out"),
                           script, cwd=shared)
    cluster.wait_for_jobs_gone([array], timeout=60)
    took = time.monotonic() - began
    rows = []
    for task in range(1, 9):
        with open(os.path.join(shared, f"task.{task}")) as f:
            rows.append(f.read().split())
    _check(sorted(int(r[2]) for r in rows) == list(range(1, 9)), "all 8 array tasks ran")
    _check({r[1] for r in rows} == {array}, f"SLURM_ARRAY_JOB_ID is the array's id {array}")
    _check(len({r[0] for r in rows}) == 8, "each task has a SLURM_JOB_ID of its own")
    _check({r[3] for r in rows} == {socket.gethostname()}, "$(hostname) is this machine's")
    starts, ends = [float(r[4]) for r in rows], [float(r[5]) for r in rows]
    _check(max(starts) < min(ends),
           f"the 8 tasks overlapped (starts spread over {max(starts) - min(starts):.2f} s, "
           f"all done {took:.1f} s after sbatch)")
    with open(cluster.jobcomp) as f:
        completed = [l for l in f if f"ArrayJobId={array} " in l and "JobState=COMPLETED" in l]
    _check(len(completed) == 8, "jobcomp.txt records 8 COMPLETED tasks")


def _self_test_scancel(cluster, shared, kill_wait):
    script = os.path.join(shared, "trap.sh")
    with open(script, "w") as f:
        # bash runs a trap only between commands: hence `sleep & wait`.
        f.write("#!/bin/bash\n"
                "trap 'echo TERM > %s/term.$SLURM_JOB_ID; exit 0' TERM\n"
                "touch %s/started.$SLURM_JOB_ID\n"
                "sleep 1000 & wait\n" % (shared, shared))
    job = cluster.sbatch("-o", "/dev/null", script, cwd=shared)
    _wait_for("the job to start", lambda: os.path.exists(f"{shared}/started.{job}"), 30)
    _check(cluster.queued().get(job) == "RUNNING", f"job {job} is RUNNING in squeue")
    cluster.run("scancel", job, check=True)
    began = time.monotonic()
    _wait_for("the TERM marker", lambda: os.path.exists(f"{shared}/term.{job}"), kill_wait + 5)
    _check(True, f"scancel sent SIGTERM to the job's script "
                 f"(marker after {time.monotonic() - began:.2f} s)")
    cluster.wait_for_jobs_gone([job], timeout=30)
    _check(cluster.job_info(job)["JobState"] == "CANCELLED", "scontrol: JobState=CANCELLED")


def _self_test_time_limit(cluster, shared):
    script = os.path.join(shared, "limit.sh")
    with open(script, "w") as f:
        f.write("#!/bin/bash\n"
                "t0=$(date +%%s)\n"
                "trap 'echo USR1 $(( $(date +%%s) - t0 )) >> %s/limit.$SLURM_JOB_ID' USR1\n"
                "trap 'echo TERM $(( $(date +%%s) - t0 )) >> %s/limit.$SLURM_JOB_ID; exit 0' TERM\n"
                "while true; do sleep 1 & wait; done\n" % (shared, shared))
    job = cluster.sbatch("-o", "/dev/null", "--time=0:01:00", "--signal=B:USR1@30", script,
                         cwd=shared)
    cluster.wait_for_jobs_gone([job], timeout=150)
    with open(f"{shared}/limit.{job}") as f:
        events = f.read().split("\n")
    print("  events (signal, seconds after start):", [e for e in events if e])
    _check(any(e.startswith("USR1") for e in events), "--signal=B:USR1@30 sent USR1")
    _check(any(e.startswith("TERM") for e in events), "the time limit sent SIGTERM")
    _check(cluster.job_info(job)["JobState"] == "TIMEOUT", "scontrol: JobState=TIMEOUT")


def _self_test_killed_test_process():
    """A test process that dies by SIGKILL, its cluster running a job."""
    child = subprocess.run([sys.executable, __file__, "--start-and-die"],
                           capture_output=True, text=True, timeout=120)
    cluster_dir = child.stdout.split()[0]
    _check(child.returncode == -signal.SIGKILL and _processes_of(cluster_dir),
           "a test process was SIGKILLed with its cluster and job running")
    began = time.monotonic()
    _wait_for("the cluster to go", lambda: not _processes_of(cluster_dir), 30)
    _check(True, f"its cluster and job were gone {time.monotonic() - began:.1f} s later")
    shutil.rmtree(cluster_dir, ignore_errors=True)


def _start_and_die():
    cluster = SlurmCluster(cpus=2)
    cluster.start()
    job = cluster.sbatch("-o", "/dev/null", "--wrap", "sleep 1000", cwd=cluster.dir)
    _wait_for("the job to run", lambda: cluster.queued().get(job) == "RUNNING", 30)
    print(cluster.dir, flush=True)
    os.kill(os.getpid(), signal.SIGKILL)


def _self_test_killed_supervisor():
    """A SIGKILLed supervisor takes its daemons along (PDEATHSIG); its job's
    slurmstepd outlives it until stop() sweeps it."""
    cluster = SlurmCluster(cpus=2)
    cluster.start()
    job = cluster.sbatch("-o", "/dev/null", "--wrap", "sleep 1000", cwd=cluster.dir)
    _wait_for("the job to run", lambda: cluster.queued().get(job) == "RUNNING", 30)
    daemons = [int(open(os.path.join(cluster.dir, n + ".pid")).read())
               for n in ("munged", "slurmctld", "slurmd")]
    os.kill(cluster.proc.pid, signal.SIGKILL)
    _wait_for("the daemons to die", lambda: not any(os.path.exists(f"/proc/{p}")
                                                    for p in daemons), 10)
    _check(True, "a SIGKILLed supervisor's daemons died with it")
    _check(bool(_processes_of(cluster.dir)), "its job (slurmstepd, sleep) still ran")
    cluster.stop()
    _check(not _processes_of(cluster.dir), "local-slurm stop swept them")
    cluster.remove()


def _self_test(slow):
    kill_wait = 5
    print("cluster of 8 CPUs, MaxArraySize=5000:")
    began = time.monotonic()
    cluster = SlurmCluster(cpus=8, max_array_size=5000, kill_wait=kill_wait)
    cluster.start()
    print(f"  started in {time.monotonic() - began:.2f} s, in {cluster.dir}")
    shared = tempfile.mkdtemp(prefix="jug-slurm-shared-")
    try:
        config = cluster.run("scontrol", "show", "config", check=True).stdout
        _check("MaxArraySize            = 5000" in config, "scontrol show config: MaxArraySize 5000")
        _check(cluster.run("sinfo", "-h", "-o", "%c").stdout.strip() == "8",
               "sinfo: the node has 8 CPUs")
        _self_test_array(cluster, shared)
        _self_test_scancel(cluster, shared, kill_wait)
        if slow:
            _self_test_time_limit(cluster, shared)
        pids = _processes_of(cluster.dir)
        began = time.monotonic()
        cluster.stop()
        took = time.monotonic() - began
        _check(not any(os.path.exists(f"/proc/{p}") for p in pids)
               and not _processes_of(cluster.dir),
               f"stop() left none of its {len(pids)} processes ({took:.2f} s)")
        cluster.start()
        _check(cluster.run("sinfo", "-h", "-o", "%c").stdout.strip() == "8",
               "a second start() makes a working cluster")
        cluster.remove()
    finally:
        cluster.stop()
        shutil.rmtree(shared, ignore_errors=True)
    print("default cluster:")
    with SlurmCluster() as cluster:
        config = cluster.run("scontrol", "show", "config", check=True).stdout
        _check("MaxArraySize            = 1001" in config, "MaxArraySize 1001 by default")
    print("a SIGKILLed test process:")
    _self_test_killed_test_process()
    print("a SIGKILLed supervisor:")
    _self_test_killed_supervisor()
    print("all ok")


if __name__ == "__main__":
    if sys.argv[1:] == ["--start-and-die"]:
        _start_and_die()
    _self_test(slow="--slow" in sys.argv[1:])
