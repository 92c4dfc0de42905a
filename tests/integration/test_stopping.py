"""Stopping a worker cleanly: the stop file, JUG_MAX_TASKS, JUG_MAX_SECONDS,
JUG_EXIT_IF_FILE_EXISTS, --no-check-environment, SIGTERM and SIGINT. A
stopped worker finishes and stores the tasks it is running, releases its
leases, and a later execute does the rest, each task once in all."""

import glob
import os
import select
import signal
import subprocess
import time

import jugtest


class Stopping(jugtest.ScratchTest):
    def execute(self, *args, env=None, check=None):
        e = {"JUG_TEST_LOG": self.log}
        e.update(env or {})
        return jugtest.run([self.program("sleepy"), "execute", *args], self.dir, env=e,
                           check=check)

    def finished(self, *args):
        return jugtest.status_json(self.program("sleepy"), self.dir, args)["totals"]["finished"]

    def assert_each_task_ran_once_in_all(self, n):
        ends = [l.split()[1] for l in self.read_log() if l.startswith("end ")]
        self.assertEqual(sorted(ends, key=int), [str(i) for i in range(n)])

    def test_stop_file_stops_before_any_task(self):
        open(os.path.join(self.dir, "__jug_please_stop_running.txt"), "w").close()
        p = self.execute("--", "5", "1", check=0)
        self.assertEqual(jugtest.executed_count(p.stdout), 0)
        self.assertIn("found __jug_please_stop_running.txt", p.stdout)

    def test_max_tasks(self):
        p = self.execute("--", "10", "1", env={"JUG_MAX_TASKS": "4"}, check=0)
        self.assertEqual(jugtest.executed_count(p.stdout), 4)
        self.assertIn("JUG_MAX_TASKS", p.stdout)
        p = self.execute("--no-check-environment", "--", "10", "1", env={"JUG_MAX_TASKS": "4"},
                         check=0)
        self.assertEqual(jugtest.executed_count(p.stdout), 6)
        self.assert_each_task_ran_once_in_all(10)

    def test_max_seconds_add_up(self):
        # 0.2 s in all: 50 tasks of 20 ms cannot all run.
        p = self.execute("--", "50", "20",
                         env={"JUG_MAX_SECONDS": "0.1", "JUG_MAX_MINUTES": "0.001666"}, check=0)
        ran = jugtest.executed_count(p.stdout)
        self.assertGreater(ran, 0)
        self.assertLess(ran, 50)
        self.assertEqual(self.finished("--", "50", "20"), ran)

    def test_exit_if_file_exists(self):
        marker = os.path.join(self.dir, "enough")
        open(marker, "w").close()
        p = self.execute("--", "5", "1", env={"JUG_EXIT_IF_FILE_EXISTS": marker}, check=0)
        self.assertEqual(jugtest.executed_count(p.stdout), 0)
        self.assertIn("JUG_EXIT_IF_FILE_EXISTS", p.stdout)

    def test_malformed_limit_is_an_error(self):
        p = self.execute("--", "5", "1", env={"JUG_MAX_TASKS": "many"})
        self.assertEqual(p.returncode, 1)
        self.assertIn("JUG_MAX_TASKS=many", p.stderr)

    def wait_for_log(self, prefix, timeout=60):
        """Waits until the workers have logged a line starting with `prefix`,
        so that a signal arrives mid-run however slow the machine is."""
        deadline = time.monotonic() + timeout
        while not any(l.startswith(prefix) for l in self.read_log()):
            self.assertLess(time.monotonic(), deadline, f"no '{prefix}' line in the log")
            time.sleep(0.02)

    def interrupt(self, sig, jobs="1"):
        env = dict(os.environ, JUG_TEST_LOG=self.log)
        worker = subprocess.Popen([self.program("sleepy"), "execute", "-j", jobs, "--", "20",
                                   "200"], cwd=self.dir, env=env, stdout=subprocess.PIPE,
                                  stderr=subprocess.PIPE, text=True)
        self.wait_for_log("end ")
        worker.send_signal(sig)
        out, err = worker.communicate(timeout=30)
        return worker.returncode, out, err

    def test_sigterm_finishes_the_running_task_and_releases_leases(self):
        code, out, err = self.interrupt(signal.SIGTERM, jobs="2")
        self.assertEqual(code, 128 + signal.SIGTERM, out + err)
        self.assertIn("received SIGTERM", out)
        ran = jugtest.executed_count(out)
        self.assertGreater(ran, 0)
        self.assertLess(ran, 20)
        starts = [l for l in self.read_log() if l.startswith("start ")]
        ends = [l for l in self.read_log() if l.startswith("end ")]
        self.assertEqual(len(starts), len(ends), "a started task was abandoned")
        self.assertEqual(self.finished("--", "20", "200"), ran)
        self.assertEqual(glob.glob(os.path.join(self.dir, "*.jugdata", "locks", "*")), [])
        self.execute("--", "20", "200", check=0)
        self.assert_each_task_ran_once_in_all(20)

    def test_sigint_stops_cleanly(self):
        code, out, err = self.interrupt(signal.SIGINT)
        self.assertEqual(code, 128 + signal.SIGINT, out + err)
        self.assertIn("received SIGINT", out)
        self.assertEqual(glob.glob(os.path.join(self.dir, "*.jugdata", "locks", "*")), [])

    def read_stderr_until(self, worker, text, timeout=10):
        """What the worker printed on stderr up to `text`, read as it comes."""
        got = b""
        deadline = time.monotonic() + timeout
        while text.encode() not in got:
            left = deadline - time.monotonic()
            self.assertGreater(left, 0, f"no '{text}' on stderr within {timeout} s: {got!r}")
            ready, _, _ = select.select([worker.stderr], [], [], left)
            if ready:
                chunk = os.read(worker.stderr.fileno(), 4096)
                self.assertTrue(chunk, f"stderr closed before '{text}': {got!r}")
                got += chunk
        return got.decode()

    def test_double_ctrl_c_says_what_happens_and_abandons_without_a_crash(self):
        env = dict(os.environ, JUG_TEST_LOG=self.log)
        prog = self.program("sleepy")
        # Three double Ctrl-Cs: a task abandoned on purpose is no crash, so
        # it is never given up as one (--max-crashes is 3).
        for round in range(3):
            starts = sum(l.startswith("start ") for l in self.read_log())
            worker = subprocess.Popen([prog, "execute", "--", "3", "30000"], cwd=self.dir,
                                      env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE)
            deadline = time.monotonic() + 60
            while sum(l.startswith("start ") for l in self.read_log()) == starts:
                self.assertLess(time.monotonic(), deadline, "the task did not start")
                time.sleep(0.02)
            start = time.monotonic()
            worker.send_signal(signal.SIGINT)
            said = self.read_stderr_until(worker, "again to abandon it")
            self.assertIn("Ctrl-C: no new task starts. Finishing the running task, nap (", said)
            self.assertIn("press Ctrl-C again", said)
            self.assertIsNone(worker.poll(), "the first Ctrl-C ended the worker")
            worker.send_signal(signal.SIGINT)
            out, err = worker.communicate(timeout=30)
            # Finishing the running task would take 30 s.
            self.assertLess(time.monotonic() - start, 15, "the second Ctrl-C did not end it")
            self.assertEqual(worker.returncode, 128 + signal.SIGINT, out + err)
            self.assertIn(b"abandoned the running task, nap (", err)
            self.assertIn(b"1 lease was given back", err)
            self.assertIn(b"not counted as a crash", err)
            self.assertEqual(glob.glob(os.path.join(self.dir, "*.jugdata", "locks", "*")), [])
            self.assertEqual(glob.glob(os.path.join(self.dir, "*.jugdata", "crashes", "*")), [])
        status = jugtest.status_json(prog, self.dir, ["--", "3", "30000"])
        self.assertEqual(status["totals"]["failed"], 0)
        self.assertEqual(status["totals"]["ready"], 3)
        self.assertEqual(status["abandoned"], [])

    def test_second_sigterm_abandons_too(self):
        env = dict(os.environ, JUG_TEST_LOG=self.log)
        worker = subprocess.Popen([self.program("sleepy"), "execute", "-j", "2", "--", "3",
                                   "30000"], cwd=self.dir, env=env, stdout=subprocess.PIPE,
                                  stderr=subprocess.PIPE)
        deadline = time.monotonic() + 60
        while sum(l.startswith("start ") for l in self.read_log()) < 2:
            self.assertLess(time.monotonic(), deadline, "the tasks did not start")
            time.sleep(0.02)
        worker.send_signal(signal.SIGTERM)
        said = self.read_stderr_until(worker, "again to abandon them")
        self.assertIn("SIGTERM: no new task starts. Finishing the 2 running tasks (nap (", said)
        worker.send_signal(signal.SIGTERM)
        out, err = worker.communicate(timeout=30)
        self.assertEqual(worker.returncode, 128 + signal.SIGTERM, out + err)
        self.assertIn(b"2 leases were given back", err)
        self.assertEqual(glob.glob(os.path.join(self.dir, "*.jugdata", "locks", "*")), [])


if __name__ == "__main__":
    jugtest.main()
