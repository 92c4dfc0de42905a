"""Workers that die while running tasks (SIGKILL, a segfault): the leases
they leave are judged abandoned and taken over, each death is recorded as a
crash of the task, a task that kills every worker running it is given up
after --max-crashes, and status tells tasks whose worker is gone from
running ones. The torture test kills random workers of eight, over 2,021
tasks, and checks that every result is right, that no task ever ran in two
places at once, and that only tasks whose worker died ran more than once."""

import collections
import glob
import os
import random
import re
import signal
import subprocess
import time

import jugtest

# name, the hash's first hex digits, the dead worker's pid
TAKING_OVER = re.compile(r"Taking over task (\S+) \((\w+)\): its worker \(pid (\d+) on ")


def wait_for(predicate, what, timeout=60):
    """Polls `predicate` until true; fails after `timeout` s (a safety bound,
    not a measure)."""
    deadline = time.monotonic() + timeout
    while not predicate():
        if time.monotonic() > deadline:
            raise AssertionError(f"timed out waiting for {what}")
        time.sleep(0.02)


def watches_with_inotify(pid):
    """Whether process `pid` has an inotify descriptor open."""
    fd_dir = f"/proc/{pid}/fd"
    try:
        fds = os.listdir(fd_dir)
    except OSError:
        return False  # gone
    for fd in fds:
        try:
            if os.readlink(os.path.join(fd_dir, fd)) == "anon_inode:inotify":
                return True
        except OSError:
            pass  # closed meanwhile
    return False


class Worker:
    """An `execute` process of the torture test."""

    def __init__(self, number, proc, jobs, out_path):
        self.number = number  # JUG_TEST_WORKER: unlike a pid, never reused
        self.proc = proc
        self.jobs = jobs
        self.out_path = out_path
        self.killed_at = None  # CLOCK_MONOTONIC ns just before the SIGKILL
        self.code = None

    def output(self):
        with open(self.out_path) as f:
            return f.read()


