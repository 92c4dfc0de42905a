"""A real `jug execute` on the file store, killed (SIGKILL) at a chosen call
of one of its file system calls, or given an error there instead (strace's
fault injection, as root); then one plain `jug execute`. After every one:
the right total, `status --verify` clean, and the store holds exactly the
results and nothing else (no lease, temporary file, crash or failure
record left behind). An injected error must end in an ordinary exit with a
message, never a crash. Both layouts: results appended to segments (a
worker killed appending leaves a frame cut short, which is ignored), and a
file per result (format 1, as stores made before segments are).

Which calls: the file system calls the store makes (openat, write, pwrite,
rename, unlink, link and the sync calls), counted in an undisturbed run; by default
up to 8 positions of each, spread over the whole run (the first and the
last included), about 60 crash states in all. JUG_CRASH_SWEEP=all tries
every position of every call (about 800 states, 6 minutes here: not in the
normal suite, but in `scripts/test --full-sweep`). The test prints how many
states it explored.

What this cannot see: a power cut (the page cache outlives a killed
process); the store's own crash model does (issue 20)."""

import collections
import glob
import os
import re
import shutil
import time
import unittest

import jugtest
import stored_results

STRACE = jugtest.STRACE
SANITIZED = os.environ.get("JUG_SANITIZED") == "1"
EVERY_POSITION = os.environ.get("JUG_CRASH_SWEEP") == "all"
# Under a sanitizer, a few positions: the code is ours, but the faster
# build covers the positions, and the sanitizer's own start-up calls count.
POSITIONS_PER_CALL = 2 if SANITIZED else 8
# pwrite64: the lone worker's lease, rewritten in place at each task.
KILLED_AT = ["openat", "write", "pwrite64", "rename", "unlink", "link", "syncfs", "fsync",
             "fdatasync"]
ERRORS = [("write", "ENOSPC"), ("write", "EDQUOT"), ("pwrite64", "ENOSPC"), ("openat", "EACCES"),
          ("rename", "EIO"), ("unlink", "EIO"), ("syncfs", "EIO")]
TASKS = 52
TOTAL = sum(i * i for i in range(50))
# A worker killed between creating its lock file and writing its name in
# it leaves a lease no one can judge by its process: it is taken over once
# older than min(10 s, --lease-time). The recovering run says 2 s, so that
# the sweep does not wait 10 s at each such point.
RECOVER = ["execute", "--lease-time", "2"]


def positions(count, wanted):
    """Up to `wanted` of 1..count, spread out, the first and last included."""
    if EVERY_POSITION or count <= wanted:
        return list(range(1, count + 1))
    step = (count - 1) / (wanted - 1)
    return sorted({1 + round(i * step) for i in range(wanted)})


