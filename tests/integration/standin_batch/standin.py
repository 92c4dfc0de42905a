"""Stand-ins for the client commands of PBS Pro, Torque and LSF, for the tests
of `jug submit` only (tests/integration/test_submit_standins.py). Debian has
no server of any of them: these take a job as the real commands do (the
options on the command line, the directives in the script), refuse what
the real ones refuse where that is cheap to tell, print the job id as they
print it, and run the script on this machine, once per array index, in the
background, with that system's environment variables and its output where
the directives put it.

Nothing here is for a real cluster. The executables beside this file (qsub,
qstat, qdel, qmgr; bsub, bjobs, bkill, bparams) are a few lines each that
call into this module. Python's standard library only.

Settings, from the environment of each command:

  STANDIN_FLAVOUR      pbspro (default) or torque: which PBS qsub, qstat,
                       qdel and qmgr are (`qsub --version` tells them apart)
  STANDIN_STATE        a directory for the jobs' state (their scripts, the
                       pids of running elements, their exit statuses, the
                       job numbers); required by every command that queues,
                       queries or deletes a job
  STANDIN_RECORD       a file: each call is appended to it as a JSON line
                       (a submission with its argv, the script's text and
                       its environment; each element started, with its
                       environment; deletions; queries)
  STANDIN_MAX_ARRAY    the server's largest array (PBS Pro max_array_size,
                       Torque max_job_array_size, LSF MAX_JOB_ARRAY_SIZE,
                       which caps the index); default 10000
  STANDIN_REFUSE_FROM  K: the K-th submission in this state directory, and
                       each after it, is refused as a server refuses one
                       (a message on stderr, a non-zero exit)
  STANDIN_SERVER       the PBS server's name in job ids; default pbs-head
  STANDIN_QUEUES       more queue names to accept (comma-separated), besides
                       workq (PBS Pro), batch (Torque), normal (LSF)
  STANDIN_KILL_DELAY   seconds between SIGTERM and SIGKILL when a job is
                       deleted or passes its time limit (PBS kill_delay,
                       LSF JOB_TERMINATE_INTERVAL); default 2
  STANDIN_KEEP_COMPLETED  seconds a finished job stays visible to Torque's
                       qstat (keep_completed) and to bjobs (CLEAN_PERIOD);
                       default 300

The state directory: `counter.json` (the next job number, the submissions
so far), and `jobs/<number>/` for each job: `job.json` (what was asked),
`script` (the batch system's own copy), and per element KEY (its index, 0
for a job that is not an array) `KEY.pid`, `KEY.exit`, `KEY.deleted`, and
its output spooled in `KEY.out`/`KEY.err` until the element ends, when it is
delivered where the directives say (as PBS and LSF copy it back at the
end). Each job's elements are started by a detached runner process
(`standin.py run JOBDIR`); `kill_everything(state)` ends all the runners
and elements of a state directory (tests call it when they end).
"""

import datetime
import fcntl
import getopt
import json
import os
import pwd
import re
import shlex
import shutil
import signal
import socket
import subprocess
import sys
import time

PBS_PRO_VERSION = "2022.1.1"
TORQUE_VERSION = "6.1.3"
LSF_VERSION = "IBM Spectrum LSF Standard 10.1.0.13, Jan 01 2023"
HERE = os.path.dirname(os.path.abspath(__file__))

# Exit statuses: the PBS commands exit with the server's error number, cut
# to 8 bits (PBSE_UNKJOBID 15001 -> 153, PBSE_HISTJOBID 15139 -> 35); the
# LSF commands with 255.
PBS_UNKNOWN_JOB = 153
PBS_JOB_FINISHED = 35
PBS_USAGE = 2
LSF_FAILED = 255


# What the call being run found out, for its record (a refused submission
# is recorded with its script and environment too).
CALL = {}


class Exit(Exception):
    """Ends a command: its exit status, and what it prints."""

    def __init__(self, status, stderr="", stdout=""):
        super().__init__(stderr)
        self.status = status
        self.stderr = stderr
        self.stdout = stdout


# --------------------------------------------------------------------------
# Settings and the state directory

def _number(name, default, kind=int):
    value = os.environ.get(name, "")
    if value == "":
        return default
    try:
        return kind(value)
    except ValueError:
        raise Exit(2, f"{name}={value}: not a number (a setting of the tests' stand-in)\n")


def flavour():
    value = os.environ.get("STANDIN_FLAVOUR", "") or "pbspro"
    if value not in ("pbspro", "torque"):
        raise Exit(2, f"STANDIN_FLAVOUR={value}: the stand-in PBS is pbspro or torque\n")
    return value


def max_array():
    return _number("STANDIN_MAX_ARRAY", 10000)


def server_name():
    return os.environ.get("STANDIN_SERVER", "") or "pbs-head"


def kill_delay():
    return _number("STANDIN_KILL_DELAY", 2.0, float)


def keep_completed():
    return _number("STANDIN_KEEP_COMPLETED", 300.0, float)


def queues(default):
    extra = [q for q in os.environ.get("STANDIN_QUEUES", "").split(",") if q]
    return [default] + extra


def host_name():
    return socket.gethostname().split(".")[0] or "localhost"


def user_name():
    try:
        return pwd.getpwuid(os.getuid()).pw_name
    except KeyError:
        return str(os.getuid())


def home_directory():
    try:
        return pwd.getpwuid(os.getuid()).pw_dir
    except KeyError:
        return os.environ.get("HOME", "/")


def state_directory(command):
    path = os.environ.get("STANDIN_STATE", "")
    if not path:
        raise Exit(2, f"{command}: STANDIN_STATE is not set: this {command} is the tests' "
                      f"stand-in ({HERE}), which keeps its jobs in that directory\n")
    os.makedirs(os.path.join(path, "jobs"), exist_ok=True)
    return os.path.abspath(path)


class Locked:
    """An exclusive flock on a file, for as long as the `with` lasts."""

    def __init__(self, path):
        self.path = path
        self.fd = None

    def __enter__(self):
        self.fd = os.open(self.path, os.O_RDWR | os.O_CREAT, 0o644)
        fcntl.flock(self.fd, fcntl.LOCK_EX)
        return self

    def __exit__(self, *exc):
        fcntl.flock(self.fd, fcntl.LOCK_UN)
        os.close(self.fd)


def write_atomically(path, text):
    tmp = f"{path}.tmp{os.getpid()}"
    with open(tmp, "w") as f:
        f.write(text)
    os.replace(tmp, path)


def read_text(path, default=None):
    try:
        with open(path) as f:
            return f.read()
    except OSError:
        return default


def record(entry):
    """Appends `entry` to STANDIN_RECORD as one JSON line."""
    path = os.environ.get("STANDIN_RECORD", "")
    if not path:
        return
    entry = dict(entry, time=time.time(), pid=os.getpid())
    line = json.dumps(entry, sort_keys=True) + "\n"
    with Locked(path + ".lock"):
        with open(path, "a") as f:
            f.write(line)


def take_submission(state, first_job=100):
    """Counts a submission; returns (its number, a new job number), the job
    number None when STANDIN_REFUSE_FROM refuses it."""
    refuse_from = _number("STANDIN_REFUSE_FROM", 0)
    with Locked(os.path.join(state, "lock")):
        path = os.path.join(state, "counter.json")
        counter = json.loads(read_text(path, "{}") or "{}")
        submission = counter.get("submissions", 0) + 1
        counter["submissions"] = submission
        job = None
        if not (refuse_from and submission >= refuse_from):
            job = counter.get("next_job", first_job)
            counter["next_job"] = job + 1
        write_atomically(path, json.dumps(counter))
    return submission, job


def job_directory(state, number):
    return os.path.join(state, "jobs", str(number))


def load_job(state, number):
    text = read_text(os.path.join(job_directory(state, number), "job.json"))
    return json.loads(text) if text else None


def element_state(jobdir, key):
    """("queued"|"running"|"done", exit status or None, when it ended)."""
    exit_path = os.path.join(jobdir, f"{key}.exit")
    text = read_text(exit_path)
    if text is not None:
        return "done", int(text), os.path.getmtime(exit_path)
    if os.path.exists(os.path.join(jobdir, f"{key}.pid")):
        return "running", None, None
    return "queued", None, None


