"""Leases of workers that are gone, and a store that cannot take a result.

- Leases written by hand for another host (faked host, machine and clock):
  a fresh one is respected until it has not been renewed for --lease-time,
  an old one is taken over at once; `status --json` calls the first running
  and the second abandoned.
- A real second "machine": a worker in its own pid namespace (unshare),
  whose pid the other workers cannot check. Its renewals keep its lease; once
  it is SIGKILLed, a worker in the root namespace takes the task over, but
  only after its last renewal plus the lease time.
- A full disk (a 1 MiB tmpfs as the store) and a file size limit while a
  result is written: a clear error naming the task, no partial result, no
  lease left behind, and a later execute with room finishes everything.
"""

import glob
import os
import re
import resource
import signal
import subprocess
import time

import jugtest
import stored_results

LEASE_HEADER = "jug-lease 1\n"


def other_machine_lease(pid=4242, machine="other-machine/1"):
    lines = [LEASE_HEADER, "host=elsewhere\n", f"pid={pid}\n", "start=1000000000\n"]
    if machine is not None:
        lines.append(f"machine={machine}\n")
    return "".join(lines)


def own_machine():
    """The `machine` of a lease written by a process of this test's pid
    namespace: boot id / pid namespace inode."""
    with open("/proc/sys/kernel/random/boot_id") as f:
        boot = f.read().strip()
    return f"{boot}/{os.stat('/proc/self/ns/pid').st_ino}"


class LeaseTest(jugtest.ScratchTest):
    """Helpers over the lease_holder jugfile: `held`, `quick(1..N)`, `total`."""

    N = "2"

    def setUp(self):
        super().setUp()
        self.prog = self.program("lease_holder")
        self.jugdir = os.path.join(self.dir, "lease_holder.jugdata")
        self.release = os.path.join(self.dir, "release")
        self.procs = []
        self.addCleanup(self.kill_all)

    def kill_all(self):
        for p in self.procs:
            if p.poll() is None:
                try:
                    os.killpg(p.pid, signal.SIGKILL)
                except ProcessLookupError:
                    pass
                p.wait(timeout=30)

    def env(self, **extra):
        e = {"JUG_TEST_LOG": self.log}
        e.update(extra)
        return e

    def run_prog(self, *args, check=None, timeout=120, env=None):
        return jugtest.run([self.prog, *args, "--", self.N], self.dir, env=env or self.env(),
                           check=check, timeout=timeout)

    def status(self, *args):
        return jugtest.status_json(self.prog, self.dir, [*args, "--", self.N])

    def spawn(self, args, name, env=None):
        """Starts a command in its own session, output to `<name>.out`."""
        out = open(os.path.join(self.dir, name + ".out"), "w")
        full_env = dict(os.environ, **(env or self.env()))
        p = subprocess.Popen(args, cwd=self.dir, env=full_env, stdout=out,
                             stderr=subprocess.STDOUT, start_new_session=True)
        out.close()
        self.procs.append(p)
        return p

    def output(self, name):
        with open(os.path.join(self.dir, name + ".out")) as f:
            return f.read()

    def held_hash(self):
        """The hash of `held`: run it alone, see which result appears, then
        invalidate it (and what depends on it). Leaves a valid store."""
        self.run_prog("execute", "--target", "held", check=0)
        [h] = stored_results.stored_results(self.jugdir)
        self.run_prog("invalidate", "--target", "held", check=0)
        self.assertEqual(stored_results.stored_results(self.jugdir), {})
        self.assertEqual([l.split()[0] for l in self.read_log()], ["start", "end"])
        os.remove(self.log)
        return h

    def lock_path(self, h):
        return os.path.join(self.jugdir, "locks", h + ".lock")

    def write_lock(self, h, content, mtime_ns):
        os.makedirs(os.path.join(self.jugdir, "locks"), exist_ok=True)
        path = self.lock_path(h)
        with open(path, "w") as f:
            f.write(content)
        os.utime(path, ns=(mtime_ns, mtime_ns))
        return path

    def held_lock(self):
        """The one lease held: the lone worker's, or a task's lock file."""
        locks = glob.glob(os.path.join(self.jugdir, "locks", "*.lock"))
        self.assertEqual(len(locks), 1, locks)
        return locks[0]

    def held_starts(self):
        """Wall-clock start (ns) of every run of `held`, from the log."""
        return [int(l.split()[2]) for l in self.read_log() if l.startswith("start ")]

    def held_ends(self):
        return [l for l in self.read_log() if l.startswith("end ")]

    def assert_all_finished(self):
        s = self.status()
        self.assertEqual(s["totals"]["finished"], s["tasks"], s)
        self.assertEqual(s["abandoned"], [])
        self.assertEqual(os.listdir(os.path.join(self.jugdir, "locks")), [])
        totals = [l for l in self.read_log() if l.startswith("total ")]
        self.assertEqual(totals, [f"total {100 + sum(range(1, int(self.N) + 1))}"])

    def wait_until(self, predicate, timeout, what):
        deadline = time.monotonic() + timeout
        while not predicate():
            if time.monotonic() > deadline:
                self.fail(f"timed out after {timeout} s waiting for {what}")
            time.sleep(0.05)


