"""A Grid Engine cluster of a test's own, for the tests that run `jug execute`
workers as batch jobs (the book's `for c in $(seq 8); do qsub -cwd
run-jugfile.sh; done`): a real sge_qmaster and sge_execd on this machine,
started by scripts/local-gridengine in a scratch directory of their own, on
loopback-only, non-default ports; stopped by their pids (never by name),
and stopped with the test process however that dies.

    with GridEngineCluster(slots=8) as cluster:      # started
        cluster.run("qsub", "-cwd", "job.sh", cwd=work)
        job = cluster.qsub("-cwd", "-t", "1-4", "job.sh", cwd=work)
        cluster.wait_for_jobs_gone([job], timeout=60)
        env = cluster.env()        # SGE_ROOT, SGE_CELL, SGE_QMASTER_PORT, ...
    # stopped, its directory removed

    cluster.stop(); cluster.start()      # again, fresh (no jobs, no history)

Grid Engine must be installed (`scripts/local-gridengine install`, as root:
Debian's gridengine-master, -exec and -client) and the tests run as root:
the daemons run as root, and root's jobs are allowed (min_uid 0; other
users' jobs should work too, but are not tried here).

Why a watchdog: the daemons fork themselves into the background (and into
sessions of their own), so neither PR_SET_PDEATHSIG nor a signal to the
test's process group reaches them. start() therefore also starts
`local-gridengine watchdog DIR --remove`, in a session of its own, reading a
pipe whose write end only this process holds: when this process dies (even
of SIGKILL) the kernel closes that end, the watchdog reads EOF and stops the
cluster (daemons, shepherds, jobs), then removes its directory. stop()
does the stopping itself, then disarms it. A child forked without exec
(multiprocessing's fork) holds the pipe too, and delays all that until it
dies as well."""

import ctypes
import os
import re
import shlex
import shutil
import signal
import subprocess
import tempfile
import time

HERE = os.path.dirname(os.path.abspath(__file__))
SCRIPT = os.path.normpath(os.path.join(HERE, "..", "..", "scripts", "local-gridengine"))
SGE_QMASTER = "/usr/lib/gridengine/sge_qmaster"


def die_with_parent():
    """In the child: killed when the test process dies, however it dies (for
    the start command: the watchdog then stops what it had started)."""
    PR_SET_PDEATHSIG = 1
    ctypes.CDLL(None, use_errno=True).prctl(PR_SET_PDEATHSIG, signal.SIGKILL)