@unittest.skipIf(STRACE is None, "strace is not installed (apt-get install strace)")
@unittest.skipIf(os.geteuid() != 0, "strace's fault injection is tried as root here")
class CrashSweep(jugtest.ScratchTest):
    # The environment of every run: a new store's layout.
    ENV = {}

    def setUp(self):
        super().setUp()
        self.prog = self.program("squares_total")
        self.store = os.path.join(self.dir, "squares_total.jugdata")

    def fresh(self):
        shutil.rmtree(self.store, ignore_errors=True)
        total = os.path.join(self.dir, "total.txt")
        if os.path.exists(total):
            os.remove(total)

    def strace(self, *options, timeout=120):
        return jugtest.run_under_strace(options, [self.prog, "execute"], self.dir, timeout,
                                        env=self.ENV)

    def count_calls(self):
        """How many times an undisturbed first run makes each call."""
        self.fresh()
        trace = os.path.join(self.dir, "trace.txt")
        p = self.strace("-o", trace, "-e", "trace=" + ",".join(KILLED_AT))
        self.assertEqual(p.returncode, 0, p.stderr)
        counts = collections.Counter()
        with open(trace) as f:
            for line in f:
                m = re.match(r"\d+\s+(?:<\.\.\. )?(\w+)\(", line)
                if m and "resumed>" not in line:
                    counts[m.group(1)] += 1
        os.remove(trace)
        return counts

    def left_behind(self):
        """How many results the store holds, and whatever else it holds
        besides what a store always does (its format file, the users it
        noted, the segments the results are in)."""
        other = []
        for root, _, files in os.walk(self.store):
            rel = os.path.relpath(root, self.store)
            for name in files:
                path = os.path.normpath(os.path.join(rel, name))
                if rel in ("results", "segments") or rel.startswith("results/"):
                    continue
                if path != "jugdata-format" and not rel.startswith("users"):
                    other.append(path)
        return len(stored_results.stored_results(self.store)), other

    def check_recovered(self, what):
        p = jugtest.run([self.prog, *RECOVER], self.dir, env=self.ENV, check=None)
        self.assertEqual(p.returncode, 0, f"{what}: the plain execute after it failed:\n"
                         f"{p.stdout}{p.stderr}")
        with open(os.path.join(self.dir, "total.txt")) as f:
            self.assertEqual(f.read().strip(), str(TOTAL), what)
        status = jugtest.status_json(self.prog, self.dir, extra=["--verify"])
        self.assertEqual(status["totals"]["finished"], TASKS, f"{what}: {status}")
        # A frame cut short by the kill is reported as such, and nothing
        # else is damage.
        for damage in status.get("store_damage", []):
            self.assertIn("cut short", damage, what)
        results, other = self.left_behind()
        self.assertEqual(results, TASKS, what)
        self.assertEqual(other, [], f"{what}: left in the store")

    def test_killed_at_every_kind_of_call_then_run_again(self):
        counts = self.count_calls()
        # Each task opens a file, or (a lone worker) rewrites its lease.
        self.assertGreater(counts["openat"] + counts["pwrite64"], TASKS, counts)
        # Each result is written, in a segment or in a file of its own.
        self.assertGreater(counts["write"], TASKS - 1, counts)
        explored, killed = 0, 0
        start = time.monotonic()
        for call in KILLED_AT:
            for n in positions(counts[call], POSITIONS_PER_CALL):
                self.fresh()
                what = f"killed at {call} #{n} of {counts[call]}"
                p = self.strace("-o", "/dev/null", "-e", f"trace={call}",
                                "-e", f"inject={call}:signal=SIGKILL:when={n}")
                # Calls vary a little between runs (threads): a run that
                # ended before the n-th call is a state too.
                self.assertIn(p.returncode, (0, -9, 137), f"{what}:\n{p.stderr}")
                killed += p.returncode != 0
                self.check_recovered(what)
                explored += 1
        print(f"\ncrash sweep: {explored} states explored ({killed} runs killed) over "
              f"{dict(counts)} calls, in {time.monotonic() - start:.1f} s")
        self.assertGreater(killed, explored // 2, "most runs must have been killed")

    def test_an_error_at_each_kind_of_call_is_reported_then_run_again(self):
        counts = self.count_calls()
        explored = 0
        start = time.monotonic()
        for call, error in ERRORS:
            for n in positions(counts[call], max(2, POSITIONS_PER_CALL // 2)):
                self.fresh()
                what = f"{error} at {call} #{n} of {counts[call]}"
                p = self.strace("-o", "/dev/null", "-e", f"trace={call}",
                                "-e", f"inject={call}:error={error}:when={n}")
                # An ordinary exit with a message, or a run the error did
                # not stop (an error where jug can retry or need not care).
                self.assertGreaterEqual(p.returncode, 0, f"{what}: died:\n{p.stderr}")
                self.assertNotIn("terminate called", p.stderr, what)
                if p.returncode != 0:  # a store error (stderr), or a task's (its failure)
                    self.assertRegex(p.stdout + p.stderr, r"jug: |Error|error|failed",
                                     f"{what}:\n{p.stdout}{p.stderr}")
                self.check_recovered(what)
                explored += 1
        print(f"\nerror sweep: {explored} states explored in {time.monotonic() - start:.1f} s")

    def test_cleanup_removes_what_killed_workers_left(self):
        # Killed right after storing its first result, before giving the
        # lease back (its second unlink, after the format file's temporary:
        # that of the lock file, so with a lock file per task: no lone worker).
        self.ENV = dict(self.ENV, JUG_LONE_WORKER="0")
        self.fresh()
        p = self.strace("-o", "/dev/null", "-e", "trace=unlink",
                        "-e", "inject=unlink:signal=SIGKILL:when=2")
        self.assertEqual(p.returncode, -9, p.stderr)
        locks = os.listdir(os.path.join(self.store, "locks"))
        self.assertEqual(len(locks), 1, locks)
        # And a temporary file of an older version's writer, an hour old.
        stray = os.path.join(self.store, "tmp", "0" * 64 + ".4242.00000000deadbeef")
        with open(stray, "w") as f:
            f.write("half a record")
        hour_ago = time.time() - 3600
        os.utime(stray, (hour_ago, hour_ago))

        p = jugtest.run([self.prog, "cleanup", "--dry-run", "--lease-time", "600"], self.dir,
                        check=0)
        self.assertIn("Would remove 0 results, 1 lease, 0 failure records; kept 1 in use.",
                      p.stdout)
        self.assertIn("Would remove 1 file that jug processes which are gone left behind.",
                      p.stdout)
        p = jugtest.run([self.prog, "cleanup", "--lease-time=600"], self.dir, check=0)
        self.assertIn("Removed 0 results, 1 lease, 0 failure records; kept 1 in use.", p.stdout)
        self.assertIn("Removed 1 file that jug processes which are gone left behind.", p.stdout)
        results, other = self.left_behind()
        self.assertEqual((results, other), (1, []))
        # Within the lease time, the stray file of an unknown writer stays.
        with open(stray, "w") as f:
            f.write("being written elsewhere")
        p = jugtest.run([self.prog, "cleanup", "--lease-time=7200"], self.dir, check=0)
        self.assertNotIn("which are gone left behind", p.stdout)
        self.assertTrue(os.path.exists(stray))


class CrashSweepOfResultFiles(CrashSweep):
    """The same with a file per result: a store made before segments."""
    ENV = {"JUG_FILE_STORE_SEGMENTS": "0"}

    def test_killed_at_every_kind_of_call_then_run_again(self):
        super().test_killed_at_every_kind_of_call_then_run_again()
        self.assertEqual(len(glob.glob(os.path.join(self.store, "results", "*", "*"))), TASKS)


if __name__ == "__main__":
    jugtest.main()