class FakedOtherHost(LeaseTest):
    """Lease files written by hand, as a worker on another host would."""

    LEASE_TIME = 3

    def test_fresh_lease_is_respected_until_it_expires(self):
        h = self.held_hash()
        t0 = time.time_ns()
        self.write_lock(h, other_machine_lease(), t0)

        # Whatever the lease time, a lease renewed just now is running.
        s = self.status()
        self.assertEqual(s["totals"]["running"], 1, s)
        self.assertEqual(s["abandoned"], [])
        s = self.status("--lease-time", str(self.LEASE_TIME))
        if time.time_ns() < t0 + self.LEASE_TIME * 10**9:  # else: inconclusive
            self.assertEqual(s["totals"]["running"], 1, s)
            self.assertEqual(s["abandoned"], [])

        # A worker, started now, with the lease as fresh as it gets.
        t0 = time.time_ns()
        os.utime(self.lock_path(h), ns=(t0, t0))
        worker = self.spawn([self.prog, "execute", "--lease-time", str(self.LEASE_TIME), "--",
                             self.N], "worker")
        worker.wait(timeout=120)
        out = self.output("worker")
        self.assertEqual(worker.returncode, 0, out)
        self.assertRegex(out, r"Taking over task held\b.*: its worker \(pid 4242 on elsewhere\) "
                              r"has not renewed the lease for \d+(\.\d)? s \(the lease time is 3(\.0)? s\)")
        starts = self.held_starts()
        self.assertEqual(len(starts), 1, self.read_log())
        # Not before the lease expired: the store's clock (file times) had
        # to pass the last renewal by more than the lease time first.
        self.assertGreater(starts[0], t0 + self.LEASE_TIME * 10**9,
                           "the lease was taken over before it expired")
        self.assertEqual(len(self.held_ends()), 1)
        self.assert_all_finished()
        # The crash record is removed once the task succeeds.
        self.assertFalse(os.path.exists(os.path.join(self.jugdir, "crashes", h)))

    def test_old_lease_is_abandoned_and_taken_over_at_once(self):
        h = self.held_hash()
        self.write_lock(h, other_machine_lease(), time.time_ns() - 3600 * 10**9)

        s = self.status()  # the default lease time, 300 s
        self.assertEqual(s["totals"]["running"], 0, s)
        self.assertEqual([(a["name"], a["hash"]) for a in s["abandoned"]], [("held", h)], s)
        self.assertIn("pid 4242 on elsewhere", s["abandoned"][0]["why"])
        self.assertIn("has not renewed", s["abandoned"][0]["why"])

        p = self.run_prog("execute", check=0)
        m = re.search(r"Taking over task held\b.*has not renewed the lease for (\d+)(?:\.\d)? s "
                      r"\(the lease time is 300(?:\.0)? s\)", p.stdout)
        self.assertIsNotNone(m, p.stdout + p.stderr)
        self.assertGreaterEqual(int(m.group(1)), 3600)
        self.assertEqual(len(self.held_starts()), 1)
        self.assert_all_finished()

    def test_lease_without_machine_can_only_expire(self):
        # No machine line: even a pid that exists here (ours) says nothing.
        h = self.held_hash()
        content = other_machine_lease(pid=os.getpid(), machine=None)
        self.write_lock(h, content, time.time_ns())
        s = self.status()
        self.assertEqual((s["totals"]["running"], s["abandoned"]), (1, []), s)
        self.write_lock(h, content, time.time_ns() - 3600 * 10**9)
        s = self.status()
        self.assertEqual([a["hash"] for a in s["abandoned"]], [h], s)
        p = self.run_prog("execute", check=0)
        self.assertIn("Taking over task held", p.stdout)
        self.assert_all_finished()

    def test_same_machine_dead_pid_is_taken_over_without_waiting(self):
        # The contrast: a lease of this machine whose process is gone is
        # abandoned at once, however fresh, with the default lease time.
        h = self.held_hash()
        gone = subprocess.Popen(["true"])
        gone.wait()
        self.write_lock(h, other_machine_lease(pid=gone.pid, machine=own_machine()),
                        time.time_ns())
        s = self.status()
        self.assertEqual([a["hash"] for a in s["abandoned"]], [h], s)
        self.assertIn("no longer exists", s["abandoned"][0]["why"])
        p = self.run_prog("execute", check=0)
        self.assertRegex(p.stdout, rf"Taking over task held\b.*pid {gone.pid} on elsewhere\) "
                                   r"no longer exists")
        self.assert_all_finished()