def job_states(state, job):
    jobdir = job_directory(state, job["number"])
    return {key: element_state(jobdir, key) for key in job["keys"]}


def finished_at(states):
    """When the last element ended, if every one has."""
    if all(s[0] == "done" for s in states.values()):
        return max(s[2] for s in states.values())
    return None


def signal_elements(state, job, keys, signals):
    """Marks the elements deleted, with the signals to send them: the
    job's runner sends those to the running ones (their process groups)
    at once, and SIGKILL STANDIN_KILL_DELAY seconds later; it starts none
    marked."""
    jobdir = job_directory(state, job["number"])
    for key in keys:
        marker = os.path.join(jobdir, f"{key}.deleted")
        if not os.path.exists(marker):
            write_atomically(marker, json.dumps([int(s) for s in signals]))


# --------------------------------------------------------------------------
# Scripts, their directives, and the runner

def directive_lines(text, prefix):
    """The directives of a script: the lines starting with `prefix` in the
    block of comments at its top (PBS and LSF stop at the first command)."""
    found = []
    for n, line in enumerate(text.splitlines()):
        if n == 0 and line.startswith("#!"):
            continue
        stripped = line.strip()
        if not stripped:
            continue
        if line.startswith(prefix) and (len(line) == len(prefix) or line[len(prefix)].isspace()):
            found.append(line[len(prefix):].strip())
            continue
        if stripped.startswith("#"):
            continue
        break
    return found


def interpreter_for(script_path, text):
    if text.startswith("#!"):
        return [script_path]
    return ["/bin/bash", script_path]


def run_job(jobdir):
    """The runner of one job: starts each element, waits for them, delivers
    their output, enforces deletions and the time limit."""
    with open(os.path.join(jobdir, "job.json")) as f:
        job = json.load(f)
    os.environ["STANDIN_STATE"] = job["state"]
    if job.get("record"):
        os.environ["STANDIN_RECORD"] = job["record"]
    else:
        os.environ.pop("STANDIN_RECORD", None)
    text = read_text(job["script_copy"], "")
    running = {}  # key -> [Popen, started, SIGTERM sent at]
    for key in job["keys"]:
        if os.path.exists(os.path.join(jobdir, f"{key}.deleted")):
            write_atomically(os.path.join(jobdir, f"{key}.exit"), str(128 + signal.SIGTERM))
            continue
        running[key] = [start_element(job, jobdir, key, text), time.monotonic(), None]
    limit = job.get("walltime")
    while running:
        time.sleep(0.05)
        now = time.monotonic()
        for key, (proc, started, termed) in list(running.items()):
            status = proc.poll()
            if status is not None:
                if status < 0:
                    status = 128 - status
                deliver_output(job, jobdir, key, status)
                write_atomically(os.path.join(jobdir, f"{key}.exit"), str(status))
                del running[key]
                continue
            if termed is not None:
                if now - termed > kill_delay():
                    _killpg(proc.pid, signal.SIGKILL)
                continue
            deleted = read_text(os.path.join(jobdir, f"{key}.deleted"))
            if deleted is not None:
                signals = json.loads(deleted)
            elif limit is not None and now - started > limit:
                signals = [signal.SIGTERM]  # past its time limit
            else:
                continue
            running[key][2] = now
            for sig in signals:
                _killpg(proc.pid, sig)


def _killpg(pid, sig):
    try:
        os.killpg(pid, sig)
    except (ProcessLookupError, PermissionError):
        pass


def start_element(job, jobdir, key, text):
    env = element_environment(job, key)
    cwd = job["element_cwd"]
    if not os.path.isdir(cwd):
        cwd = "/tmp"
    out = open(os.path.join(jobdir, f"{key}.out"), "wb")
    err = out if job["streams"] == "joined" else open(os.path.join(jobdir, f"{key}.err"), "wb")
    try:
        proc = subprocess.Popen(interpreter_for(job["script_copy"], text), cwd=cwd, env=env,
                                stdin=subprocess.DEVNULL, stdout=out, stderr=err,
                                start_new_session=True, close_fds=True)
    finally:
        out.close()
        if err is not out:
            err.close()
    write_atomically(os.path.join(jobdir, f"{key}.pid"), str(proc.pid))
    shown = {k: v for k, v in env.items()
             if k.startswith(("PBS_", "LSB_", "LS_", "NCPUS", "OMP_", "JUG_", "STANDIN_"))
             or k in ("HOME", "PATH")}
    record({"command": "element", "system": job["system"], "job": job["id"],
            "element": element_id(job, key), "index": int(key), "cwd": cwd,
            "output": job["outputs"][key], "env": shown})
    return proc


def element_id(job, key):
    if job["system"] == "lsf":
        return f"{job['number']}[{key}]" if job["array"] else str(job["number"])
    if job["array"]:
        return f"{job['number']}[{key}].{job['server']}"
    return job["id"]


def element_environment(job, key):
    submitted = job["env"]
    if job["system"] == "lsf":
        env = dict(submitted)
        n = job.get("slots", 1)
        host = host_name()
        env.update({
            "LSB_JOBID": str(job["number"]),
            "LSB_JOBINDEX": str(key) if job["array"] else "0",
            "LSB_JOBNAME": f"{job['name']}[{key}]" if job["array"] else job["name"],
            "LSB_QUEUE": job["queue"],
            "LSB_HOSTS": " ".join([host] * n),
            "LSB_MCPU_HOSTS": f"{host} {n}",
            "LSB_DJOB_NUMPROC": str(n),
            "LSB_SUB_HOST": host,
            "LS_SUBCWD": job["submit_cwd"],
            "LSB_JOBFILENAME": job["script_copy"],
            "LSFUSER": user_name(),
        })
        if job["array"]:
            env["LSB_JOBINDEX_END"] = str(max(int(k) for k in job["keys"]))
            env["LSB_JOBINDEX_STEP"] = "1"
        env["STANDIN_ELEMENT"] = f"{job['dir']}:{key}"
        return env
    # PBS: without -V, only PBS's own variables and a login's.
    if job["export_all"]:
        env = dict(submitted)
    else:
        env = {"HOME": home_directory(), "LOGNAME": user_name(), "USER": user_name(),
               "SHELL": submitted.get("SHELL", "/bin/bash"), "PATH": "/bin:/usr/bin"}
    env.update(job["variables"])
    host = host_name()
    pro = job["system"] == "pbspro"
    env.update({
        "PBS_O_HOME": submitted.get("HOME", ""),
        "PBS_O_LOGNAME": submitted.get("LOGNAME", user_name()),
        "PBS_O_PATH": submitted.get("PATH", ""),
        "PBS_O_SHELL": submitted.get("SHELL", ""),
        "PBS_O_LANG": submitted.get("LANG", ""),
        "PBS_O_MAIL": submitted.get("MAIL", ""),
        "PBS_O_WORKDIR": job["submit_cwd"],
        "PBS_O_HOST": host,
        "PBS_O_SYSTEM": "Linux",
        "PBS_O_QUEUE": job["queue"],
        "PBS_QUEUE": job["queue"],
        "PBS_ENVIRONMENT": "PBS_BATCH",
        "PBS_JOBID": element_id(job, key),
        "PBS_NODEFILE": os.path.join(job["dir"], "nodefile"),
        "PBS_TASKNUM": "1",
    })
    cpus = str(job.get("slots", 1))
    if pro:
        env["PBS_JOBNAME"] = job["name"]
        env["PBS_JOBDIR"] = home_directory()
        env["NCPUS"] = cpus
        env["OMP_NUM_THREADS"] = cpus
        if job["array"]:
            env["PBS_ARRAY_INDEX"] = str(key)
            env["PBS_ARRAY_ID"] = job["id"]
    else:
        env["PBS_JOBNAME"] = f"{job['name']}-{key}" if job["array"] else job["name"]
        env["PBS_SERVER"] = job["server"]
        env["PBS_VERSION"] = f"TORQUE-{TORQUE_VERSION}"
        env["PBS_NUM_NODES"] = "1"
        env["PBS_NUM_PPN"] = cpus
        env["PBS_NP"] = cpus
        env["PBS_VNODENUM"] = "0"
        if job["array"]:
            env["PBS_ARRAYID"] = str(key)
    env["STANDIN_ELEMENT"] = f"{job['dir']}:{key}"
    return env


