"""The exit status of jug execute and jug status in each way a run ends short
(issue 22), and that what they print says what happened and what to do:
- execute gives up waiting on a task a live worker on another machine holds;
- execute --keep-failed leaves a task that failed before failed, and a plain
  execute retries it (0 once it succeeds);
- a task another worker failed during this run is not retried in it;
- a graph stopped at a barrier by a failure before it, with and without a
  --target of tasks before the barrier that are done;
- a task that failed before the worker was stopped by SIGTERM, or by
  JUG_EXIT_IF_FILE_EXISTS: the failure decides (1), not the stop;
- a store that cannot be read, in each way the file store refuses one;
- a store whose results cannot be made durable once every task is done
  (syncfs fails, by strace's fault injection);
- a jugfile that throws while building its tasks.
Checked elsewhere: check (test_commands, test_dynamic_graphs), sleep-until
giving up on failed tasks (the same), a stop by SIGTERM or SIGINT, 128 + the
signal (test_stopping)."""

import glob
import os
import signal
import subprocess
import time
import unittest

import jugtest

FAILED = 1


class ExitCodes(jugtest.ScratchTest):
    def setUp(self):
        super().setUp()
        self.prog = self.program("exit_codes")
        self.store = os.path.join(self.dir, "exit_codes.jugdata")

    def jug(self, *args, env=None, check=None):
        return jugtest.run([self.prog, *args], self.dir,
                           env={"JUG_TEST_LOG": self.log, **(env or {})}, check=check)

    def start_worker(self, *args, **env):
        """`execute` in the background, logging to the test's log."""
        return subprocess.Popen([self.prog, "execute", *args], cwd=self.dir,
                                env=dict(os.environ, JUG_TEST_LOG=self.log, **env),
                                stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)

    def assert_exits(self, p, code):
        self.assertEqual(p.returncode, code, f"--- stdout\n{p.stdout}\n--- stderr\n{p.stderr}")

    def fail_flaky(self):
        """A run in which flaky fails (after hold is done)."""
        p = self.jug("execute", env={"JUG_TEST_FAIL": "1"}, check=FAILED)
        self.assertIn("1 task failed:", p.stdout)
        self.assertIn("flaky was told to fail", p.stdout)
        os.remove(self.log)
        return p

    def hash_of(self, target):
        """The task hash of `target`, from the one result a run of it alone
        stores in a store of its own (of a file per result)."""
        probe = os.path.join(self.dir, "probe.jugdata")
        self.jug("execute", "--jugdir", probe, "--target", target, check=0,
                 env={"JUG_FILE_STORE_SEGMENTS": "0"})
        [result] = glob.glob(os.path.join(probe, "results", "*", "*"))
        os.remove(self.log)
        return os.path.basename(os.path.dirname(result)) + os.path.basename(result)

    # ---- other workers -----------------------------------------------------

    def test_gives_up_waiting_on_a_live_lease_from_another_machine(self):
        lock = os.path.join(self.store, "locks", self.hash_of("hold") + ".lock")
        os.makedirs(os.path.dirname(lock))
        with open(lock, "w") as f:  # as src/store/lease_file.cpp writes one
            f.write("jug-lease 1\nhost=elsewhere.example\npid=4242\n"
                    f"start={time.time_ns()}\nmachine=another-boot-id/4026531836\n")
        started = time.monotonic()
        p = self.jug("execute", "--wait-cycle-time", "0.1", "--nr-wait-cycles", "3")
        self.assert_exits(p, FAILED)
        self.assertLess(time.monotonic() - started, 30, "it did not give up soon")
        self.assertIn("Stopped waiting: other workers held the remaining tasks for longer "
                      "than --wait-cycle-time × --nr-wait-cycles", p.stdout)
        self.assertIn("jug status", p.stdout)  # where to see who holds them
        self.assertEqual(self.read_log(), ["flaky"])  # hold was left to its worker
        self.assertTrue(os.path.exists(lock), "the live lease was broken")
        # ... and status names that worker.
        status = jugtest.status_json(self.prog, self.dir)
        self.assertEqual([(r["name"], r["host"], r["pid"]) for r in status["running"]],
                         [("hold", "elsewhere.example", 4242)])

    def test_a_task_another_worker_failed_in_this_run_is_not_retried(self):
        # The first worker holds hold (every worker tries it first) until
        # told; meanwhile a second one takes flaky, which fails.
        release = os.path.join(self.dir, "release")
        first = self.start_worker(JUG_TEST_RELEASE=release)
        try:
            deadline = time.monotonic() + 30
            while "hold" not in self.read_log():
                self.assertLess(time.monotonic(), deadline, "the first worker never took hold")
                time.sleep(0.02)
            second = self.jug("execute", env={"JUG_TEST_FAIL": "1"}, check=FAILED)
            self.assertIn("flaky was told to fail", second.stdout)
        finally:
            open(release, "w").close()
            out, err = first.communicate(timeout=60)
        self.assertEqual(first.returncode, FAILED, f"--- stdout\n{out}\n--- stderr\n{err}")
        self.assertIn("1 task failed in another worker (not retried in this run", out)
        self.assertIn("flaky was told to fail", out)
        self.assertIn("the next jug execute retries it", out)
        self.assertEqual(self.read_log().count("flaky"), 1)  # the second worker's run only
        # As it says, the next execute retries it.
        os.remove(self.log)
        p = self.jug("execute")
        self.assert_exits(p, 0)
        self.assertEqual(self.read_log(), ["flaky", "after"])

    def test_a_failure_before_a_stop_by_signal_is_a_failure(self):
        # Two threads: hold waits for the release file, flaky fails; then
        # SIGTERM, which lets hold finish. The batch job failed (a task
        # did): 1, not the 143 of a worker stopped at its time limit.
        release = os.path.join(self.dir, "release")
        worker = self.start_worker("--jobs", "2", JUG_TEST_RELEASE=release, JUG_TEST_FAIL="1")
        try:
            deadline = time.monotonic() + 30
            while jugtest.status_json(self.prog, self.dir)["totals"]["failed"] != 1:
                self.assertLess(time.monotonic(), deadline, "flaky never failed")
                time.sleep(0.05)
            worker.send_signal(signal.SIGTERM)
            time.sleep(0.2)
        finally:
            open(release, "w").close()
            out, err = worker.communicate(timeout=60)
        self.assertEqual(worker.returncode, FAILED, f"--- stdout\n{out}\n--- stderr\n{err}")
        self.assertIn("SIGTERM: no new task starts", err)
        self.assertIn("1 task failed:", out)
        self.assertIn("flaky was told to fail", out)
        self.assertEqual(sorted(self.read_log()), ["flaky", "hold"])

    def test_a_failure_before_a_stop_by_a_stop_file_is_a_failure(self):
        # flaky fails and leaves the stop file; later, ready (--keep-going),
        # is not started.
        stop = os.path.join(self.dir, "enough")
        p = self.jug("execute", "--keep-going", "--", "later",
                     env={"JUG_TEST_FAIL": "1", "JUG_TEST_STOP_FILE": stop,
                          "JUG_EXIT_IF_FILE_EXISTS": stop})
        self.assert_exits(p, FAILED)
        self.assertIn("JUG_EXIT_IF_FILE_EXISTS", p.stdout)
        self.assertIn("1 task failed:", p.stdout)
        self.assertIn("flaky was told to fail", p.stdout)
        self.assertEqual(self.read_log(), ["hold", "flaky"])

    # ---- failures from an earlier run ---------------------------------------

    def test_keep_failed_leaves_a_failed_task_failed_and_execute_retries_it(self):
        self.fail_flaky()
        p = self.jug("execute", "--keep-failed")
        self.assert_exits(p, FAILED)
        self.assertIn("1 task was kept failed from an earlier run (--keep-failed); "
                      "`jug cleanup --failed-only` clears it.", p.stdout)
        self.assertEqual(self.read_log(), [])  # flaky was not run again

        p = self.jug("execute")  # flaky no longer fails
        self.assert_exits(p, 0)
        self.assertEqual(self.read_log(), ["flaky", "after"])
        self.assertIn("Passed the barrier", p.stdout)

    # ---- barriers ----------------------------------------------------------

    def test_a_graph_stopped_at_a_barrier(self):
        p = self.fail_flaky()
        self.assertIn("The jugfile stops at the barrier at exit_codes.cpp:", p.stdout)
        self.assertIn("the tasks after it are known once those before it are done", p.stdout)

        # Only tasks before the barrier that are done were asked for.
        p = self.jug("execute", "--target", "hold")
        self.assert_exits(p, 0)
        self.assertIn("1 of 1 done", p.stdout)
        self.assertEqual(self.read_log(), [])

        # One before it that fails again.
        p = self.jug("execute", "--target", "flaky", env={"JUG_TEST_FAIL": "1"})
        self.assert_exits(p, FAILED)
        self.assertIn("flaky was told to fail", p.stdout)

        # One after it: not known yet.
        p = self.jug("execute", "--target", "after")
        self.assert_exits(p, FAILED)
        self.assertIn("--target after matches none of the tasks known so far", p.stderr)
        self.assertIn("run jug execute without --target first", p.stderr)

    # ---- the store ---------------------------------------------------------

    def test_a_store_that_cannot_be_read(self):
        def a_file(path):
            open(path, "w").close()

        def formatted(content):
            def make(path):
                os.makedirs(path)
                with open(os.path.join(path, "jugdata-format"), "w") as f:
                    f.write(content)
            return make

        def python_jug_store(path):
            os.makedirs(os.path.join(path, "ab"))

        cases = [
            ("a file", "plain", a_file,
             ["The store directory {store} is a file, not a directory", "pass another --jugdir"]),
            ("below a file", "plain/store", lambda path: a_file(os.path.dirname(path)),
             ["cannot open the store: {store}: Not a directory",
              "is a file where jug expects a directory: remove it, or pass another --jugdir"]),
            ("a later format", "later", formatted("jug-cpp file store 4\n"),
             ["{store} holds a jug-cpp file store of format 4, but this jug reads formats 1 to 3",
              "use the jug that wrote it, or pass another --jugdir"]),
            ("another program's", "other", formatted("mystore v7\n"),
             ['{store}/jugdata-format says "mystore v7"', "Pass another --jugdir"]),
            ("Python jug's", "pyjug", python_jug_store,
             ["{store} looks like a store made by Python jug",
              "which this jug cannot read: pass another --jugdir"]),
        ]
        for i, (what, name, make, says) in enumerate(cases):
            os.makedirs(os.path.join(self.dir, f"stores-{i}"))
            store = os.path.join(self.dir, f"stores-{i}", name)
            make(store)
            for subcommand in ("execute", "status"):
                with self.subTest(what, subcommand=subcommand):
                    p = self.jug(subcommand, "--jugdir", store)
                    self.assert_exits(p, FAILED)
                    for text in says:
                        self.assertIn(text.format(store=store), p.stderr)
        self.assertEqual(self.read_log(), [])

    @unittest.skipIf(jugtest.STRACE is None, "strace is not installed (apt-get install strace)")
    @unittest.skipIf(os.geteuid() != 0, "strace's fault injection is tried as root here")
    def test_results_that_cannot_be_made_durable(self):
        # Every task done and stored, then the sync that makes them durable
        # fails: a power cut could still lose them, so the run did not
        # succeed. (A jugfile without a barrier: nothing else is left.)
        pipeline = self.program("pipeline")
        store = os.path.join(self.dir, "pipeline-store")
        p = jugtest.run_under_strace(["-o", "/dev/null", "-e", "trace=syncfs",
                                      "-e", "inject=syncfs:error=EIO"],
                                     [pipeline, "execute", "--jugdir", store], self.dir)
        self.assert_exits(p, FAILED)
        self.assertIn("12 of 12 done", p.stdout)
        self.assertIn(f"jug: cannot make the results in {store} durable: {store}: "
                      "Input/output error", p.stderr)
        self.assertIn("check the disk or the network filesystem, then run jug again", p.stderr)
        # Run again on a sound disk: nothing to compute, and success.
        p = jugtest.run([pipeline, "execute", "--jugdir", store], self.dir, check=None)
        self.assert_exits(p, 0)
        self.assertIn("12 of 12 done (12 before this run", p.stdout)

    # ---- the jugfile -------------------------------------------------------

    def test_a_jugfile_that_throws_while_building(self):
        for subcommand in ("execute", "status"):
            with self.subTest(subcommand):
                p = self.jug(subcommand, "--", "throw")
                self.assert_exits(p, FAILED)
                self.assertIn("jug: the jugfile failed while building its tasks: "
                              "std::runtime_error: the jugfile was told to throw", p.stderr)
        self.assertEqual(self.read_log(), [])


if __name__ == "__main__":
    jugtest.main()