class GridEngineCluster:
    """A single-node cluster in its own scratch dir (see the module's
    comment): queue all.q on this host with `slots` slots (more than the
    cores is fine: sleeping workers), scheduling every second, and the
    parallel environment smp (allocation_rule $pe_slots) for jobs of
    several slots (`qsub -pe smp 2`, as jug submit -j 2 asks)."""

    def __init__(self, slots=2):
        if not os.access(SGE_QMASTER, os.X_OK):
            raise AssertionError(f"{SGE_QMASTER} is missing: the Grid Engine tests need it. "
                                 f"Run `{SCRIPT} install` (as root).")
        self.slots = slots
        self.dir = tempfile.mkdtemp(prefix="jug-sge-")
        self._env = None
        self._watchdog = None
        self.start_seconds = None
        self.stop_seconds = None

    # -- life cycle

    def start(self):
        """A fresh cluster (the script empties its spool and configuration
        first); returns when `qstat -f` shows all.q usable (~3 s)."""
        if self._env is not None:
            raise AssertionError(f"the cluster in {self.dir} is running: stop() it first")
        t0 = time.monotonic()
        # The watchdog first: a test killed during the start is covered too.
        self._watchdog = subprocess.Popen(
            [SCRIPT, "watchdog", self.dir, "--remove"], stdin=subprocess.PIPE,
            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, start_new_session=True)
        p = subprocess.run([SCRIPT, "start", self.dir, "--slots", str(self.slots)],
                           capture_output=True, text=True, timeout=180,
                           preexec_fn=die_with_parent)
        if p.returncode != 0:
            self._disarm()
            raise AssertionError(f"local-gridengine start exited {p.returncode}:\n"
                                 f"{p.stdout}{p.stderr}")
        self._env = parse_exports(p.stdout)
        self.start_seconds = time.monotonic() - t0

    def stop(self):
        """Its jobs SIGKILLed, its daemons stopped by their recorded pids
        (~2 s); the directory is kept, for start() again or for reading the
        daemons' messages files (spool/qmaster/messages,
        spool/execd/*/messages)."""
        t0 = time.monotonic()
        if self._watchdog is not None:
            p = subprocess.run([SCRIPT, "stop", self.dir], capture_output=True, text=True,
                               timeout=120)
            self._disarm()
            if p.returncode != 0:
                raise AssertionError(f"local-gridengine stop exited {p.returncode}:\n"
                                     f"{p.stdout}{p.stderr}")
        self._env = None
        self.stop_seconds = time.monotonic() - t0

    def remove(self):
        """stop(), then its directory removed."""
        self.stop()
        shutil.rmtree(self.dir, ignore_errors=True)

    def _disarm(self):
        """The watchdog told to exit without stopping anything."""
        w, self._watchdog = self._watchdog, None
        if w is None:
            return
        try:
            w.stdin.write(b"disarm\n")
            w.stdin.close()
        except BrokenPipeError:
            pass
        w.wait(timeout=60)

    def __enter__(self):
        self.start()
        return self

    def __exit__(self, *exc):
        self.remove()

    # -- clients

    def running(self):
        return self._env is not None

    def env(self):
        """The variables a client (qsub, qstat, qdel, qconf) needs, to merge
        into os.environ: SGE_ROOT, SGE_CELL, SGE_QMASTER_PORT, SGE_EXECD_PORT,
        and PATH with $SGE_ROOT/bin/ARCH first (the clients themselves:
        Debian's /usr/bin/q* wrappers work too, but take 0.2 s more each)."""
        if self._env is None:
            raise AssertionError("the cluster is not running")
        env = dict(self._env)
        env["PATH"] = env.pop("PATH_PREFIX") + os.environ.get("PATH", os.defpath)
        return env

    def run(self, *args, cwd=None, check=True, timeout=60, input=None):
        """A client command with the cluster's environment; its
        CompletedProcess (text). check: fail unless it exits 0."""
        p = subprocess.run(list(args), env=dict(os.environ, **self.env()), cwd=cwd,
                           capture_output=True, text=True, timeout=timeout, input=input)
        if check and p.returncode != 0:
            raise AssertionError(f"{shlex.join(args)} exited {p.returncode}\n"
                                 f"--- stdout\n{p.stdout}\n--- stderr\n{p.stderr}")
        return p

    def qsub(self, *args, cwd=None):
        """qsub -terse ARGS; the job id (of an array job: its id, for all its
        tasks)."""
        out = self.run("qsub", "-terse", *args, cwd=cwd).stdout.strip()
        return int(out.split(".")[0])

    def job_ids(self):
        """Ids of the jobs qstat lists now, any user's, any state."""
        out = self.run("qstat", "-u", "*").stdout
        return {int(line.split()[0]) for line in out.splitlines()
                if re.match(r"\s*\d+\s", line)}

    def wait_for_jobs_gone(self, job_ids, timeout=60):
        """Until qstat lists none of job_ids (finished or deleted: an array
        job, once all its tasks are); AssertionError after `timeout` s."""
        wanted = {int(j) for j in job_ids}
        deadline = time.monotonic() + timeout
        while True:
            left = wanted & self.job_ids()
            if not left:
                return
            if time.monotonic() > deadline:
                raise AssertionError(f"jobs {sorted(left)} still in qstat after {timeout} s:\n"
                                     + self.run("qstat", "-u", "*").stdout)
            time.sleep(0.2)

    def accounting(self, job_id, timeout=15):
        """`qacct -j JOB` (its exit_status, failed, ...), once the job's
        record is in the accounting file: the qmaster writes it there up to
        a second (flush_time) after the job left qstat."""
        deadline = time.monotonic() + timeout
        while True:
            p = self.run("qacct", "-j", str(job_id), check=False)
            if p.returncode == 0:
                return p.stdout
            if time.monotonic() > deadline:
                raise AssertionError(f"qacct -j {job_id}: {p.stdout}{p.stderr}")
            time.sleep(0.2)

    def daemon_pids(self):
        """{"sge_qmaster": pid, "sge_execd": pid} as recorded by the start."""
        pids = {}
        for name in ("sge_qmaster", "sge_execd"):
            try:
                with open(os.path.join(self.dir, name + ".pid")) as f:
                    pids[name] = int(f.read())
            except (OSError, ValueError):
                pass
        return pids


def parse_exports(text):
    """{KEY: value} of the `export KEY=value` lines local-gridengine prints;
    its `export PATH=DIR:"$PATH"` as PATH_PREFIX: DIR:"""
    env = {}
    for line in text.splitlines():
        words = shlex.split(line)
        if len(words) == 2 and words[0] == "export" and "=" in words[1]:
            k, _, v = words[1].partition("=")
            if k == "PATH":
                k, v = "PATH_PREFIX", v.removesuffix("$PATH")
            env[k] = v
    if set(env) != {"SGE_ROOT", "SGE_CELL", "SGE_QMASTER_PORT", "SGE_EXECD_PORT",
                    "PATH_PREFIX"}:
        raise AssertionError("unexpected output of local-gridengine start:\n" + text)
    return env