def deliver_output(job, jobdir, key, status):
    """The spooled output to where the directives say, as PBS and LSF copy
    it when the job ends."""
    spool_out = os.path.join(jobdir, f"{key}.out")
    spool_err = os.path.join(jobdir, f"{key}.err")
    where = job["outputs"][key]
    if job["system"] == "lsf":
        body = read_text(spool_out, "")
        if where["out"] is None:
            _deliver(os.path.join(job["state"], "mail", f"{job['number']}.{key}"),
                     lsf_report(job, key, status) + body, append=False)
        else:
            _deliver(where["out"], lsf_report(job, key, status) + body, append=where["append"])
        if job["streams"] != "joined" and where.get("err"):
            _deliver(where["err"], read_text(spool_err, ""), append=where["append"])
        return
    streams = [(spool_out, where["out"])]
    if job["streams"] != "joined":
        streams.append((spool_err, where["err"]))
    for spool, destination in streams:
        if destination is not None:
            _deliver(destination, read_text(spool, ""), append=False,
                     undelivered=os.path.join(job["state"], "undelivered"))


def _deliver(path, text, append, undelivered=None):
    try:
        with open(path, "a" if append else "w") as f:
            f.write(text)
    except OSError as e:
        if undelivered is None:
            return
        os.makedirs(undelivered, exist_ok=True)
        with open(os.path.join(undelivered, os.path.basename(path)), "w") as f:
            f.write(f"# could not be delivered to {path}: {e}\n{text}")


def lsf_report(job, key, status):
    when = time.strftime("%a %b %d %H:%M:%S %Y")
    host = host_name()
    element = f"{job['number']}[{key}]" if job["array"] else str(job["number"])
    if status == 0:
        outcome = "Successfully completed."
    elif status > 128:
        outcome = f"Exited with signal termination: {signal.Signals(status - 128).name[3:]}."
    else:
        outcome = f"Exited with exit code {status}."
    script = read_text(job["script_copy"], "")
    return (f"Sender: LSF System <lsfadmin@{host}>\n"
            f"Subject: Job {element}: <{job['full_name']}> in cluster <standin> "
            f"{'Done' if status == 0 else 'Exited'}\n\n"
            f"Job <{job['full_name']}> was submitted from host <{host}> by user <{user_name()}> "
            f"in cluster <standin> at {job['submitted_at']}\n"
            f"Job was executed on host(s) <{host}>, in queue <{job['queue']}>, as user "
            f"<{user_name()}> in cluster <standin> at {when}\n"
            f"<{home_directory()}> was used as the home directory.\n"
            f"<{job['element_cwd']}> was used as the working directory.\n"
            f"Terminated at {when}\n"
            f"Results reported at {when}\n\n"
            "Your job looked like:\n\n"
            "------------------------------------------------------------\n"
            "# LSBATCH: User input\n"
            f"{script}"
            "------------------------------------------------------------\n\n"
            f"{outcome}\n\n"
            "The output (if any) follows:\n\n")


def spawn_runner(jobdir):
    """The job's runner, detached: its own session, none of our pipes, so
    that qsub and bsub return at once, as the real ones do."""
    log = open(os.path.join(jobdir, "runner.log"), "ab")
    env = dict(os.environ, STANDIN_RUNNER=jobdir, PYTHONDONTWRITEBYTECODE="1")
    proc = subprocess.Popen([sys.executable, os.path.join(HERE, "standin.py"), "run", jobdir],
                            cwd="/", env=env, stdin=subprocess.DEVNULL, stdout=log,
                            stderr=subprocess.STDOUT, start_new_session=True, close_fds=True)
    log.close()
    write_atomically(os.path.join(jobdir, "runner.pid"), str(proc.pid))


def new_job(state, number, job):
    """Keeps the job's state and its own copy of the script, then starts it."""
    jobdir = job_directory(state, number)
    os.makedirs(jobdir)
    script_copy = os.path.join(jobdir, "script")
    with open(script_copy, "w") as f:
        f.write(job.pop("script_text"))
    os.chmod(script_copy, 0o700)
    with open(os.path.join(jobdir, "nodefile"), "w") as f:
        f.write((host_name() + "\n") * job.get("slots", 1))
    job.update(state=state, dir=jobdir, script_copy=script_copy, number=number,
               record=os.environ.get("STANDIN_RECORD", ""),
               submitted_at=time.strftime("%a %b %d %H:%M:%S %Y"))
    with open(os.path.join(jobdir, "job.json"), "w") as f:
        json.dump(job, f)
    spawn_runner(jobdir)


def kill_everything(state, timeout=10.0):
    """Ends, with SIGKILL, every runner and element of the jobs of `state`
    (found by the variables they were started with), and waits until they
    are gone. For the tests' clean-up."""
    tags = (f"STANDIN_RUNNER={os.path.abspath(state)}/".encode(),
            f"STANDIN_ELEMENT={os.path.abspath(state)}/".encode())
    deadline = time.monotonic() + timeout
    while True:
        found = []
        for entry in os.listdir("/proc"):
            if not entry.isdigit() or int(entry) == os.getpid():
                continue
            try:
                with open(f"/proc/{entry}/environ", "rb") as f:
                    environ = f.read().split(b"\0")
            except OSError:
                continue
            if any(v.startswith(tags) for v in environ):
                found.append(int(entry))
        for pid in found:
            try:
                os.kill(pid, signal.SIGKILL)
            except (ProcessLookupError, PermissionError):
                pass
        if not found or time.monotonic() > deadline:
            return found
        time.sleep(0.05)


# --------------------------------------------------------------------------
# PBS: qsub, qstat, qdel, qmgr

PBS_PRO_OPTIONS = "a:A:c:C:e:fhIj:J:k:l:m:M:N:o:p:P:q:r:R:S:u:v:VW:Xz"
TORQUE_OPTIONS = "a:A:b:c:C:d:D:e:fF:hIj:k:K:l:L:m:M:n:N:o:p:P:q:r:S:t:T:u:v:VW:w:xXz"

PBS_PRO_RESOURCES = {"select", "place", "walltime", "mem", "vmem", "ncpus", "nodes", "cput",
                     "pcput", "pmem", "pvmem", "file", "arch", "host", "software",
                     "max_run_subjobs", "ngpus", "mpiprocs", "ompthreads", "preempt_targets",
                     "site", "start_time", "min_walltime", "max_walltime", "nice"}
PBS_PRO_CHUNK_RESOURCES = {"ncpus", "mem", "vmem", "mpiprocs", "ompthreads", "ngpus", "host",
                           "vnode", "arch", "aoe", "accelerator", "naccelerators"}
TORQUE_RESOURCES = {"nodes", "walltime", "mem", "pmem", "vmem", "pvmem", "ncpus", "procs",
                    "cput", "pcput", "file", "host", "gres", "feature", "naccesspolicy",
                    "nice", "arch", "opsys", "other", "software", "epilogue", "prologue",
                    "size", "trl", "gpus", "mppwidth", "qos", "signal", "partition",
                    "reqattr", "tpn", "flags", "advres", "ddisk", "depend", "pmem"}
SIZE = re.compile(r"^\d+(b|kb|mb|gb|tb|pb|w|kw|mw|gw|tw|pw)?$", re.IGNORECASE)
DURATION = re.compile(r"^(\d+:){0,2}\d+(\.\d+)?$")