class Torture(jugtest.ScratchTest):
    """8 workers over 2,000 tasks of random short durations; random workers
    killed with SIGKILL and new ones started, until all is done."""

    N = 2000
    BLOCK = 100
    WORKERS = 8
    MIN_KILLS = 10
    MAX_KILLS = 16
    # Seconds between kills at least, so that replacements get going.
    KILL_SPACING = 0.15
    # Whether a lease is created with its owner in one step: then no worker
    # can die leaving a lease that names nobody.
    LEASES_NAME_THEIR_OWNER_AT_ONCE = False

    def setUp(self):
        super().setUp()
        self.prog = self.program("torture")
        self.workers = {}
        self.blocks = (self.N + self.BLOCK - 1) // self.BLOCK
        self.total_tasks = self.N + self.blocks + 1
        self.log_offset = 0
        self.log_tail = ""
        self.ended = set()  # keys of tasks that logged an end
        self.seen_workers = set()  # workers that logged anything
        self.seed = int(os.environ.get("JUG_TEST_SEED", time.time_ns() % 1_000_000))
        self.random = random.Random(self.seed)

    # The store, as the test sees it: a subclass runs the same torture on
    # another store by giving these.

    def store_args(self):
        """Options that name the store, given to every worker and status."""
        return []

    def failure_records(self):
        """The hashes of tasks with a failure record."""
        return [os.path.basename(p)
                for p in glob.glob(os.path.join(self.dir, "torture.jugdata", "failed", "*"))]

    def crash_records(self):
        """hash -> the crash lines recorded for it, of every task with some."""
        records = {}
        for path in glob.glob(os.path.join(self.dir, "torture.jugdata", "crashes", "*")):
            with open(path) as f:
                records[os.path.basename(path)] = f.read().splitlines()
        return records

    def start_worker(self):
        number = len(self.workers) + 1
        # Every fourth worker runs two tasks at once.
        jobs = 2 if number % 4 == 0 else 1
        out_path = os.path.join(self.dir, f"worker{number}.out")
        env = dict(os.environ, JUG_TEST_LOG=self.log, JUG_TEST_WORKER=str(number))
        with open(out_path, "w") as out:
            # --max-crashes: a task that random kills hit several times is
            # not to be given up here (that is test_poison's subject).
            # --lease-time: a worker killed between creating its lock and
            # writing its owner into it leaves a lease nobody can match,
            # which only expires; 10 s rather than 300 s keeps that rare
            # case from stalling the test.
            proc = subprocess.Popen(
                [self.prog, "execute", "-j", str(jobs), "--max-crashes", "50",
                 "--lease-time", "10", *self.store_args(), "--", str(self.N)],
                cwd=self.dir, env=env, stdout=out, stderr=subprocess.STDOUT)
        self.workers[number] = Worker(number, proc, jobs, out_path)

    def read_new_log(self):
        """Follows the log: which tasks ended, which workers are under way."""
        if not os.path.exists(self.log):
            return
        with open(self.log) as f:
            f.seek(self.log_offset)
            chunk = f.read()
            self.log_offset = f.tell()
        text = self.log_tail + chunk
        lines = text.split("\n")
        self.log_tail = lines.pop()  # a line still being written, if any
        for line in lines:
            fields = line.split()
            if len(fields) != 5:
                continue
            self.seen_workers.add(int(fields[3]))
            if fields[0] == "end":
                self.ended.add(fields[1])

    def finished(self):
        st = jugtest.status_json(self.prog, self.dir, [*self.store_args(), "--", str(self.N)])
        return st["totals"]["finished"]

    def live(self):
        return [w for w in self.workers.values() if w.code is None]

    def kill(self, worker):
        worker.killed_at = time.monotonic_ns()
        os.kill(worker.proc.pid, signal.SIGKILL)
        # Reaped at once: a zombie still counts as an existing process.
        worker.code = worker.proc.wait()

    def run_torture(self):
        for _ in range(self.WORKERS):
            self.start_worker()
        kills = 0
        last_kill = time.monotonic()
        deadline = time.monotonic() + 240
        while True:
            self.assertLess(time.monotonic(), deadline,
                            f"the torture did not end (seed {self.seed})")
            self.read_new_log()
            exited = False
            for w in self.live():
                code = w.proc.poll()
                if code is not None:
                    w.code = code
                    exited = True
            live = self.live()
            # Kills spread over the run: the k-th once about k/MAX_KILLS of
            # 85 % of the tasks are done, however fast the machine.
            progress = len(self.ended) / self.total_tasks
            due = progress >= 0.85 * kills / self.MAX_KILLS
            if (kills < self.MAX_KILLS and live and due and progress < 0.9
                    and time.monotonic() - last_kill >= self.KILL_SPACING):
                busy = [w for w in live if w.number in self.seen_workers]
                self.kill(self.random.choice(busy or live))
                kills += 1
                last_kill = time.monotonic()
                self.start_worker()
                continue
            if exited or not live:
                if self.finished() < self.total_tasks:
                    # Left early with work left: another takes its place.
                    if len(live) < self.WORKERS:
                        self.start_worker()
                elif not live:
                    break
            time.sleep(0.05)
        self.read_new_log()
        return kills

    def parse_log(self):
        events = []
        for line in self.read_log():
            what, key, pid, worker, ns = line.split()
            self.assertIn(what, ("start", "end"), line)
            events.append((what, key, int(pid), int(worker), int(ns)))
        return events

    def test_torture(self):
        kills = self.run_torture()
        ctx = f" (seed {self.seed}; JUG_TEST_SEED={self.seed} repeats the kills)"
        killed = {w.number: w for w in self.workers.values() if w.killed_at is not None}
        self.assertEqual(len(killed), kills)
        self.assertGreaterEqual(kills, self.MIN_KILLS, "too few kills for a torture" + ctx)

        # Workers not killed stopped by themselves, successfully, and never
        # lost a lease.
        for w in self.workers.values():
            if w.killed_at is None:
                out = w.output()
                self.assertEqual(w.code, 0, f"worker {w.number} failed{ctx}:\n{out}")
                self.assertNotIn("Warning:", out, f"worker {w.number}{ctx}")
            else:
                self.assertEqual(w.code, -signal.SIGKILL)

        # Everything finished, nothing failed, running or abandoned.
        st = jugtest.status_json(self.prog, self.dir, [*self.store_args(), "--", str(self.N)])
        self.assertEqual(st["tasks"], self.total_tasks)
        self.assertEqual(st["totals"]["finished"], self.total_tasks, ctx)
        self.assertEqual(st["totals"]["failed"], 0)
        self.assertEqual(st["totals"]["running"], 0)
        self.assertEqual(st["failed"], [])
        self.assertEqual(st["abandoned"], [])
        self.assertEqual(self.failure_records(), [])

        # Every result right.
        p = jugtest.run([self.prog, "status", "--short", *self.store_args(), "--", str(self.N),
                         "check"], self.dir, check=0)
        values, keys_of_hash = {}, {}
        for line in p.stdout.splitlines():
            fields = line.split()
            if fields and fields[0] in ("w", "b", "total"):
                key = "".join(fields[:-2])  # w17, b3, total: as in the log
                values[key] = int(fields[-2])
                keys_of_hash[fields[-1]] = key
        expected = {f"w{i}": i * i + 1 for i in range(self.N)}
        for b in range(self.blocks):
            expected[f"b{b}"] = sum(
                i * i + 1 for i in range(b * self.BLOCK, min(self.N, (b + 1) * self.BLOCK)))
        expected["total"] = sum(i * i + 1 for i in range(self.N))
        self.assertEqual(values, expected)

        hash_of_key = {key: h for h, key in keys_of_hash.items()}
        last_runs = self.check_runs(killed, hash_of_key, ctx)

        # The crashes of a task are cleared by the run that stores its
        # result: crash records are left only where that run's worker was
        # killed after storing the result and before clearing them.
        for hash_, lines in self.crash_records().items():
            key = keys_of_hash.get(hash_)
            self.assertTrue(last_runs.get(key) in killed,
                            f"crash records of {key}, finished by worker {last_runs.get(key)} "
                            f"(not killed), were not cleared: {lines}{ctx}")

    def check_runs(self, killed, hash_of_key, ctx):
        """From the log: no two runs of a task overlapped in time, and a task
        ran more than once only because the workers of all its earlier runs
        were killed."""
        events = self.parse_log()
        # A run: one worker's start of a task, and its end if it got there.
        runs = {}  # (key, worker) -> [start, end]
        last_ns = collections.defaultdict(int)  # worker -> its last log time
        for what, key, pid, worker, ns in events:
            self.assertEqual(pid, self.workers[worker].proc.pid, f"worker {worker}'s pid")
            last_ns[worker] = max(last_ns[worker], ns)
            run = runs.get((key, worker))
            if what == "start":
                self.assertIsNone(run, f"worker {worker} started {key} twice")
                runs[(key, worker)] = [ns, None]
            else:
                self.assertIsNotNone(run, f"{key} ended in worker {worker} without a start")
                self.assertIsNone(run[1], f"{key} ended twice in worker {worker}")
                run[1] = ns

        keys = {f"w{i}" for i in range(self.N)} | {f"b{b}" for b in range(self.blocks)}
        keys.add("total")
        self.assertEqual({key for key, _ in runs}, keys, "every task ran")

        # A killed worker died after the kill was sent and after the last
        # line it wrote: a run it left unfinished ended no earlier than that,
        # and the task's next run must start later still.
        def death(worker):
            return max(killed[worker].killed_at, last_ns[worker])

        per_key = collections.defaultdict(list)
        interrupted = []
        for (key, worker), (start, end) in runs.items():
            if end is None:
                self.assertIn(worker, killed,
                              f"{key} was left unfinished by worker {worker}, which was not killed")
                end = death(worker)
                interrupted.append((key, worker))
            per_key[key].append((start, end, worker))

        reruns = 0
        last_runs = {}  # key -> the worker whose run stored the result
        for key, key_runs in per_key.items():
            key_runs.sort()
            for (s1, e1, w1), (s2, e2, w2) in zip(key_runs, key_runs[1:]):
                self.assertLess(e1, s2, f"{key} ran in workers {w1} and {w2} at once{ctx}")
            if len(key_runs) > 1:
                reruns += 1
            for _, _, worker in key_runs[:-1]:
                self.assertIn(worker, killed,
                              f"{key} ran again after worker {worker}, which was not killed, "
                              f"had run it{ctx}")
            self.assertIsNotNone(runs[(key, key_runs[-1][2])][1], f"{key} never ended")
            last_runs[key] = key_runs[-1][2]

        # Leases taken over were all those of killed workers, and every task
        # a killed worker left unfinished was taken over.
        killed_pids = {w.proc.pid: w.number for w in killed.values()}
        taken = set()  # (hash prefix, killed worker)
        unwritten = 0
        for w in self.workers.values():
            for line in w.output().splitlines():
                if not line.startswith("Taking over task "):
                    continue
                m = TAKING_OVER.match(line)
                if m is None:
                    # A worker killed between creating its lock file and
                    # writing itself into it: such a lease expires after 10 s.
                    self.assertIn("died before writing its name in the lease", line)
                    unwritten += 1
                    continue
                name, short_hash, pid = m.groups()
                self.assertIn(int(pid), killed_pids,
                              f"worker {w.number} took over {name} {short_hash} from pid {pid}, "
                              f"which was not killed{ctx}")
                taken.add((short_hash, killed_pids[int(pid)]))
        for key, worker in interrupted:
            self.assertTrue(any(hash_of_key[key].startswith(h) and w == worker for h, w in taken),
                            f"nobody took {key} over from worker {worker}{ctx}")
        self.assertGreater(len(interrupted), 0, "no kill interrupted a task" + ctx)
        if self.LEASES_NAME_THEIR_OWNER_AT_ONCE:
            self.assertEqual(unwritten, 0, "a lease without its owner" + ctx)
        print(f"\ntorture: {len(killed)} kills, {len(interrupted)} runs interrupted, "
              f"{reruns} tasks run more than once, {len(taken)} leases taken over "
              f"(and {unwritten} unwritten ones), {len(self.workers)} workers in all "
              f"(seed {self.seed})")
        return last_runs


