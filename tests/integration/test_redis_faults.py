"""The Redis store when the server goes away under running workers
(docs/redis.md, reconnecting): redis-server SIGKILLed mid-run and started
again with its AOF, killed for good, started again with its data lost; and
--reconnect-time on the command line.

Workers are the torture jugfile (jugfiles/torture.cpp): N tasks `work(i)` of
0-20 ms, sums over blocks of 100 and a total, each logging its start and end
with the worker's number, so that the test knows every run of every task."""

import collections
import os
import re
import shutil
import subprocess
import time

import jugtest
from redis_server import RedisServer

# "... at redis://127.0.0.1:PORT/0 while waiting for a reply: Connection reset
# by peer; reconnecting ...": the URL, what the worker was doing, the cause.
LOST = re.compile(r"^jug: lost the connection to the Redis store at (\S+)[ :].*; reconnecting "
                  r"for up to (\d+) s \(--reconnect-time\)$", re.M)
RECONNECTED = re.compile(r"^jug: reconnected to the Redis store at (\S+) after ([\d.]+) s$", re.M)


def processes_in(directory):
    """Pids of the processes whose working directory is `directory` (the
    workers run in the test's scratch directory)."""
    pids = []
    for entry in os.listdir("/proc"):
        if not entry.isdigit():
            continue
        try:
            if os.readlink(f"/proc/{entry}/cwd") == directory:
                pids.append(int(entry))
        except OSError:
            pass  # gone meanwhile, or not ours to look at
    return pids


class Worker:
    """An `execute` of the torture jugfile, its stdout and stderr in files."""

    def __init__(self, test, number, args):
        self.number = number  # JUG_TEST_WORKER
        self.out_path = os.path.join(test.dir, f"worker{number}.out")
        self.err_path = os.path.join(test.dir, f"worker{number}.err")
        env = dict(os.environ, JUG_TEST_LOG=test.log, JUG_TEST_WORKER=str(number))
        with open(self.out_path, "w") as out, open(self.err_path, "w") as err:
            self.proc = subprocess.Popen([test.prog, "execute", *args], cwd=test.dir, env=env,
                                         stdout=out, stderr=err)
        self.ended_at = None  # time.monotonic() when seen exited

    def poll(self):
        if self.ended_at is None and self.proc.poll() is not None:
            self.ended_at = time.monotonic()
        return self.proc.returncode

    def stdout(self):
        with open(self.out_path) as f:
            return f.read()

    def stderr(self):
        with open(self.err_path) as f:
            return f.read()

    def report(self):
        return (f"worker {self.number} (pid {self.proc.pid}, exit {self.proc.returncode})\n"
                f"--- stdout\n{self.stdout()}--- stderr\n{self.stderr()}")