def pbs_usage(pro):
    if pro:
        return ("usage: qsub [-a date_time] [-A account_string] [-c interval]\n"
                "\t[-C directive_prefix] [-e path] [-f ] [-h ] [-I [-X]] [-j oe|eo] [-J X-Y[:Z]]\n"
                "\t[-k keep] [-l resource_list] [-m mail_options] [-M user_list]\n"
                "\t[-N jobname] [-o path] [-p priority] [-P project] [-q queue] [-r y|n]\n"
                "\t[-R o|e|oe] [-S path] [-u user_list] [-W otherattributes=value...]\n"
                "\t[-v variable_list] [-V ] [-z] [script | -- command [arg1 ...]]\n"
                "       qsub --version\n")
    return ("usage: qsub [-a date_time] [-A account_string] [-b secs]\n"
            "      [-c [ none | { enabled | periodic | shutdown |\n"
            "      depth=<int> | dir=<path> | interval=<minutes>}... ]\n"
            "      [-C directive_prefix] [-d path] [-D path]\n"
            "      [-e path] [-h] [-I] [-j oe|eo|n] [-k {oe}] [-K interval]\n"
            "      [-l resource_list] [-m n|{abe}] [-M user_list] [-N jobname]\n"
            "      [-o path] [-p priority] [-P proxy_user [-J <jobid]]\n"
            "      [-q queue] [-r y|n] [-S path] [-t number_to_submit] [-T type]  [-u user_list]\n"
            "      [-w] path\n"
            "      [-W additional_attributes] [-v variable_list] [-V ] [-x] [-X] [-z] [script]\n")


def parse_duration(value):
    if not DURATION.match(value):
        return None
    seconds = 0.0
    for part in value.split(":"):
        seconds = seconds * 60 + float(part)
    return seconds


def check_pbs_resources(pro, resources):
    """Raises what qsub says of a resource it does not take; returns the
    CPUs asked for and the time limit in seconds."""
    cpus, walltime = 1, None
    known = PBS_PRO_RESOURCES if pro else TORQUE_RESOURCES
    for name, value in resources.items():
        if name not in known:
            if pro:
                raise Exit(PBS_USAGE, f"qsub: Unknown resource Resource_List.{name}\n")
            raise Exit(1, f"qsub: submit error (Unknown resource type  MSG=cannot locate "
                          f"resource definition for '{name}')\n")
        bad = Exit(PBS_USAGE, f"qsub: Illegal attribute or resource value Resource_List.{name}\n"
                   if pro else f"qsub: submit error (Illegal attribute or resource value  "
                               f"MSG=cannot decode resource '{name}={value}')\n")
        if name in ("mem", "vmem", "pmem", "pvmem", "file") and not SIZE.match(value):
            raise bad
        if name in ("walltime", "cput", "pcput"):
            seconds = parse_duration(value)
            if seconds is None:
                raise bad
            if name == "walltime":
                walltime = seconds
        if name in ("ncpus", "procs") and not value.isdigit():
            raise bad
        if name == "select":
            for chunk in value.split("+"):
                parts = chunk.split(":")
                if parts and parts[0].isdigit():
                    parts = parts[1:]
                for part in parts:
                    res, _, v = part.partition("=")
                    if not v:
                        raise bad
                    if res not in PBS_PRO_CHUNK_RESOURCES:
                        raise Exit(PBS_USAGE, f"qsub: Unknown resource: {res}\n")
                    if res == "ncpus":
                        if not v.isdigit():
                            raise bad
                        cpus = int(v)
                    if res in ("mem", "vmem") and not SIZE.match(v):
                        raise bad
        if name == "nodes":
            parts = value.split(":")
            if not (parts[0].isdigit() or re.match(r"^[A-Za-z][\w.-]*$", parts[0])):
                raise bad
            for part in parts[1:]:
                res, _, v = part.partition("=")
                if res == "ppn":
                    if not v.isdigit() or int(v) < 1:
                        raise bad
                    cpus = int(v)
                elif v or not re.match(r"^[A-Za-z][\w.-]*$", res):
                    raise bad  # a feature is a bare word
        if name == "ncpus" and value.isdigit():
            cpus = int(value)
    return cpus, walltime


def parse_pbs_array(pro, value):
    """The indices of -J X-Y[:Z] (PBS Pro) or -t 1-10,15%4 (Torque)."""
    if pro:
        m = re.match(r"^(\d+)-(\d+)(?::(\d+))?$", value)
        if not m or int(m.group(1)) >= int(m.group(2)) or (m.group(3) and int(m.group(3)) < 1):
            raise Exit(PBS_USAGE, "qsub: illegal -J value\n" + pbs_usage(True))
        return list(range(int(m.group(1)), int(m.group(2)) + 1, int(m.group(3) or 1)))
    m = re.match(r"^(\d+(?:-\d+)?(?:,\d+(?:-\d+)?)*)(%\d+)?$", value)
    if not m:
        raise Exit(PBS_USAGE, "qsub: illegal -t value\n" + pbs_usage(False))
    indices = set()
    for part in m.group(1).split(","):
        first, _, last = part.partition("-")
        last = last or first
        if int(first) > int(last):
            raise Exit(PBS_USAGE, "qsub: illegal -t value\n" + pbs_usage(False))
        indices.update(range(int(first), int(last) + 1))
    return sorted(indices)


def parse_pbs_options(pro, words, where):
    try:
        options, rest = getopt.getopt(words, PBS_PRO_OPTIONS if pro else TORQUE_OPTIONS)
    except getopt.GetoptError as e:
        if where == "directive":
            raise Exit(PBS_USAGE, f"qsub: directive error: {' '.join(words)}\n")
        letter = e.opt or "?"
        if e.msg.startswith("option") and "requires argument" in e.msg:
            raise Exit(PBS_USAGE, f"qsub: option requires an argument -- '{letter}'\n"
                       + pbs_usage(pro))
        raise Exit(PBS_USAGE, f"qsub: invalid option -- '{letter}'\n" + pbs_usage(pro))
    if where == "directive" and rest:
        raise Exit(PBS_USAGE, f"qsub: directive error: {' '.join(words)}\n")
    return options, rest


def pbs_output_path(pro, path, kind, name, number, key, array, cwd):
    """Where an element's stdout (kind "o") or stderr ("e") goes: the
    default NAME.oSEQ (PBS Pro NAME.oSEQ.INDEX, Torque NAME.oSEQ-INDEX for
    an array's element), in the directory given, if a directory."""
    default = f"{name}.{kind}{number}"
    if array:
        default += f".{key}" if pro else f"-{key}"
    if path is None:
        return os.path.join(cwd, default)
    host, colon, rest = path.partition(":")
    if colon and "/" not in host:
        path = rest  # host:path, the host being this one
    if not os.path.isabs(path):
        path = os.path.join(cwd, path)
    if path.endswith("/") or os.path.isdir(path):
        return os.path.join(path, default)
    if array:
        return path.replace("^array_index^", str(key)) if pro else f"{path}-{key}"
    return path