class PoisonedTask(jugtest.ScratchTest):
    """A task that segfaults on every attempt is given up after
    --max-crashes deaths of its workers; the rest is done."""

    def setUp(self):
        super().setUp()
        self.prog = self.program("crashy")
        # Under a sanitizer, its SIGSEGV handler would report the raised
        # signal and exit 1: jug's own handler, then the default, are tested.
        asan = ":".join(o for o in [os.environ.get("ASAN_OPTIONS", ""), "handle_segv=0"] if o)
        self.env = dict(os.environ, JUG_TEST_LOG=self.log, ASAN_OPTIONS=asan)

    def worker(self, *args, env=None):
        """Runs one worker to its end; returns (pid, exit code, output)."""
        proc = subprocess.Popen([self.prog, "execute", "--keep-going", *args], cwd=self.dir,
                                env=env or self.env, stdout=subprocess.PIPE,
                                stderr=subprocess.STDOUT, text=True)
        out, _ = proc.communicate(timeout=120)
        return proc.pid, proc.returncode, out

    def workers_until_done(self, *args):
        """Starts workers one after the other, another each time one dies."""
        runs = []
        for _ in range(10):
            runs.append(self.worker(*args))
            if runs[-1][1] != -signal.SIGSEGV:
                break
        return runs

    def poison_starts(self):
        return [int(l.split()[2]) for l in self.read_log() if l.startswith("start poison ")]

    def crash_files(self):
        return glob.glob(os.path.join(self.dir, "crashy.jugdata", "crashes", "*"))

    def assert_others_done(self):
        """Every plain task ran once; after_poison never did."""
        lines = self.read_log()
        for i in range(20):
            for what in ("start", "end"):
                self.assertEqual(len([l for l in lines if l.startswith(f"{what} plain{i} ")]), 1,
                                 f"{what} plain{i}")
        self.assertEqual([l for l in lines if "after_poison" in l], [], "after_poison ran")
        self.assertEqual([l for l in lines if l.startswith("end poison")], [])

    def test_poison_is_given_up_after_three_crashes(self):
        runs = self.workers_until_done()
        codes = [code for _, code, _ in runs]
        # Three workers die in poison; the fourth finds three crashes
        # recorded and marks it failed instead, then does the rest.
        self.assertEqual(codes, [-signal.SIGSEGV] * 3 + [1], "\n".join(o for _, _, o in runs))
        dead = [pid for pid, _, _ in runs[:3]]
        self.assertEqual(self.poison_starts(), dead, "poison ran once in each dead worker")
        for pid, _, out in runs[:3]:
            # On its way down, the worker names the task and the signal.
            self.assertRegex(out, rf"jug: worker {pid} died of SIGSEGV \(segmentation fault\) "
                                  r"while running task poison \([0-9a-f]{12}\)")
        for pid, _, out in runs[1:]:
            self.assertIn("Taking over task poison", out)
        last = runs[-1][2]
        self.assertIn("its worker died 3 times while running it", last)
        self.assert_others_done()

        st = jugtest.status_json(self.prog, self.dir)
        self.assertEqual(st["totals"], {"waiting": 1, "ready": 0, "running": 0,
                                        "finished": 20, "failed": 1})
        self.assertEqual([f["name"] for f in st["failed"]], ["poison"])
        poison_hash = st["failed"][0]["hash"]
        self.assertIn("died 3 times", st["failed"][0]["message"])
        self.assertIn("--max-crashes 3", st["failed"][0]["message"])
        self.assertEqual(st["abandoned"], [])
        # One crash line per dead worker, naming it.
        crash_file = os.path.join(self.dir, "crashy.jugdata", "crashes", poison_hash)
        self.assertEqual(self.crash_files(), [crash_file])
        with open(crash_file) as f:
            crashes = f.read().splitlines()
        self.assertEqual(len(crashes), 3, crashes)
        for pid, line in zip(dead, crashes):
            self.assertIn(f"pid {pid} ", line)
            self.assertIn("it died of SIGSEGV (segmentation fault) while running it", line)
        self.assertEqual(glob.glob(os.path.join(self.dir, "crashy.jugdata", "locks", "*")), [],
                         "the dead workers' last words are removed with their leases")

        # Given up: a later execute does not run it again.
        _, code, out = self.worker()
        self.assertEqual(code, 1, out)
        self.assertEqual(len(self.poison_starts()), 3)
        self.assertEqual(jugtest.status_json(self.prog, self.dir)["totals"]["failed"], 1)

        # cleanup --failed-only clears the failure and the crashes...
        jugtest.run([self.prog, "cleanup", "--failed-only"], self.dir, check=0)
        self.assertEqual(self.crash_files(), [])
        st = jugtest.status_json(self.prog, self.dir)
        self.assertEqual(st["failed"], [])
        self.assertEqual(st["totals"]["failed"], 0)
        self.assertEqual(st["totals"]["ready"], 1)
        # ...so that it runs again: cured, it and its dependent finish.
        _, code, out = self.worker(env=dict(self.env, JUG_TEST_CURE="1"))
        self.assertEqual(code, 0, out)
        self.assertEqual(len(self.poison_starts()), 4)
        st = jugtest.status_json(self.prog, self.dir)
        self.assertEqual(st["totals"]["finished"], 22)
        self.assertEqual(self.crash_files(), [])

    def test_cleanup_gives_all_attempts_again(self):
        self.workers_until_done("--max-crashes", "2")
        self.assertEqual(len(self.poison_starts()), 2)
        jugtest.run([self.prog, "cleanup", "--failed-only"], self.dir, check=0)
        runs = self.workers_until_done("--max-crashes", "2")
        self.assertEqual([code for _, code, _ in runs], [-signal.SIGSEGV] * 2 + [1])
        self.assertEqual(len(self.poison_starts()), 4)

    def test_max_crashes_one(self):
        runs = self.workers_until_done("--max-crashes", "1")
        self.assertEqual([code for _, code, _ in runs], [-signal.SIGSEGV, 1])
        self.assertEqual(len(self.poison_starts()), 1)
        self.assertRegex(runs[-1][2], r"its worker died 1 times? ")
        self.assert_others_done()

    def test_tasks_beside_the_poison_are_not_given_up_with_it(self):
        """A worker running -j 3 dies with all three tasks: each gets a
        crash. Once a task's next crash would be its last, it runs alone, so
        the two companions that only ran beside poison finish, and poison
        alone is given up."""
        self.env["JUG_TEST_COMPANIONS"] = "1"
        runs = self.workers_until_done("-j", "3")
        report = "\n".join(o for _, _, o in runs)
        self.assertEqual(runs[-1][1], 1, report)
        self.assertEqual(len(self.poison_starts()), 3, report)
        st = jugtest.status_json(self.prog, self.dir, env=self.env)
        self.assertEqual([f["name"] for f in st["failed"]], ["poison"], report)
        companions = [r for r in st["by_name"] if r["name"] == "companion"][0]
        self.assertEqual(companions["finished"], 2, report)
        ends = [l for l in self.read_log() if l.startswith("end companion")]
        self.assertEqual(len(ends), 2, report)

    def test_concurrent_workers_count_each_crash_once(self):
        """Three workers at a time, each replaced when it dies: poison still
        runs exactly three times, its crashes recorded once each."""
        def start():
            procs.append(subprocess.Popen(
                [self.prog, "execute", "--keep-going"], cwd=self.dir, env=self.env,
                stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True))

        procs = []
        for _ in range(3):
            start()
        replaced = set()
        deadline = time.monotonic() + 120
        while True:
            self.assertLess(time.monotonic(), deadline, "the workers did not finish")
            # Replaced before asking whether any is alive: all three may die
            # before the first look.
            for p in list(procs):
                if p.poll() == -signal.SIGSEGV and p.pid not in replaced:
                    replaced.add(p.pid)
                    self.assertLess(len(procs), 15, "too many workers died")
                    start()
            if all(p.poll() is not None for p in procs):
                break
            time.sleep(0.05)
        outputs = [p.communicate()[0] for p in procs]
        codes = [p.returncode for p in procs]
        report = f"exit codes {codes}\n" + "\n".join(outputs)
        self.assertEqual(len(self.poison_starts()), 3, "poison ran once per crash allowed; "
                         + report)
        self.assertEqual(codes.count(-signal.SIGSEGV), 3, report)
        self.assert_others_done()
        st = jugtest.status_json(self.prog, self.dir)
        self.assertEqual([f["name"] for f in st["failed"]], ["poison"])
        self.assertEqual(st["totals"]["finished"], 20)
        with open(self.crash_files()[0]) as f:
            self.assertEqual(len(f.read().splitlines()), 3)
        taken = [m for out in outputs for m in TAKING_OVER.findall(out)]
        self.assertEqual(len(taken), 3, "each dead worker's lease broken once")