# ------------------------------------------------------------ self-test
# /usr/bin/python3 tests/integration/gridengine_cluster.py   (as root)

JOB_SCRIPT = """\
#!/bin/sh
# one line per job (or array task), with when it slept
start=$(date +%s.%N)
sleep 2
echo "$JOB_ID $SGE_TASK_ID $(hostname) $start $(date +%s.%N)" > "out.$JOB_ID.$SGE_TASK_ID"
"""

TRAP_SCRIPT = """\
#!/bin/bash
# says which signals it gets, and leaves a child that must die with it
log="sig.$JOB_ID"
for s in USR1 USR2 TERM INT HUP; do trap "echo got $s \\$(date +%s.%N) >> $log" $s; done
sleep 1000 &
echo "pids $$ $!" >> "$log"
while true; do sleep 0.1; done
"""


def _alive(pid):
    try:
        with open(f"/proc/{pid}/stat") as f:
            return f.read().rsplit(")", 1)[1].split()[0] != "Z"
    except OSError:
        return False


def _listeners(port):
    """Local addresses listening on TCP `port` (from /proc/net/tcp{,6})."""
    found = []
    for table in ("/proc/net/tcp", "/proc/net/tcp6"):
        with open(table) as f:
            for line in f.readlines()[1:]:
                local, state = line.split()[1], line.split()[3]
                addr, p = local.split(":")
                if state == "0A" and int(p, 16) == port:  # 0A: LISTEN
                    found.append(addr)
    return found


def _our_leftovers(dirs):
    """Running processes that are Grid Engine's programs, or whose cwd or
    environment mentions one of `dirs` (the cluster's, the jobs')."""
    left = []
    for entry in os.listdir("/proc"):
        if not entry.isdigit() or int(entry) == os.getpid() or not _alive(int(entry)):
            continue
        try:
            exe = os.readlink(f"/proc/{entry}/exe")
            cwd = os.readlink(f"/proc/{entry}/cwd")
            with open(f"/proc/{entry}/environ", "rb") as f:
                environ = f.read()
        except OSError:
            continue
        if (exe.startswith("/usr/lib/gridengine/") or any(
                cwd.startswith(d) or d.encode() in environ for d in dirs)):
            left.append((int(entry), exe, cwd))
    return left


def _wait_for(what, cond, timeout):
    deadline = time.monotonic() + timeout
    while not cond():
        if time.monotonic() > deadline:
            raise AssertionError(f"{what} after {timeout} s")
        time.sleep(0.1)