def qsub(argv):
    pro = flavour() == "pbspro"
    if argv == ["--version"]:
        return Exit(0, stdout=f"pbs_version = {PBS_PRO_VERSION}\n" if pro
                    else f"Version: {TORQUE_VERSION}\n")
    state = state_directory("qsub")
    options, rest = parse_pbs_options(pro, argv, "command line")
    prefix = "#PBS"
    for opt, value in options:
        if opt == "-C":
            prefix = value
    if any(opt == "-I" for opt, _ in options):
        raise Exit(PBS_USAGE, "qsub: interactive jobs are not taken by this stand-in\n")
    if len(rest) > 1 and "--" not in argv:
        raise Exit(PBS_USAGE, pbs_usage(pro))
    cwd = os.getcwd()
    if rest:
        script_path = rest[0]
        text = read_text(script_path if os.path.isabs(script_path)
                         else os.path.join(cwd, script_path))
        if text is None:
            raise Exit(1, f"qsub: script file:: No such file or directory\n" if pro
                       else f"qsub: could not open script file '{script_path}'\n")
        default_name = os.path.basename(script_path)
    else:
        text = sys.stdin.read()
        script_path = None
        default_name = "STDIN"
    directives = directive_lines(text, prefix)
    CALL.update(script=text, script_path=script_path, directives=directives,
                env=dict(os.environ))
    from_script = []
    for line in directives:
        try:
            words = shlex.split(line)
        except ValueError:
            raise Exit(PBS_USAGE, f"qsub: directive error: {line}\n")
        from_script += parse_pbs_options(pro, words, "directive")[0]
    # The command line's options win over the script's.
    every = from_script + options
    settings, resources, variables, export_all = {}, {}, {}, False
    for opt, value in every:
        if opt == "-l":
            for item in value.split(","):
                res, eq, v = item.partition("=")
                if not eq:
                    raise Exit(PBS_USAGE, f"qsub: illegal -l value\n" + pbs_usage(pro))
                resources[res] = v
        elif opt == "-v":
            for item in value.split(","):
                var, eq, v = item.partition("=")
                variables[var] = v if eq else os.environ.get(var, "")
        elif opt == "-V":
            export_all = True
        else:
            settings[opt] = value
    name = settings.get("-N", default_name)
    if "-N" in settings and not re.match(r"^[A-Za-z][^\s]{0,14}$", name):
        raise Exit(PBS_USAGE, "qsub: illegal -N value\n" + pbs_usage(pro))
    join = settings.get("-j", "n")
    if join not in ("oe", "eo", "n"):
        raise Exit(PBS_USAGE, "qsub: illegal -j value\n" + pbs_usage(pro))
    queue = settings.get("-q", "workq" if pro else "batch")
    if queue not in queues("workq" if pro else "batch"):
        raise Exit(170 if pro else 1, "qsub: Unknown queue\n" if pro
                   else "qsub: submit error (Unknown queue MSG=requested queue not found)\n")
    cpus, walltime = check_pbs_resources(pro, resources)
    range_option = "-J" if pro else "-t"
    indices = parse_pbs_array(pro, settings[range_option]) if range_option in settings else None
    largest = max_array()
    if indices is not None and len(indices) > largest:
        raise Exit(1, "qsub: Array job exceeds server or queue size limit\n" if pro
                   else f"qsub: submit error (Bad Job Array Request MSG=Requested array size "
                        f"too large, limit is {largest})\n")
    submission, number = take_submission(state)
    if number is None:
        raise Exit(1, "qsub: Maximum number of jobs already in queue for user\n" if pro
                   else f"qsub: submit error (Maximum number of jobs already in queue for user "
                        f"MSG=total number of current user's jobs exceeds the queue limit: "
                        f"user {user_name()}@{server_name()}, queue {queue})\n")
    server = server_name()
    array = indices is not None
    job_id = f"{number}[].{server}" if array else f"{number}.{server}"
    keys = [str(i) for i in indices] if array else ["0"]
    # A job starts in the home directory (Torque: -d or -w, if given).
    element_cwd = home_directory()
    if not pro and ("-d" in settings or "-w" in settings):
        element_cwd = os.path.join(cwd, settings.get("-w", settings.get("-d")))
    outputs = {}
    for key in keys:
        outputs[key] = {
            "out": None if join == "eo" else pbs_output_path(pro, settings.get("-o"), "o", name,
                                                            number, key, array, cwd),
            "err": None if join == "oe" else pbs_output_path(pro, settings.get("-e"), "e", name,
                                                            number, key, array, cwd),
        }
        if join == "eo":
            # Both streams in the error file: deliver it as the one stream.
            outputs[key]["out"], outputs[key]["err"] = outputs[key]["err"], None
    job = {"system": "pbspro" if pro else "torque", "id": job_id, "server": server,
           "name": name, "array": array, "keys": keys, "queue": queue,
           "submit_cwd": cwd, "element_cwd": element_cwd, "env": dict(os.environ),
           "export_all": export_all, "variables": variables, "slots": cpus,
           "walltime": walltime, "streams": "joined" if join != "n" else "separate",
           "outputs": outputs, "script_text": text, "argv": argv}
    new_job(state, number, job)
    return Exit(0, stdout=job_id + "\n"), {
        "job": job_id, "number": number, "submission": submission, "script": text,
        "script_path": script_path, "directives": directives, "env": dict(os.environ),
        "indices": indices, "name": name, "queue": queue, "outputs": outputs}


PBS_ID = re.compile(r"^(\d+)(\[(\d*)\])?(?:\.(.+))?$")


def find_pbs_job(state, command, given, pro):
    """The job and its element keys that `given` names, or the Exit of a
    job unknown (an array named without its [], a job with one)."""
    server = server_name()
    m = PBS_ID.match(given)
    if not m:
        raise Exit(1, f"{command}: illegally formed job identifier: {given}\n")
    if m.group(4) and m.group(4) != server:
        raise Exit(1, f"{command}: cannot connect to server {m.group(4)} (errno=111) "
                      "Connection refused\n")
    number, bracket, index = int(m.group(1)), m.group(2), m.group(3)
    full = f"{m.group(1)}{bracket or ''}.{server}"
    unknown = Exit(PBS_UNKNOWN_JOB, f"{command}: Unknown Job Id {full}\n" if pro
                   else f"{command}: Unknown Job Id Error {full}\n")
    job = load_job(state, number)
    if job is None or job["system"] != ("pbspro" if pro else "torque"):
        raise unknown
    if bool(bracket) != job["array"]:
        raise unknown
    if index:
        if index not in job["keys"]:
            raise unknown
        return job, [index], f"{number}[{index}].{server}"
    return job, list(job["keys"]), job["id"]


def pbs_state_letter(pro, states, whole_array):
    kinds = [s[0] for s in states]
    if all(k == "done" for k in kinds):
        return "F" if pro else "C"
    if whole_array:
        if pro:
            return "Q" if all(k == "queued" for k in kinds) else "B"
        return "Q" if all(k == "queued" for k in kinds) else "R"
    return "R" if kinds[0] == "running" else "Q"


def qstat(argv):
    pro = flavour() == "pbspro"
    if argv == ["--version"]:
        return Exit(0, stdout=f"pbs_version = {PBS_PRO_VERSION}\n" if pro
                    else f"Version: {TORQUE_VERSION}\n")
    state = state_directory("qstat")
    try:
        options, ids = getopt.gnu_getopt(argv, "xftJHw" if pro else "ft1an")
    except getopt.GetoptError as e:
        raise Exit(PBS_USAGE, f"qstat: invalid option -- '{e.opt}'\n"
                              "usage: qstat [-f] [-x] [-t] [-J] [job_identifier...]\n")
    flags = {opt for opt, _ in options}
    if not ids:
        ids = []
        for entry in sorted(os.listdir(os.path.join(state, "jobs")), key=int):
            job = load_job(state, int(entry))
            if job and job["system"] == ("pbspro" if pro else "torque"):
                ids.append(job["id"])
    rows, full, errors, status = [], [], [], 0
    now = time.time()
    for given in ids:
        try:
            job, keys, shown_id = find_pbs_job(state, "qstat", given, pro)
        except Exit as e:
            errors.append(e.stderr)
            status = e.status
            continue
        states = job_states(state, job)
        whole = job["array"] and len(keys) == len(job["keys"]) and "[]" in shown_id
        ended = finished_at(states)
        if ended is not None:
            if pro and "-x" not in flags and "-H" not in flags:
                errors.append(f"qstat: {job['id']} Job has finished, use -x or -H to obtain "
                              "historical job information\n")
                status = PBS_JOB_FINISHED
                continue
            if not pro and now - ended > keep_completed():
                errors.append(f"qstat: Unknown Job Id Error {shown_id}\n")
                status = PBS_UNKNOWN_JOB
                continue
        listed = [(shown_id, [states[k] for k in keys], whole)]
        if whole and ("-t" in flags or "-J" in flags):
            listed += [(f"{job['number']}[{k}].{job['server']}", [states[k]], False)
                       for k in keys]
        for jid, element_states, is_whole in listed:
            letter = pbs_state_letter(pro, element_states, is_whole)
            if pro and not is_whole and job["array"] and letter == "F":
                letter = "X"  # a subjob that has ended
            name = job["name"] if pro or not job["array"] or is_whole \
                else f"{job['name']}-{jid.split('[')[1].split(']')[0]}"
            rows.append((jid, name, letter, job["queue"]))
            exits = [s[1] for s in element_states if s[1] is not None]
            full.append(
                f"Job Id: {jid}\n    Job_Name = {name}\n    Job_Owner = {user_name()}@"
                f"{host_name()}\n    job_state = {letter}\n    queue = {job['queue']}\n"
                f"    server = {job['server']}\n"
                + (f"    array = True\n    array_indices_submitted = "
                   f"{job['keys'][0]}-{job['keys'][-1]}\n" if is_whole else "")
                + (f"    Exit_status = {max(exits)}\n" if letter in "FCX" and exits else "")
                + "\n")
    if "-f" in flags:
        out = "".join(full)
    elif rows:
        if pro:
            out = ("Job id            Name             User              Time Use S Queue\n"
                   "----------------  ---------------- ----------------  -------- - -----\n")
            for jid, name, letter, queue in rows:
                jid = jid if len(jid) <= 16 else jid[:15] + "*"
                out += f"{jid:<16.16}  {name:<16.16} {user_name():<16.16}  {'0':>8} " \
                       f"{letter} {queue:<16}\n"
        else:
            out = ("Job ID                    Name             User            Time Use S Queue\n"
                   "------------------------- ---------------- --------------- -------- - -----\n")
            for jid, name, letter, queue in rows:
                out += f"{jid:<25.25} {name:<16.16} {user_name():<15.15} {'00:00:00':>8} " \
                       f"{letter} {queue}\n"
    else:
        out = ""
    return Exit(status, "".join(errors), out)