class OtherPidNamespace(LeaseTest):
    """A worker in its own pid namespace: another machine, as far as the
    root namespace's workers can tell."""

    LEASE_TIME = 4
    N = "1"

    def setUp(self):
        super().setUp()
        if os.geteuid() != 0:
            self.skipTest("needs root for unshare --pid")
        try:
            probe = subprocess.run(["unshare", "--pid", "--fork", "--mount-proc", "true"],
                                   capture_output=True, text=True, timeout=30)
        except (OSError, subprocess.TimeoutExpired) as e:
            self.skipTest(f"unshare unavailable: {e}")
        if probe.returncode != 0:
            self.skipTest(f"unshare --pid --fork --mount-proc fails here: {probe.stderr.strip()}")

    def test_takeover_only_after_the_killed_holder_lease_expires(self):
        lease = str(self.LEASE_TIME)
        env = self.env(JUG_TEST_RELEASE=self.release)
        holder = self.spawn(["unshare", "--pid", "--fork", "--mount-proc", "--kill-child",
                             self.prog, "execute", "--lease-time", lease, "--", self.N],
                            "holder", env=env)
        self.wait_until(lambda: self.held_starts() or holder.poll() is not None, 60,
                        "the namespaced worker to start held")
        self.assertIsNone(holder.poll(), self.output("holder"))
        # The lone worker's lease (docs/store-layout.md), until the waiter
        # comes: then the task's lock file.
        lock = self.held_lock()
        with open(lock) as f:
            content = f.read()
        machine = re.search(r"^machine=(.*)$", content, re.M).group(1)
        self.assertNotEqual(machine, own_machine(), "the namespace gave no other machine")
        created = os.stat(lock).st_mtime_ns

        s = self.status("--lease-time", lease)
        self.assertEqual((s["totals"]["running"], s["abandoned"]), (1, []), s)

        waiter = self.spawn([self.prog, "execute", "--lease-time", lease, "--", self.N],
                            "waiter", env=env)
        # More than two lease times: only the holder's renewals keep the
        # waiter from taking over.
        time.sleep(2.5 * self.LEASE_TIME)
        lock = self.held_lock()
        self.assertTrue(lock.endswith(".lock") and "lone-worker" not in lock,
                        "the lone worker made way for the waiter")
        self.assertIsNone(waiter.poll(), self.output("waiter"))
        self.assertIsNone(holder.poll(), self.output("holder"))
        self.assertEqual(len(self.held_starts()), 1, "taken over from a live holder")
        self.assertNotIn("Taking over", self.output("waiter"))
        self.assertGreater(os.stat(lock).st_mtime_ns, created + self.LEASE_TIME * 10**9,
                           "the lease was not renewed")
        s = self.status("--lease-time", lease)
        self.assertEqual((s["totals"]["running"], s["abandoned"]), (1, []), s)

        # SIGKILL the holder: unshare and its child, pid 1 of the namespace.
        with open(f"/proc/{holder.pid}/task/{holder.pid}/children") as f:
            children = [int(c) for c in f.read().split()]
        os.killpg(holder.pid, signal.SIGKILL)
        holder.wait(timeout=30)
        killed = time.monotonic()

        def dead(pid):
            try:
                with open(f"/proc/{pid}/stat") as f:
                    return f.read().rsplit(")", 1)[1].split()[0] in ("Z", "X")
            except FileNotFoundError:
                return True

        self.wait_until(lambda: all(dead(c) for c in children), 30, "the holder to die")
        last_renewal = os.stat(lock).st_mtime_ns

        # Let the taken-over run of held return at once.
        open(self.release, "w").close()
        self.wait_until(lambda: len(self.held_starts()) == 2 or waiter.poll() is not None,
                        30, "the waiter to take the task over")
        self.assertLess(time.monotonic() - killed, 30)
        waiter.wait(timeout=60)
        out = self.output("waiter")
        self.assertEqual(waiter.returncode, 0, out)
        self.assertRegex(out, r"Taking over task held\b.*: its worker \(pid 1 on .*\) has not "
                              rf"renewed the lease for \d+(\.\d)? s \(the lease time is {lease}(\.0)? s\)")
        starts = self.held_starts()
        self.assertEqual(len(starts), 2, self.read_log())
        self.assertGreater(starts[1], last_renewal + self.LEASE_TIME * 10**9,
                           "taken over before the last renewal plus the lease time")
        self.assertEqual(len(self.held_ends()), 1, "only the taken-over run returned")
        # The killed holder's worker marker (it made way for the waiter:
        # docs/store-layout.md, "The lone worker") is of another machine:
        # removed once untouched for the lease time, by the next execute.
        markers = [n for n in os.listdir(os.path.join(self.jugdir, "locks"))
                   if n.endswith(".worker")]
        self.assertEqual(len(markers), 1, markers)
        time.sleep(self.LEASE_TIME + 1)
        jugtest.run([self.prog, "execute", "--lease-time", lease, "--", self.N], self.dir,
                    env=self.env(), check=0)
        self.assert_all_finished()