class RedisFaults(jugtest.ScratchTest):
    N = 400
    BLOCK = 100

    def setUp(self):
        super().setUp()
        self.prog = self.program("torture")
        self.blocks = (self.N + self.BLOCK - 1) // self.BLOCK
        self.total_tasks = self.N + self.blocks + 1
        self.workers = []
        self.addCleanup(self.stop_workers)

    def stop_workers(self):
        """Whatever a failed test left running, killed by pid."""
        for w in self.workers:
            if w.proc.poll() is None:
                w.proc.kill()
                w.proc.wait()

    def start_redis(self, *args):
        server = RedisServer(args=args)
        self.addCleanup(server.remove)
        self.jugdir = ["--jugdir", server.url()]
        return server

    def start_worker(self, *args):
        w = Worker(self, len(self.workers) + 1, [*args, *self.jugdir, "--", str(self.N)])
        self.workers.append(w)
        return w

    def ends(self):
        return sum(1 for line in self.read_log() if line.startswith("end "))

    def wait_for_ends(self, count, timeout=60):
        """Until `count` task runs have ended; fails if the workers all stop
        first."""
        deadline = time.monotonic() + timeout
        while self.ends() < count:
            self.assertLess(time.monotonic(), deadline, f"{count} tasks did not end in time")
            if all(w.poll() is not None for w in self.workers):
                self.fail("the workers stopped before the server was touched:\n"
                          + "\n".join(w.report() for w in self.workers))
            time.sleep(0.005)

    def wait_for_workers(self, timeout):
        deadline = time.monotonic() + timeout
        while any(w.poll() is None for w in self.workers):
            if time.monotonic() > deadline:
                self.fail(f"workers still running after {timeout} s:\n"
                          + "\n".join(w.report() for w in self.workers))
            time.sleep(0.02)

    def expected_values(self):
        expected = {f"w{i}": i * i + 1 for i in range(self.N)}
        for b in range(self.blocks):
            expected[f"b{b}"] = sum(
                i * i + 1 for i in range(b * self.BLOCK, min(self.N, (b + 1) * self.BLOCK)))
        expected["total"] = sum(i * i + 1 for i in range(self.N))
        return expected

    def assert_all_finished_and_right(self):
        """status: every task finished, none failed, running or abandoned;
        every stored value right (read back by `status -- N check`)."""
        st = jugtest.status_json(self.prog, self.dir, [*self.jugdir, "--", str(self.N)])
        self.assertEqual(st["tasks"], self.total_tasks)
        self.assertEqual(st["totals"], {"waiting": 0, "ready": 0, "running": 0,
                                        "finished": self.total_tasks, "failed": 0})
        self.assertEqual(st["abandoned"], [])
        p = jugtest.run([self.prog, "status", "--short", *self.jugdir, "--", str(self.N),
                         "check"], self.dir, check=0)
        values = {}
        for line in p.stdout.splitlines():
            fields = line.split()
            if fields and fields[0] in ("w", "b", "total"):
                values["".join(fields[:-2])] = int(fields[-2])  # w17, b3, total
        self.assertEqual(values, self.expected_values())
        jugtest.run([self.prog, "check", *self.jugdir, "--", str(self.N)], self.dir, check=0)

    def runs(self):
        """(key, worker) -> [start ns, end ns or None], from the log; every
        task has at least one run, none starts or ends twice in a worker."""
        runs = {}
        for line in self.read_log():
            what, key, _pid, worker, ns = line.split()
            run = runs.setdefault((key, int(worker)), [None, None])
            if what == "start":
                self.assertIsNone(run[0], f"worker {worker} started {key} twice")
                run[0] = int(ns)
            else:
                self.assertIsNotNone(run[0], f"{key} ended in worker {worker} without a start")
                self.assertIsNone(run[1], f"{key} ended twice in worker {worker}")
                run[1] = int(ns)
        self.assertEqual({key for key, _ in runs}, set(self.expected_values()), "every task ran")
        return runs

    def explain_missing(self, killed_at, up_at):
        """Which results are missing, and the runs of those tasks and of the
        blocks that read them: one more worker runs exactly the tasks whose
        result is missing (logged as worker 99)."""
        env = dict(os.environ, JUG_TEST_LOG=self.log, JUG_TEST_WORKER="99")
        p = subprocess.run([self.prog, "execute", *self.jugdir, "--", str(self.N)], cwd=self.dir,
                           env=env, capture_output=True, text=True, timeout=120)
        runs = collections.defaultdict(list)
        for line in self.read_log():
            what, key, _pid, worker, ns = line.split()
            t = (int(ns) - killed_at) / 1e9
            runs[key].append(f"{what}@{t:+.3f}s(w{worker})")
        missing = sorted({key for what, key, _p, worker, _n in
                          (line.split() for line in self.read_log())
                          if worker == "99" and what == "start"},
                         key=lambda k: (k[0], int(k[1:]) if k[1:].isdigit() else 0))
        lines = [f"server killed at +0 s, up again at +{(up_at - killed_at) / 1e9:.3f} s; "
                 f"a further execute ran {len(missing)} tasks (exit {p.returncode}), those "
                 "whose results were missing; their runs (time from the kill, worker):"]
        blocks = set()
        for key in missing:
            lines.append(f"  {key}: {' '.join(runs[key])}")
            if key.startswith("w"):
                blocks.add(f"b{int(key[1:]) // self.BLOCK}")
        for key in sorted(blocks) + ["total"]:
            lines.append(f"  reader {key}: {' '.join(runs[key])}")
        return "\n".join(lines)

    # ---- 1. killed and restarted with its AOF ----------------------------------

    def test_server_killed_and_restarted_with_its_aof_loses_nothing(self):
        """kill -9 of redis-server mid-run, started again on the same port
        1.5 s later, twice (at a quarter and at three fifths of the run):
        the workers wait, reconnect, and finish, as if nothing happened.

        appendfsync always: redis-server writes and fsyncs its AOF before it
        sends any reply (beforeSleep flushes the AOF, then writes replies),
        so a write it acknowledged survives kill -9, and a power cut too.
        With everysec, the default, kill -9 alone loses what reached
        write(2) only rarely (a write postponed, up to 2 s, while a slow
        fsync runs, is acknowledged all the same), and a power cut loses up
        to a second of writes: the exact guarantee below is for `always`.

        What is asserted, and why it is exact: the workers are not killed,
        so every store call the outage interrupted is sent again after the
        reconnect, and each is safe to send twice (a lease taken again by
        its owner counts as taken; a result stored again is the same bytes;
        a lease already given back is not given back twice). No write the
        server acknowledged is lost, and one it did not acknowledge is sent
        again by a worker that is still there: a worker's lease is still its
        own after the restart, and a result it stored is still there. So no
        task may run twice, concurrently or not: every task started and
        ended exactly once, and the executed counts of the workers add up
        to the number of tasks. (A task runs again only where its result
        was lost: its worker was killed too, which test_redis_torture
        covers, or the server lost acknowledged writes, which
        test_server_restarted_without_its_data_* covers.)"""
        server = self.start_redis("--appendonly", "yes", "--appendfsync", "always")
        workers = [self.start_worker("-j", "2"), self.start_worker(), self.start_worker()]
        outages = []  # (killed, up again), time.monotonic_ns()
        for share in (0.25, 0.6):
            self.wait_for_ends(int(self.total_tasks * share))
            killed_at = time.monotonic_ns()
            server.kill()
            time.sleep(1.5)
            server.start()  # answers PING only once its AOF is read back
            outages.append((killed_at, time.monotonic_ns()))
        self.assertLess(self.ends(), self.total_tasks, "the run ended during the outages")
        self.wait_for_workers(120)
        done_at = time.monotonic_ns()
        report = "\n".join(w.report() for w in workers)
        for w in workers:
            self.assertEqual(w.proc.returncode, 0, report)

        # Each worker said that it lost the server and that it got it back,
        # naming it, once per outage it met: every worker had tasks left at
        # the first kill; one whose backoff pause outlasted the server's
        # short time up between the kills (others may run 100 tasks then)
        # meets both as one. It says nothing else on stderr.
        url = f"redis://127.0.0.1:{server.port}/0"
        for w in workers:
            err = w.stderr()
            lines = err.splitlines()
            self.assertIn(len(lines), range(2, 2 * len(outages) + 1, 2), report)
            for lost, back in zip(lines[::2], lines[1::2]):
                self.assertEqual(LOST.findall(lost), [(url, "300")], report)
                reconnected = RECONNECTED.findall(back)
                self.assertEqual(len(reconnected), 1, report)
                self.assertEqual(reconnected[0][0], url)
                self.assertLess(float(reconnected[0][1]), (done_at - outages[0][0]) / 1e9, report)

        self.assert_all_finished_and_right()

        runs = self.runs()
        per_key = collections.defaultdict(list)
        for (key, worker), (start, end) in runs.items():
            self.assertIsNotNone(end, f"{key} started in worker {worker} and never ended")
            per_key[key].append((start, end, worker))
        twice = {key: sorted(r) for key, r in per_key.items() if len(r) > 1}
        self.assertEqual(twice, {}, f"tasks run more than once: (start, end, worker); outages "
                                    f"(killed, up again) {outages}, CLOCK_MONOTONIC ns")
        executed = [jugtest.executed_count(w.stdout()) for w in workers]
        self.assertEqual(sum(executed), self.total_tasks, executed)
        # The outages were mid-run: tasks started before each kill and
        # after each restart.
        starts = sorted(s for s, _, _ in sum(per_key.values(), []))
        for killed_at, up_at in outages:
            self.assertTrue(starts[0] < killed_at < up_at < starts[-1], (killed_at, up_at))
        # Nothing is left behind in the server: no lease, failure or crash.
        self.assertEqual(int(server.cli("SCARD", "jug:results")), self.total_tasks)
        for index in ("jug:leases", "jug:failures", "jug:crashed"):
            self.assertEqual(server.cli("SMEMBERS", index).split(), [], index)

    # ---- 2. killed for good --------------------------------------------------

    def test_server_gone_for_good_stops_the_workers_after_reconnect_time(self):
        """redis-server killed mid-run and never started again: workers
        given --reconnect-time 3 (both forms) say they lost it, then stop
        by themselves, exit 1, naming the server, that they gave up and why;
        nothing of theirs is left running."""
        reconnect_time = 3
        server = self.start_redis()
        workers = [self.start_worker("-j", "2", "--reconnect-time", str(reconnect_time)),
                   self.start_worker(f"--reconnect-time={reconnect_time}")]
        self.wait_for_ends(self.N // 4)
        server.kill()
        killed_at = time.monotonic()
        self.wait_for_workers(60)
        # Nothing is left running: no worker, nothing a worker started.
        self.assertEqual(processes_in(os.path.realpath(self.dir)), [])
        url = f"redis://127.0.0.1:{server.port}/0"
        budget_problems = []
        for w in workers:
            lasted = w.ended_at - killed_at
            report = w.report() + f"(exited {lasted:.2f} s after the kill)\n"
            self.assertEqual(w.proc.returncode, 1, report)
            self.assertLess(lasted, 20, report)
            err = w.stderr()
            self.assertEqual(LOST.findall(err), [(url, str(reconnect_time))], report)
            self.assertEqual(RECONNECTED.findall(err), [], report)
            gave_up = [line for line in err.splitlines() if "gave up reconnecting" in line]
            self.assertTrue(gave_up, report)
            self.assertIn(url, gave_up[0], report)
            self.assertRegex(gave_up[0], r"gave up reconnecting after \d+ s \(--reconnect-time\)",
                             report)
            self.assertIn("connection refused", gave_up[0], report)  # the cause
            # The budget is the worker's: it reconnects for all of it, the
            # last attempt at its end (not up to a backoff pause, 2 s,
            # before), and then stops, rather than spend it again on each
            # call that follows (giving back its lease, looking whether the
            # result got stored).
            if f"gave up reconnecting after {reconnect_time} s" not in gave_up[0]:
                budget_problems.append(f"worker {w.number} says it gave up before "
                                       f"--reconnect-time {reconnect_time} was spent:\n"
                                       + report)
            if not reconnect_time - 0.05 <= lasted <= reconnect_time + 2:
                budget_problems.append(f"worker {w.number} stopped {lasted:.2f} s after the "
                                       f"kill, not about {reconnect_time} s:\n" + report)
        if budget_problems:
            self.fail("\n".join(budget_problems))

    # ---- 3. the option -------------------------------------------------------

    def test_reconnect_time_on_the_command_line(self):
        self.start_redis()
        n = ["--", "5"]
        # Both forms, on every subcommand.
        for form in (["--reconnect-time", "2"], ["--reconnect-time=2"], ["--reconnect-time=0.5"]):
            for sub, extra in (("execute", []), ("status", ["--short"]), ("check", []),
                               ("sleep-until", []), ("count", []),
                               ("invalidate", ["--target", "total"]), ("cleanup", [])):
                jugtest.run([self.prog, sub, *extra, *form, *self.jugdir, *n], self.dir,
                            env={"JUG_TEST_LOG": self.log}, check=0)
        p = jugtest.run([self.prog, "status", "--short", "--reconnect-time", "2", *self.jugdir,
                         *n], self.dir, check=0)
        self.assertIn("tasks finished", p.stdout)

        # Bad values: one clear line, exit 2, before the store is touched.
        for bad, says in ((["--reconnect-time", "abc"], "'abc' is not a number"),
                          (["--reconnect-time=abc"], "'abc' is not a number"),
                          (["--reconnect-time", "-1"], "got -1"),
                          (["--reconnect-time=-5"], "got -5"),
                          (["--reconnect-time", "0"], "got 0")):
            for sub in ("execute", "status"):
                p = jugtest.run([self.prog, sub, *bad, *self.jugdir, *n], self.dir, check=2)
                self.assertIn("--reconnect-time must be a positive number of seconds", p.stderr)
                self.assertIn(says, p.stderr)
                self.assertEqual(p.stdout, "")
        # A missing value says so.
        p = jugtest.run([self.prog, "status", *self.jugdir, "--reconnect-time"], self.dir, check=2)
        self.assertIn("--reconnect-time", p.stderr)

    def test_a_huge_reconnect_time_means_a_long_one(self):
        """`--reconnect-time 1e10` (what one may type for "for ever"): either
        refused as a usage error, or the workers do keep reconnecting."""
        server = self.start_redis("--appendonly", "yes")
        p = jugtest.run([self.prog, "status", "--short", "--reconnect-time", "1e10",
                         *self.jugdir, "--", str(self.N)], self.dir)
        if p.returncode == 2:
            self.assertIn("--reconnect-time", p.stderr)
            return
        self.assertEqual(p.returncode, 0, p.stderr)
        worker = self.start_worker("--reconnect-time", "1e10")
        self.wait_for_ends(self.N // 4)
        server.kill()
        time.sleep(1.5)
        self.assertIsNone(worker.poll(), "gave up at once:\n" + worker.report())
        server.start()
        self.wait_for_workers(120)
        self.assertEqual(worker.proc.returncode, 0, worker.report())
        self.assertEqual(len(RECONNECTED.findall(worker.stderr())), 1, worker.report())

    def test_reconnect_time_through_the_jug_command(self):
        """`jug SUBCOMMAND --reconnect-time 2 ...`: the jug command passes
        the option and its value to the jugfile, in both forms."""
        server = self.start_redis()
        shutil.copy(os.path.join(jugtest.SOURCE_DIR, "examples", "intro", "jugfile.cpp"),
                    self.dir)
        env = {"JUG_CACHE_DIR": jugtest.SHARED_CACHE}
        jugdir = "--jugdir=" + server.url()
        for form in (["--reconnect-time=2"], ["--reconnect-time", "2"]):
            p = jugtest.run([jugtest.JUG, "status", "--short", *form, jugdir], self.dir, env=env)
            self.assertEqual(p.returncode, 0, f"{form}:\n{p.stdout}{p.stderr}")
            self.assertIn("0 of 6 tasks finished", p.stdout)
        p = jugtest.run([jugtest.JUG, "status", "--reconnect-time", "abc", jugdir], self.dir,
                        env=env, check=2)
        self.assertIn("--reconnect-time must be a positive number of seconds", p.stderr)

    # ---- 4. restarted without its data ---------------------------------------

    def test_server_restarted_without_its_data_the_workers_redo_what_was_lost(self):
        """The harshest form of "a task whose result was not stored runs
        again": redis-server, without persistence, killed mid-run and started
        again empty. Results, leases and the index are all gone; the workers
        must neither crash nor finish believing lost results stored, and
        in the end every result is there and right. Tasks may run twice
        here, even at once (a lease lost with the data no longer keeps
        another worker off): nothing is asserted about runs but that every
        task ended at least once."""
        server = self.start_redis()
        workers = [self.start_worker("-j", "2"), self.start_worker(), self.start_worker()]
        self.wait_for_ends(self.N // 2)
        killed_at = time.monotonic_ns()
        server.kill()
        time.sleep(0.5)
        server.start()
        up_at = time.monotonic_ns()
        self.wait_for_workers(120)
        report = "\n".join(w.report() for w in workers)
        url = f"redis://127.0.0.1:{server.port}/0"
        for w in workers:
            self.assertEqual(w.proc.returncode, 0, report)
            err = w.stderr()
            # Told at the start that a restart loses everything; then told
            # of the outage.
            self.assertIn(f"the Redis store at {url} keeps results only in memory", err, report)
            self.assertEqual(len(LOST.findall(err)), 1, report)
            self.assertEqual(len(RECONNECTED.findall(err)), 1, report)
        st = jugtest.status_json(self.prog, self.dir, [*self.jugdir, "--", str(self.N)])
        if st["totals"]["finished"] != self.total_tasks:
            self.fail(f"the workers all ended (exit 0), but status says {st['totals']}:\n"
                      + self.explain_missing(killed_at, up_at) + "\n" + report)
        self.assert_all_finished_and_right()
        ended = {line.split()[1] for line in self.read_log() if line.startswith("end ")}
        self.assertEqual(ended, set(self.expected_values()), "every task ended at least once")


if __name__ == "__main__":
    jugtest.main()