def qdel(argv):
    pro = flavour() == "pbspro"
    if argv == ["--version"]:
        return Exit(0, stdout=f"pbs_version = {PBS_PRO_VERSION}\n" if pro
                    else f"Version: {TORQUE_VERSION}\n")
    state = state_directory("qdel")
    try:
        options, ids = getopt.gnu_getopt(argv, "W:x" if pro else "W:pam:c:t:b:")
    except getopt.GetoptError as e:
        raise Exit(PBS_USAGE, f"qdel: invalid option -- '{e.opt}'\n"
                              "usage: qdel [-W force|suppress_email=X] [-x] job_identifier...\n")
    if not ids:
        raise Exit(PBS_USAGE, "usage: qdel [-W force|suppress_email=X] [-x] job_identifier...\n")
    errors, status, deleted = [], 0, []
    for given in ids:
        try:
            job, keys, shown_id = find_pbs_job(state, "qdel", given, pro)
        except Exit as e:
            errors.append(e.stderr)
            status = e.status
            continue
        states = job_states(state, job)
        if all(states[k][0] == "done" for k in keys):
            if pro:
                errors.append(f"qdel: Job has finished {shown_id}\n")
                status = PBS_JOB_FINISHED
            else:
                errors.append(f"qdel: Invalid state for job - COMPLETE {shown_id}\n")
                status = 168
            continue
        signal_elements(state, job, [k for k in keys if states[k][0] != "done"],
                        [signal.SIGTERM])
        deleted.append(shown_id)
    return Exit(status, "".join(errors)), {"deleted": deleted}


def qmgr(argv):
    pro = flavour() == "pbspro"
    if argv == ["--version"]:
        return Exit(0, stdout=f"pbs_version = {PBS_PRO_VERSION}\n" if pro
                    else f"Version: {TORQUE_VERSION}\n")
    if len(argv) != 2 or argv[0] != "-c":
        raise Exit(PBS_USAGE, "qmgr: this stand-in takes one command, with -c\n"
                              "usage: qmgr [-c command] [-n] [-z] [-a] [-e] [server...]\n")
    words = argv[1].split()
    verb = {"list": "list", "l": "list", "print": "print", "p": "print"}.get(
        words[0] if words else "")
    if verb is None or len(words) < 2 or words[1] not in ("server", "s"):
        raise Exit(1, f"qmgr: Syntax error\n{argv[1]}\n^\n")
    server = server_name()
    largest = max_array()
    attributes = ([("server_state", "Active"), ("server_host", server), ("scheduling", "True"),
                   ("default_queue", "workq"), ("log_events", "511"), ("mail_from", "adm"),
                   ("query_other_jobs", "True"), ("resources_default.ncpus", "1"),
                   ("default_chunk.ncpus", "1"), ("scheduler_iteration", "600"),
                   ("flatuid", "True"), ("resv_enable", "True"), ("node_fail_requeue", "310"),
                   ("max_array_size", str(largest)), ("job_history_enable", "True"),
                   ("pbs_license_min", "0"), ("pbs_license_max", "2147483647"),
                   ("eligible_time_enable", "False"), ("max_concurrent_provision", "5"),
                   ("power_provisioning", "False"), ("pbs_version", PBS_PRO_VERSION)]
                  if pro else
                  [("server_state", "Active"), ("scheduling", "True"), ("acl_hosts", server),
                   ("default_queue", "batch"), ("log_events", "2047"), ("mail_from", "adm"),
                   ("node_check_rate", "150"), ("tcp_timeout", "300"), ("job_stat_rate", "300"),
                   ("poll_jobs", "True"), ("mom_job_sync", "True"),
                   ("keep_completed", str(int(keep_completed()))),
                   ("next_job_number", "100"), ("moab_array_compatible", "True"),
                   ("max_job_array_size", str(largest)), ("nppcu", "1"),
                   ("pbs_version", TORQUE_VERSION)])
    if verb == "list":
        out = f"Server {server}\n" + "".join(f"\t{k} = {v}\n" for k, v in attributes)
    else:
        queue = "workq" if pro else "batch"
        out = ("#\n# Create queues and set their attributes.\n#\n#\n"
               f"# Create and define queue {queue}\n#\ncreate queue {queue}\n"
               f"set queue {queue} queue_type = Execution\nset queue {queue} enabled = True\n"
               f"set queue {queue} started = True\n#\n# Set server attributes.\n#\n"
               + "".join(f"set server {k} = {v}\n" for k, v in attributes
                         if k not in ("server_state", "pbs_version", "server_host")))
    return Exit(0, stdout=out)


# --------------------------------------------------------------------------
# LSF: bsub, bjobs, bkill, bparams

LSF_WITH_VALUE = {"-J", "-n", "-R", "-W", "-M", "-q", "-P", "-o", "-oo", "-e", "-eo", "-cwd",
                  "-w", "-G", "-g", "-L", "-m", "-u", "-app", "-sla", "-E", "-Ep", "-f", "-i",
                  "-is", "-b", "-t", "-c", "-D", "-F", "-S", "-v", "-Lp", "-U", "-k", "-C",
                  "-env", "-We", "-p", "-s", "-a", "-Jd", "-ptl", "-eptl", "-rnc", "-gpu",
                  "-data", "-datagrp", "-stage", "-tag", "-clusters", "-hostfile", "-notify",
                  "-pack", "-Q", "-jsdl", "-jsdl_strict", "-ext", "-csm", "-core_isolation"}
LSF_FLAGS = {"-B", "-N", "-H", "-r", "-rn", "-x", "-K", "-ti", "-XF", "-hl", "-Zs", "-h", "-V"}
LSF_INTERACTIVE = {"-I", "-Ip", "-Is", "-IS", "-ISp", "-ISs", "-IX", "-tty"}
LSF_USAGE = ("Usage: bsub [-h] [-V] [-H] [-x] [-r | -rn] [-N] [-B] [-I | -Is | -Ip | -IS | "
             "-ISs | -ISp | -IX | -K]\n"
             "            [-q queue_name ...] [-m host_name[@cluster_name][[!] | +[pref_level]] "
             "...]\n"
             "            [-n min_processors[,max_processors]] [-J job_name] [-R res_req]\n"
             "            [-W [hour:]minute[/host_name | /host_model]] [-M mem_limit]\n"
             "            [-cwd \"current_working_directory\"] [-o out_file] [-oo out_file]\n"
             "            [-e err_file] [-eo err_file] [-P project_name]\n"
             "            [command [argument ...]]\n")
LSF_NAME = re.compile(r"^([A-Za-z0-9._-]+)\[([^\]]*)\](?:%(\d+))?$")