class SmallTmpfs(jugtest.ScratchTest):
    """The store on a 1 MiB tmpfs; `big` returns 2 MiB that zstd cannot shrink."""

    def setUp(self):
        super().setUp()
        self.jugdir = os.path.join(self.dir, "store")
        os.mkdir(self.jugdir)
        if os.geteuid() != 0:
            self.skipTest("needs root to mount a tmpfs")
        p = subprocess.run(["mount", "-t", "tmpfs", "-o", "size=1m", "tmpfs", self.jugdir],
                           capture_output=True, text=True)
        if p.returncode != 0:
            self.skipTest(f"cannot mount a tmpfs: {p.stderr.strip()}")
        self.mounted = True

    def tearDown(self):
        # Before the scratch directory is removed (cleanups run after tearDown).
        if getattr(self, "mounted", False):
            subprocess.run(["umount", self.jugdir], capture_output=True)
        super().tearDown()

    def execute(self):
        return jugtest.run([self.program("big_result"), "execute", "--jugdir", self.jugdir],
                           self.dir, env={"JUG_TEST_LOG": self.log})

    def test_full_disk_is_reported_and_leaves_nothing_behind(self):
        prog = self.program("big_result")
        p = self.execute()
        out = p.stdout + p.stderr
        self.assertEqual(p.returncode, 1, out)
        self.assertRegex(out, r"result of task big\b")
        self.assertIn("No space left", out)
        self.assertEqual(self.read_log().count("big"), 1)

        s = jugtest.status_json(prog, self.dir, ["--jugdir", self.jugdir])
        big = [r for r in s["by_name"] if r["name"] == "big"][0]
        self.assertEqual((big["finished"], big["running"], big["failed"]), (0, 0, 0), s)
        self.assertEqual(s["abandoned"], [])
        results = stored_results.results_list(self.jugdir)
        self.assertLessEqual(len(results), 3, "only small results fit")
        for r in results:
            self.assertLess(r.size, 4096, f"a partial result: {r}")
        self.assertEqual(glob.glob(os.path.join(self.jugdir, "tmp", "*")), [])
        self.assertEqual(glob.glob(os.path.join(self.jugdir, "locks", "*")), [])

        subprocess.run(["mount", "-o", "remount,size=16m", self.jugdir], check=True)
        p = self.execute()
        self.assertEqual(p.returncode, 0, p.stdout + p.stderr)
        s = jugtest.status_json(prog, self.dir, ["--jugdir", self.jugdir, "--verify"])
        self.assertEqual(s["totals"]["finished"], s["tasks"], s)
        self.assertEqual(s["corrupt"], [])
        log = self.read_log()
        self.assertEqual(log.count("big"), 2)
        self.assertEqual(log.count("summary"), 1)
        for i in range(3):
            self.assertEqual(log.count(f"small {i}"), 1, log)