def self_test():
    import socket
    import sys
    work = tempfile.mkdtemp(prefix="jug-sge-work-")
    cluster = GridEngineCluster(slots=8)
    dirs = [cluster.dir, work]
    try:
        cluster.start()
        print(f"start: {cluster.start_seconds:.1f} s, {cluster.env()}")
        pids = cluster.daemon_pids()
        env = cluster.env()
        for name in ("SGE_QMASTER_PORT", "SGE_EXECD_PORT"):
            port = int(env[name])
            assert port not in (6444, 6445), port
            # 0100007F is 127.0.0.1 (little-endian hex): no other address
            assert _listeners(port) == ["0100007F"], (name, _listeners(port))
        print("listening on 127.0.0.1 only:", env["SGE_QMASTER_PORT"], env["SGE_EXECD_PORT"])

        # The chapter's way: a shell loop of plain qsub -cwd, then an array job.
        with open(os.path.join(work, "script.sh"), "w") as f:
            f.write(JOB_SCRIPT)
        t0 = time.monotonic()
        loop = cluster.run("sh", "-c", "for c in $(seq 8); do qsub -cwd script.sh; done",
                           cwd=work)
        ids = [int(i) for i in re.findall(r"Your job (\d+) ", loop.stdout)]
        assert len(ids) == 8, loop.stdout
        array = cluster.qsub("-cwd", "-t", "1-4", "script.sh", cwd=work)
        cluster.wait_for_jobs_gone(ids + [array], timeout=90)
        print(f"8 jobs + a 4-task array, 2 s each, all gone after "
              f"{time.monotonic() - t0:.1f} s")
        rows = {}
        for name in os.listdir(work):
            if name.startswith("out."):
                with open(os.path.join(work, name)) as f:
                    job, task, host, start, end = f.read().split()
                rows[(int(job), task)] = (host, float(start), float(end))
        expected = {(i, "undefined") for i in ids} | {(array, str(t)) for t in range(1, 5)}
        assert set(rows) == expected, sorted(rows)
        assert {h for h, _, _ in rows.values()} == {socket.gethostname()}, rows
        plain = [rows[(i, "undefined")] for i in ids]
        latest_start = max(s for _, s, _ in plain)
        earliest_end = min(e for _, _, e in plain)
        assert latest_start < earliest_end, "the 8 jobs did not all run at once"
        print(f"all 8 ran at once: the last started {latest_start - min(s for _, s, _ in plain):.2f} s "
              f"after the first, {earliest_end - latest_start:.2f} s before the first ended")
        for i in ids:
            acct = cluster.accounting(i)
            assert re.search(r"^exit_status\s+0\b", acct, re.M), acct

        # qdel of running jobs: a plain one, and one submitted with -notify.
        with open(os.path.join(work, "trap.sh"), "w") as f:
            f.write(TRAP_SCRIPT)
        plain_job = cluster.qsub("-cwd", "trap.sh", cwd=work)
        notify_job = cluster.qsub("-cwd", "-notify", "trap.sh", cwd=work)
        logs = {j: os.path.join(work, f"sig.{j}") for j in (plain_job, notify_job)}
        _wait_for("trap.sh jobs not running", lambda: all(map(os.path.exists, logs.values())),
                  30)
        time.sleep(0.3)
        t0 = time.monotonic()
        cluster.run("qdel", str(plain_job), str(notify_job))
        cluster.wait_for_jobs_gone([plain_job, notify_job], timeout=30)
        print(f"qdel: both gone after {time.monotonic() - t0:.1f} s")
        for job, log in logs.items():
            with open(log) as f:
                lines = f.read().split("\n")
            job_pids = [int(p) for p in lines[0].split()[1:]]
            got = [l.split()[1] for l in lines if l.startswith("got")]
            acct = cluster.accounting(job)
            status = re.search(r"^exit_status\s+(\d+)", acct, re.M).group(1)
            assert not any(map(_alive, job_pids)), (job, job_pids)
            assert status == "137", acct      # 128 + 9: SIGKILL
            print(f"  job {job}{' (-notify)' if job == notify_job else ''}: trapped "
                  f"{got or 'nothing'}, then exit_status {status} (SIGKILL); the job's "
                  f"shell and its child are gone")
            assert got == (["USR2"] if job == notify_job else []), got
    finally:
        cluster.stop()
    print(f"stop: {cluster.stop_seconds:.1f} s")
    assert not any(map(_alive, pids.values())), pids
    assert not _our_leftovers(dirs), _our_leftovers(dirs)
    print("nothing of the cluster or its jobs is left running")

    # Again in the same directory, as tests do.
    cluster.start()
    job = cluster.qsub("-cwd", "-b", "y", "true", cwd=work)
    cluster.wait_for_jobs_gone([job], timeout=30)
    cluster.stop()
    print(f"second start: {cluster.start_seconds:.1f} s (job {job} ran), "
          f"stop: {cluster.stop_seconds:.1f} s")
    cluster.remove()
    assert not os.path.exists(cluster.dir)

    # A test process killed by SIGKILL: its watchdog stops the cluster.
    child = subprocess.Popen(
        [sys.executable, "-c",
         "import sys, time; sys.path.insert(0, %r)\n"
         "from gridengine_cluster import GridEngineCluster\n"
         "c = GridEngineCluster(); c.start()\n"
         "print(c.dir, c.daemon_pids()['sge_qmaster'], c.daemon_pids()['sge_execd'],"
         " flush=True)\n"
         "time.sleep(600)\n" % HERE], stdout=subprocess.PIPE, text=True)
    child_dir, *child_pids = child.stdout.readline().split()
    child_pids = [int(p) for p in child_pids]
    dirs.append(child_dir)
    assert all(map(_alive, child_pids)), child_pids
    t0 = time.monotonic()
    child.kill()
    child.wait()
    _wait_for("the watchdog did not stop the daemons of a killed test",
              lambda: not any(map(_alive, child_pids)) and not os.path.exists(child_dir), 30)
    print(f"test process SIGKILLed: its cluster stopped and removed "
          f"{time.monotonic() - t0:.1f} s later")
    assert not _our_leftovers(dirs), _our_leftovers(dirs)
    shutil.rmtree(work)
    print("self-test passed")


if __name__ == "__main__":
    self_test()