def parse_lsf_options(words, where):
    """[(option, value)], and the command after the options."""
    options = []
    i = 0
    while i < len(words):
        word = words[i]
        if word in LSF_WITH_VALUE:
            if i + 1 >= len(words):
                raise Exit(LSF_FAILED, f"{word}: option requires an argument. Job not "
                                       f"submitted.\n" + LSF_USAGE)
            options.append((word, words[i + 1]))
            i += 2
        elif word in LSF_FLAGS:
            options.append((word, None))
            i += 1
        elif word in LSF_INTERACTIVE:
            raise Exit(LSF_FAILED, f"{word}: interactive jobs are not taken by this stand-in. "
                                   "Job not submitted.\n")
        elif word.startswith("-") and word != "-":
            raise Exit(LSF_FAILED, f"{word}: Illegal option. Job not submitted.\n" + LSF_USAGE)
        else:
            if where == "directive":
                raise Exit(LSF_FAILED, f"#BSUB {' '.join(words)}: Bad directive. Job not "
                                       "submitted.\n")
            return options, words[i:]
    return options, []


def parse_lsf_indices(spec):
    indices = set()
    for part in spec.split(","):
        m = re.match(r"^\s*(\d+)(?:-(\d+)(?::(\d+))?)?\s*$", part)
        if not m:
            return None
        first, last, step = int(m.group(1)), int(m.group(2) or m.group(1)), int(m.group(3) or 1)
        if first < 1 or last < first or step < 1:
            return None
        indices.update(range(first, last + 1, step))
    return sorted(indices)


def lsf_output_path(path, number, key, cwd):
    path = path.replace("%J", str(number)).replace("%I", str(key))
    if not os.path.isabs(path):
        path = os.path.join(cwd, path)
    if path.endswith("/") or os.path.isdir(path):
        return os.path.join(path, f"{number}.out")
    return path


def bsub(argv):
    if argv == ["-V"]:
        return Exit(0, LSF_VERSION + "\nbinary type: linux3.10-glibc2.17-x86_64\n")
    if argv == ["-h"]:
        return Exit(0, LSF_USAGE)
    state = state_directory("bsub")
    options, command = parse_lsf_options(argv, "command line")
    cwd = os.getcwd()
    if command:
        text = "#!/bin/sh\n" + shlex.join(command) + "\n"
        from_stdin = False
    else:
        text = sys.stdin.read()
        from_stdin = True
        if not text.strip():
            raise Exit(LSF_FAILED, "No command is specified. Job not submitted.\n")
    directives = directive_lines(text, "#BSUB")
    CALL.update(script=text, script_from_stdin=from_stdin, directives=directives,
                env=dict(os.environ))
    from_script = []
    for line in directives:
        try:
            words = shlex.split(line)
        except ValueError:
            raise Exit(LSF_FAILED, f"#BSUB {line}: Bad directive. Job not submitted.\n")
        from_script += parse_lsf_options(words, "directive")[0]
    settings = {}
    for opt, value in from_script + options:  # the command line's win
        settings[opt] = value
    full_name = settings.get("-J", "")
    name, indices, largest = full_name, None, max_array()
    if "[" in full_name:
        m = LSF_NAME.match(full_name)
        indices = parse_lsf_indices(m.group(2)) if m else None
        if not m or indices is None or len(full_name) > 255:
            raise Exit(LSF_FAILED, f"{full_name}: Bad job name. Job not submitted.\n")
        name = m.group(1)
        if indices[-1] > largest:
            raise Exit(LSF_FAILED, "Job array index too large. Job not submitted.\n")
    elif full_name and (len(full_name) > 4094 or "]" in full_name):
        raise Exit(LSF_FAILED, f"{full_name}: Bad job name. Job not submitted.\n")
    if not full_name:
        name = full_name = (shlex.join(command) if command else text.splitlines()[-1])[:60]
    slots = 1
    if "-n" in settings:
        m = re.match(r"^(\d+)(?:,(\d+))?$", settings["-n"])
        if not m or int(m.group(1)) < 1:
            raise Exit(LSF_FAILED, f"{settings['-n']}: Bad argument for option -n. Job not "
                                   "submitted.\n")
        slots = int(m.group(1))
    walltime = None
    if "-W" in settings:
        m = re.match(r"^(?:(\d+):)?(\d+)(?:/\S+)?$", settings["-W"])
        if not m:
            raise Exit(LSF_FAILED, f"{settings['-W']}: Bad RUNLIMIT specification. Job not "
                                   "submitted.\n")
        walltime = (int(m.group(1) or 0) * 60 + int(m.group(2))) * 60
    if "-M" in settings and not re.match(r"^\d+(\.\d+)?([KMGTPEZ]B?)?$", settings["-M"],
                                         re.IGNORECASE):
        raise Exit(LSF_FAILED, f"{settings['-M']}: Bad argument for option -M. Job not "
                               "submitted.\n")
    if "-R" in settings:
        req = settings["-R"]
        depth = 0
        for c in req:
            depth += {"[": 1, "]": -1}.get(c, 0)
            if depth < 0:
                break
        if depth != 0 or not req.strip() or not re.match(
                r"^\s*((select|order|rusage|span|same|cu|affinity)\[[^\]]*\]\s*)+$|^[\w.<>=!&| ()-]+$",
                req):
            raise Exit(LSF_FAILED, "Bad resource requirement syntax. Job not submitted.\n")
    queue = settings.get("-q", "normal")
    if queue not in queues("normal"):
        raise Exit(LSF_FAILED, f"{queue}: No such queue. Job not submitted.\n")
    submission, number = take_submission(state)
    if number is None:
        raise Exit(LSF_FAILED, "Request aborted by esub. Job not submitted.\n")
    element_cwd = cwd
    if "-cwd" in settings:
        element_cwd = settings["-cwd"].replace("%J", str(number))
        if not os.path.isabs(element_cwd):
            element_cwd = os.path.join(cwd, element_cwd)
    array = indices is not None
    keys = [str(i) for i in indices] if array else ["0"]
    out_option = "-oo" if "-oo" in settings else "-o" if "-o" in settings else None
    err_option = "-eo" if "-eo" in settings else "-e" if "-e" in settings else None
    outputs = {}
    for key in keys:
        outputs[key] = {
            "out": lsf_output_path(settings[out_option], number, key, element_cwd)
            if out_option else None,
            "err": lsf_output_path(settings[err_option], number, key, element_cwd)
            if err_option else None,
            "append": out_option != "-oo",
        }
    job = {"system": "lsf", "id": str(number), "server": "", "name": name,
           "full_name": full_name, "array": array, "keys": keys, "queue": queue,
           "submit_cwd": cwd, "element_cwd": element_cwd, "env": dict(os.environ),
           "export_all": True, "variables": {}, "slots": slots, "walltime": walltime,
           "streams": "separate" if err_option else "joined", "outputs": outputs,
           "script_text": text, "argv": argv}
    new_job(state, number, job)
    said = (f"Job <{number}> is submitted to queue <{queue}>.\n" if "-q" in settings
            else f"Job <{number}> is submitted to default queue <{queue}>.\n")
    return Exit(0, stdout=said), {
        "job": str(number), "number": number, "submission": submission, "script": text,
        "script_from_stdin": from_stdin, "directives": directives, "env": dict(os.environ),
        "indices": indices, "name": full_name, "queue": queue, "outputs": outputs}


LSF_ID = re.compile(r"^(\d+)(?:\[(\d+)\])?$")


def find_lsf_job(state, given):
    m = LSF_ID.match(given)
    if not m:
        raise Exit(LSF_FAILED, f"{given}: Illegal job ID.\n")
    job = load_job(state, int(m.group(1)))
    if job is None or job["system"] != "lsf":
        raise Exit(LSF_FAILED, f"Job <{given}> is not found\n")
    if m.group(2) is not None:
        if not job["array"] or m.group(2) not in job["keys"]:
            raise Exit(LSF_FAILED, f"Job <{given}> is not found\n")
        return job, [m.group(2)]
    return job, list(job["keys"])


def lsf_stat(s):
    kind, status, _ = s
    if kind == "queued":
        return "PEND"
    if kind == "running":
        return "RUN"
    return "DONE" if status == 0 else "EXIT"