class FileSizeLimit(jugtest.ScratchTest):
    """RLIMIT_FSIZE below the size of `big`'s result."""

    LIMIT = 512 * 1024

    def execute(self, preexec_fn=None):
        prog = self.program("big_result")
        return subprocess.run([prog, "execute"], cwd=self.dir, capture_output=True, text=True,
                              env=dict(os.environ, JUG_TEST_LOG=self.log), timeout=120,
                              preexec_fn=preexec_fn)

    def check_reported_then_finished(self, p):
        jugdir = os.path.join(self.dir, "big_result.jugdata")
        out = p.stdout + p.stderr
        self.assertNotEqual(p.returncode, 128 + signal.SIGXFSZ, out)
        self.assertNotEqual(p.returncode, -signal.SIGXFSZ,
                            "killed by SIGXFSZ instead of reporting the error")
        self.assertEqual(p.returncode, 1, out)
        self.assertRegex(out, r"result of task big\b")
        self.assertIn("File too large", out)
        self.assertIn("ulimit -f", out)
        self.assertEqual(glob.glob(os.path.join(jugdir, "tmp", "*")), [])
        self.assertEqual(glob.glob(os.path.join(jugdir, "locks", "*")), [])
        for r in stored_results.results_list(jugdir):
            self.assertLess(r.size, self.LIMIT)

        p = self.execute()
        self.assertEqual(p.returncode, 0, p.stdout + p.stderr)
        self.assertNotIn("Taking over", p.stdout)
        s = jugtest.status_json(self.program("big_result"), self.dir, ["--verify"])
        self.assertEqual(s["totals"]["finished"], s["tasks"], s)

    def test_limit_with_sigxfsz_ignored(self):
        def limit():
            signal.signal(signal.SIGXFSZ, signal.SIG_IGN)
            resource.setrlimit(resource.RLIMIT_CORE, (0, 0))
            resource.setrlimit(resource.RLIMIT_FSIZE, (self.LIMIT, self.LIMIT))
        self.check_reported_then_finished(self.execute(limit))

    # jug::main ignores SIGXFSZ, so that a write beyond RLIMIT_FSIZE fails
    # with EFBIG (reported, cleaned up) instead of killing the worker.
    def test_limit_with_default_sigxfsz(self):
        def limit():
            signal.signal(signal.SIGXFSZ, signal.SIG_DFL)
            resource.setrlimit(resource.RLIMIT_CORE, (0, 0))
            resource.setrlimit(resource.RLIMIT_FSIZE, (self.LIMIT, self.LIMIT))
        self.check_reported_then_finished(self.execute(limit))


if __name__ == "__main__":
    jugtest.main()