class SameHostTakeover(jugtest.ScratchTest):
    """A worker SIGKILLed in a long task: status does not count the task as
    running but lists it as abandoned, and the next worker takes it over."""

    def setUp(self):
        super().setUp()
        self.prog = self.program("long_task")
        self.gate = os.path.join(self.dir, "gate")
        self.env = dict(os.environ, JUG_TEST_LOG=self.log, JUG_TEST_GATE=self.gate)
        self.jugdir = os.path.join(self.dir, "long_task.jugdata")

    def start_worker(self):
        return subprocess.Popen([self.prog, "execute"], cwd=self.dir, env=self.env,
                                stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)

    def started_by(self, proc):
        return f"start linger {proc.pid}" in self.read_log()

    def kill_in_linger(self):
        """A worker killed in the middle of `linger`; returns its pid."""
        first = self.start_worker()
        wait_for(lambda: self.started_by(first), "the first worker to start linger")
        st = jugtest.status_json(self.prog, self.dir)
        self.assertEqual(st["totals"]["running"], 1)
        self.assertEqual(st["abandoned"], [])
        first.kill()
        first.communicate(timeout=30)  # reaped: a zombie still exists
        self.assertEqual(first.returncode, -signal.SIGKILL)
        # SIGKILL leaves the lease behind.
        self.assertEqual(len(glob.glob(os.path.join(self.jugdir, "locks", "*.lock"))), 1)
        return first.pid

    def crash_lines(self):
        files = glob.glob(os.path.join(self.jugdir, "crashes", "*"))
        if not files:
            return []
        self.assertEqual(len(files), 1)
        with open(files[0]) as f:
            return f.read().splitlines()

    def assert_abandoned_by(self, pid):
        st = jugtest.status_json(self.prog, self.dir)
        self.assertEqual(st["totals"]["running"], 0)
        self.assertEqual(st["totals"]["ready"], 1)
        self.assertEqual([a["name"] for a in st["abandoned"]], ["linger"])
        self.assertIn(f"pid {pid} ", st["abandoned"][0]["why"])
        self.assertIn("no longer exists", st["abandoned"][0]["why"])
        p = jugtest.run([self.prog, "status"], self.dir, check=0)
        self.assertIn("Tasks left by workers that are gone", p.stdout)
        self.assertIn("linger", p.stdout.split("Tasks left by workers that are gone")[1])

    def finish_takeover(self, second, dead_pid):
        """`second` has taken linger over: one crash recorded while it runs;
        opened, the gate lets it finish, and the crash is cleared."""
        wait_for(lambda: self.started_by(second), "the second worker to start linger")
        lines = self.crash_lines()
        self.assertEqual(len(lines), 1, lines)
        self.assertIn(f"pid {dead_pid} ", lines[0])
        st = jugtest.status_json(self.prog, self.dir)
        self.assertEqual(st["totals"]["running"], 1)
        self.assertEqual(st["abandoned"], [])
        open(self.gate, "w").close()
        out, _ = second.communicate(timeout=120)
        self.assertEqual(second.returncode, 0, out)
        self.assertIn(f"Taking over task linger", out)
        self.assertIn(f"its worker (pid {dead_pid} on", out)
        # A waiting worker may look before the test has reaped the killed
        # one: a zombie is judged exited.
        self.assertRegex(out, r"no longer exists|has exited")
        st = jugtest.status_json(self.prog, self.dir)
        self.assertEqual(st["totals"]["finished"], 2)
        self.assertEqual(st["abandoned"], [])
        self.assertEqual(self.crash_lines(), [], "the crash is cleared once the task succeeded")
        self.assertEqual(glob.glob(os.path.join(self.jugdir, "locks", "*")), [])
        starts = [l for l in self.read_log() if l.startswith("start linger ")]
        ends = [l for l in self.read_log() if l.startswith("end linger ")]
        self.assertEqual(starts, [f"start linger {dead_pid}", f"start linger {second.pid}"])
        self.assertEqual(ends, [f"end linger {second.pid}"])

    def test_status_and_takeover_by_a_new_worker(self):
        dead = self.kill_in_linger()
        self.assert_abandoned_by(dead)
        # Nothing recorded yet: the crash is recorded by whoever takes over.
        self.assertEqual(self.crash_lines(), [])
        self.finish_takeover(self.start_worker(), dead)

    def test_a_worker_in_a_batch_job_is_named_with_its_job(self):
        """A user told that a worker died learns which batch job it was."""
        self.env["SLURM_JOB_ID"] = "4242"  # the first worker only
        dead = self.kill_in_linger()
        del self.env["SLURM_JOB_ID"]
        st = jugtest.status_json(self.prog, self.dir)
        self.assertIn(f"pid {dead} on ", st["abandoned"][0]["why"])
        self.assertIn(", SLURM job 4242)", st["abandoned"][0]["why"])
        second = self.start_worker()
        wait_for(lambda: self.started_by(second), "the second worker to start linger")
        self.assertIn("SLURM job 4242", self.crash_lines()[0])
        open(self.gate, "w").close()
        out, _ = second.communicate(timeout=120)
        self.assertEqual(second.returncode, 0, out)
        self.assertIn(", SLURM job 4242) no longer exists", out)

    def kill_the_holder_of_a_waiting_worker(self, made_way):
        """A worker with nothing to do but wait for the lease of another one
        takes the task over once that other worker is killed; with
        `made_way`, killed once it has given up its lone lease for lock
        files (else at any moment, before or after)."""
        first = self.start_worker()
        wait_for(lambda: self.started_by(first), "the first worker to start linger")
        second = self.start_worker()
        # Waiting: it watches locks/ (inotify) only when it has nothing to
        # do but wait for other workers' leases.
        def waiting():
            if second.poll() is not None:
                self.fail("the second worker did not wait:\n" + second.communicate()[0])
            return watches_with_inotify(second.pid)

        wait_for(waiting, "the second worker to wait")
        if made_way:
            # The first has turned its lone lease into lock files and left
            # its marker: the second removes it with the lease it breaks.
            wait_for(lambda: glob.glob(os.path.join(self.jugdir, "locks",
                                                    f"worker.{first.pid}.*.worker")),
                     "the first worker to make way")
        first.kill()
        first.communicate(timeout=30)
        self.finish_takeover(second, first.pid)

    def test_waiting_worker_takes_over_when_the_holder_dies(self):
        """A worker with nothing to do but wait for the lease of another one
        takes the task over once that other worker is killed."""
        self.kill_the_holder_of_a_waiting_worker(made_way=False)

    def test_a_worker_killed_after_making_way_leaves_nothing_behind(self):
        self.kill_the_holder_of_a_waiting_worker(made_way=True)


if __name__ == "__main__":
    jugtest.main()