def bjobs(argv):
    if argv == ["-V"]:
        return Exit(0, LSF_VERSION + "\n")
    state = state_directory("bjobs")
    fields, header, everything, ids = None, True, False, []
    i = 0
    while i < len(argv):
        word = argv[i]
        if word == "-noheader":
            header = False
        elif word == "-o":
            if i + 1 >= len(argv):
                raise Exit(LSF_FAILED, "-o: option requires an argument\n")
            fields = argv[i + 1]
            i += 1
        elif word in ("-a", "-d"):
            everything = True
        elif word in ("-w", "-W", "-r", "-p"):
            pass
        elif word in ("-u", "-q", "-J", "-m", "-P", "-g", "-G"):
            i += 1
        elif word.startswith("-"):
            raise Exit(LSF_FAILED, f"{word}: Illegal option.\nUsage: bjobs [-h] [-V] [-a] "
                                   "[-noheader] [-o \"field_name ...\"] [job_ID ...]\n")
        else:
            ids.append(word)
        i += 1
    known = {"jobid": "JOBID", "stat": "STAT", "job_name": "JOB_NAME", "queue": "QUEUE",
             "user": "USER", "exit_code": "EXIT_CODE", "from_host": "FROM_HOST",
             "exec_host": "EXEC_HOST", "submit_time": "SUBMIT_TIME"}
    if fields is None:
        columns = ["jobid", "user", "stat", "queue", "from_host", "exec_host", "job_name",
                   "submit_time"]
    else:
        columns = []
        for field in fields.replace(",", " ").split():
            if field.startswith("delimiter="):
                continue
            base = field.split(":")[0].lower()
            if base not in known:
                raise Exit(LSF_FAILED, f"{base}: Illegal field name.\n")
            columns.append(base)
    rows, errors, status = [], [], 0
    now = time.time()
    selected = []
    if ids:
        for given in ids:
            try:
                job, keys = find_lsf_job(state, given)
            except Exit as e:
                errors.append(e.stderr)
                status = e.status
                continue
            states = job_states(state, job)
            ended = finished_at({k: states[k] for k in keys})
            if ended is not None and now - ended > keep_completed():
                errors.append(f"Job <{given}> is not found\n")
                status = LSF_FAILED
                continue
            selected.append((job, keys, states))
    else:
        for entry in sorted(os.listdir(os.path.join(state, "jobs")), key=int):
            job = load_job(state, int(entry))
            if job and job["system"] == "lsf":
                states = job_states(state, job)
                keys = [k for k in job["keys"] if everything or states[k][0] != "done"]
                if keys:
                    selected.append((job, keys, states))
        if not selected:
            errors.append("No unfinished job found\n" if not everything else "No job found\n")
    host = host_name()
    for job, keys, states in selected:
        for key in keys:
            s = states[key]
            values = {"jobid": str(job["number"]), "stat": lsf_stat(s),
                      "job_name": f"{job['name']}[{key}]" if job["array"] else job["name"],
                      "queue": job["queue"], "user": user_name(),
                      "exit_code": str(s[1]) if s[0] == "done" and s[1] else "-",
                      "from_host": host, "exec_host": host if s[0] != "queued" else "-",
                      "submit_time": job["submitted_at"][4:16]}
            rows.append([values[c] for c in columns])
    out = ""
    if rows:
        widths = [max(len(known[c]), *(len(r[n]) for r in rows)) for n, c in enumerate(columns)]
        if header:
            out += " ".join(known[c].ljust(w) for c, w in zip(columns, widths)).rstrip() + "\n"
        for r in rows:
            out += " ".join(v.ljust(w) for v, w in zip(r, widths)).rstrip() + "\n"
    return Exit(status, "".join(errors), out)


def bkill(argv):
    if argv == ["-V"]:
        return Exit(0, LSF_VERSION + "\n")
    state = state_directory("bkill")
    ids = [a for a in argv if not a.startswith("-")]
    if not ids or len(ids) != len(argv):
        raise Exit(LSF_FAILED, "Usage: bkill [-h] [-V] [-l] [-s signal_value] job_ID ...\n"
                   if not ids else f"{argv[0]}: this stand-in takes job IDs only\n")
    out, errors, status, killed = [], [], 0, []
    for given in ids:
        try:
            job, keys = find_lsf_job(state, given)
        except Exit:
            errors.append(f"Job <{given}>: No matching job found\n")
            status = LSF_FAILED
            continue
        states = job_states(state, job)
        left = [k for k in keys if states[k][0] != "done"]
        if not left:
            errors.append(f"Job <{given}>: Job has already finished\n")
            status = LSF_FAILED
            continue
        signal_elements(state, job, left, [signal.SIGINT, signal.SIGTERM])
        killed.append(given)
        if job["array"] and "[" not in given:
            out.append(f"Job <{given}>: Operation is in progress\n")
        else:
            out.append(f"Job <{given}> is being terminated\n")
    return Exit(status, "".join(errors), "".join(out)), {"deleted": killed}


def bparams(argv):
    largest = max_array()
    if argv == ["-V"]:
        return Exit(0, LSF_VERSION + "\n")
    if argv in ([], ["-l"]):
        if argv == ["-l"]:
            return Exit(0, stdout=(
                "System default queues for automatic queue selection:\n    DEFAULT_QUEUE = "
                "normal\n\nThe interval for dispatching jobs by master batch daemon:\n"
                "    MBD_SLEEP_TIME = 10 (seconds)\n\n"
                "The maximum number of jobs in a job array:\n"
                f"    MAX_JOB_ARRAY_SIZE = {largest}\n\n"))
        return Exit(0, stdout=("Default Queues:  normal\n"
                               "MBD_SLEEP_TIME used for calculations:  10 seconds\n"
                               "Job Checking Interval:  7 seconds\n"
                               "Job Accepting Interval:  0 seconds\n"))
    if argv != ["-a"]:
        raise Exit(LSF_FAILED, f"{argv[0]}: Illegal option.\nUsage: bparams [-h] [-V] [-a] "
                               "[-l]\n")
    when = time.strftime("%a %b %d %H:%M:%S %Y")
    settings = [("DEFAULT_QUEUE", "normal"), ("DEFAULT_HOST_SPEC", "-"),
                ("MBD_SLEEP_TIME", "10"), ("SBD_SLEEP_TIME", "7"),
                ("JOB_ACCEPT_INTERVAL", "0"), ("MAX_JOB_NUM", "1000"),
                ("CLEAN_PERIOD", str(int(keep_completed()))), ("MAX_JOB_ARRAY_SIZE", str(largest)),
                ("JOB_TERMINATE_INTERVAL", str(int(kill_delay()))), ("MAX_SBD_FAIL", "3"),
                ("LSB_SYNC_HOST_STAT_LIM", "Y"), ("MAX_PEND_JOBS", "2147483647"),
                ("MAX_USER_PRIORITY", "-1"), ("PARALLEL_SCHED_BY_SLOT", "N")]
    return Exit(0, stdout=f"lsb.params configuration at {when}\n"
                + "".join(f"    {k} = {v}\n" for k, v in settings))


# --------------------------------------------------------------------------

COMMANDS = {"qsub": qsub, "qstat": qstat, "qdel": qdel, "qmgr": qmgr,
            "bsub": bsub, "bjobs": bjobs, "bkill": bkill, "bparams": bparams}


def main(command, argv):
    """Runs one stand-in command; prints what it says, records the call,
    and returns its exit status."""
    details = {}
    try:
        result = COMMANDS[command](argv)
        if isinstance(result, tuple):
            result, details = result
    except Exit as e:
        result = e
    sys.stdout.write(result.stdout)
    sys.stderr.write(result.stderr)
    sys.stdout.flush()
    sys.stderr.flush()
    try:
        entry = {"command": command, "argv": argv, "cwd": os.getcwd(), "status": result.status,
                 "stdout": result.stdout, "stderr": result.stderr,
                 "flavour": os.environ.get("STANDIN_FLAVOUR", "") or "pbspro"}
        if command in ("qsub", "bsub") and argv not in (["--version"], ["-V"], ["-h"]):
            entry["kind"] = "submission"
        entry.update(CALL)
        entry.update(details)
        record(entry)
    except OSError as e:
        sys.stderr.write(f"{command} (stand-in): cannot record the call: {e}\n")
    return result.status


if __name__ == "__main__":
    if len(sys.argv) == 3 and sys.argv[1] == "run":
        run_job(sys.argv[2])
    else:
        sys.exit(f"usage: {sys.argv[0]} run JOBDIR (the runner of a stand-in job)")
