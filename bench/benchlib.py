"""What the benchmark scripts here share (bench/run, bench/workers,
bench/stores): building the bench's jugfiles, timing whole processes, starting
several at once, and the table's rows. Standard library only.

A script imports it with `sys.dont_write_bytecode = True` first, so that no
__pycache__ appears in the source tree."""

import os
import shutil
import socket
import statistics
import subprocess
import sys
import threading
import time
from concurrent.futures import ThreadPoolExecutor

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
DEFAULT_BUILD_DIR = os.path.join(ROOT, "build-bench")


def build(build_dir, targets, skip=False):
    """Builds `targets` (CMake targets of bench/CMakeLists.txt) in `build_dir`,
    Release, and returns {target: path of the program}. With `skip`, only
    checks that they were built before."""
    progs = {t: os.path.join(build_dir, "bench", t) for t in targets}
    if skip:
        for prog in progs.values():
            if not os.access(prog, os.X_OK):
                sys.exit(f"--no-build: {prog} is not built")
        return progs
    try:
        subprocess.run(["cmake", "-S", ROOT, "-B", build_dir, "-DCMAKE_BUILD_TYPE=Release",
                        "-DJUG_BUILD_TESTS=OFF"], check=True, stdout=subprocess.DEVNULL)
        subprocess.run(["cmake", "--build", build_dir, "-j", str(os.cpu_count()), "--target",
                        *targets], check=True, stdout=subprocess.DEVNULL)
    except subprocess.CalledProcessError as e:
        sys.exit(f"the build failed: {' '.join(e.cmd)}")
    return progs


def filesystem_type(path):
    """`ext4`, `tmpfs`, ... for the table's heading."""
    return subprocess.run(["stat", "-f", "-c", "%T", path], capture_output=True,
                          text=True).stdout.strip()


def remove_tree(path):
    """shutil.rmtree, the directories up to three levels down removed on 16
    threads, deepest first (a file store's fan-out directories are two levels
    down in the store, three in a directory of stores): on this VM's disk (ext4
    mounted with `discard`) one thread takes ~37 s to remove 100,000 results,
    16 take ~15 s."""
    levels = [[path]]
    for _ in range(3):
        below = []
        for d in levels[-1]:
            try:
                below += [e.path for e in os.scandir(d) if e.is_dir(follow_symlinks=False)]
            except OSError:
                pass
        levels.append(below)
    with ThreadPoolExecutor(16) as pool:
        for level in reversed(levels[1:]):
            list(pool.map(lambda d: shutil.rmtree(d, ignore_errors=True), level))
    shutil.rmtree(path, ignore_errors=True)


def timed(args, cwd, env=None, ok=(0,)):
    """Runs one process to its end and returns its wall time in seconds, start-up
    included; stops the benchmark with the process's output if it fails (exits
    with a code not in `ok`)."""
    start = time.perf_counter()
    p = subprocess.run(args, cwd=cwd, env=env, capture_output=True, text=True)
    elapsed = time.perf_counter() - start
    if p.returncode not in ok:
        sys.exit(f"{args} failed ({p.returncode}):\n{p.stdout}\n{p.stderr}")
    return elapsed


def timed_with_memory(args, cwd, env=None):
    """(seconds, peak MB, stdout) of one process, by /usr/bin/time; stops the
    benchmark if it fails."""
    p = subprocess.run(["/usr/bin/time", "-f", "TIME %e %M", *args], cwd=cwd, env=env,
                       capture_output=True, text=True)
    lines = [line for line in p.stderr.splitlines() if line.startswith("TIME ")]
    if p.returncode != 0 or not lines:
        sys.exit(f"{args} failed ({p.returncode}):\n{p.stdout}\n{p.stderr}")
    _, seconds, kb = lines[-1].split()
    return float(seconds), int(kb) / 1024, p.stdout


def free_port():
    """A TCP port free on 127.0.0.1 now, for a server to listen on."""
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def median_timed(args, cwd, repeat, env=None, ok=(0,)):
    return statistics.median(timed(args, cwd, env, ok) for _ in range(repeat))


def run_together(commands, cwd, logs, env=None):
    """Starts every command at once, one process each, and waits for them all.
    `logs` are files open for writing, one per command (stdout and stderr go
    there). Returns each process's exit time in seconds after the first start
    (the wall time is the largest) and its return code. Processes still running
    when this is interrupted are killed: only ours."""
    procs, exits = [], [None] * len(commands)
    start = time.perf_counter()
    try:
        for args, log in zip(commands, logs):
            procs.append(subprocess.Popen(args, cwd=cwd, env=env, stdout=log,
                                          stderr=subprocess.STDOUT))

        # One waiting thread per process, so that each exit time is its own.
        def wait(i):
            procs[i].wait()
            exits[i] = time.perf_counter() - start

        waiters = [threading.Thread(target=wait, args=(i,)) for i in range(len(procs))]
        for t in waiters:
            t.start()
        for t in waiters:
            t.join()
    finally:
        for p in procs:
            if p.poll() is None:
                p.kill()
                p.wait()
    return [(exits[i], p.returncode) for i, p in enumerate(procs)]


def per_task_row(tasks, name, seconds, width=16):
    """`   tasks  name  total s  µs/task`, as bench/run prints it."""
    return f"{tasks:>8}  {name:<{width}} {seconds:>9.3f} {seconds / tasks * 1e6:>9.1f}"
