"""check, sleep-until, count, --jugdir patterns, and jug::value before a
task has run, as a user meets them."""

import os
import subprocess
import time

import jugtest
import stored_results


class Commands(jugtest.ScratchTest):
    def test_check_says_whether_everything_is_done(self):
        prog = self.program("pipeline")
        self.assertEqual(jugtest.run([prog, "check"], self.dir).returncode, 1)
        jugtest.run([prog, "execute"], self.dir, check=0)
        p = jugtest.run([prog, "check"], self.dir, check=0)
        self.assertEqual(p.stdout, "")

    def test_sleep_until_returns_when_workers_finish(self):
        prog = self.program("append_log")
        env = dict(os.environ, JUG_TEST_LOG=self.log)
        waiter = subprocess.Popen([prog, "sleep-until", "--", "60"], cwd=self.dir, env=env,
                                  stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
        time.sleep(0.5)
        self.assertIsNone(waiter.poll(), "sleep-until returned before any work was done")
        jugtest.run([prog, "execute", "--", "60"], self.dir, env={"JUG_TEST_LOG": self.log}, check=0)
        out, err = waiter.communicate(timeout=30)
        self.assertEqual(waiter.returncode, 0, out + err)

    def test_sleep_until_gives_up_when_a_needed_task_failed(self):
        prog = self.program("pipeline")
        jugtest.run([prog, "execute", "--keep-going"], self.dir, env={"JUG_TEST_FAIL": "1"})
        p = jugtest.run([prog, "sleep-until"], self.dir, timeout=30)
        self.assertEqual(p.returncode, 1)
        self.assertIn("boom was told to fail", p.stdout)

    def test_jugdir_pattern(self):
        self.program("pipeline")
        jugtest.run(["./pipeline", "execute", "--jugdir", "runs/%(jugfile)s-store"], self.dir,
                    check=0)
        store = os.path.join(self.dir, "runs", "pipeline-store")
        self.assertTrue(stored_results.stored_results(store))
        self.assertFalse(os.path.exists(os.path.join(self.dir, "pipeline.jugdata")))

    def test_status_creates_nothing(self):
        prog = self.program("pipeline")
        jugtest.run([prog, "status"], self.dir, check=0)
        self.assertFalse(os.path.exists(os.path.join(self.dir, "pipeline.jugdata")))

    def test_count(self):
        p = jugtest.run([self.program("pipeline"), "count", "--", "3"], self.dir, check=0)
        lines = [l.split() for l in p.stdout.splitlines()]
        self.assertIn(["3", "load"], lines)
        self.assertIn(["10", "Total"], lines)

    def test_value_of_a_task_not_yet_run_is_a_clear_error(self):
        prog = self.program("append_log")
        p = jugtest.run([prog, "status", "--", "3", "value"], self.dir)
        self.assertEqual(p.returncode, 1)
        self.assertIn("before that task has run", p.stderr)
        self.assertIn("jug::bvalue", p.stderr)
        jugtest.run([prog, "execute", "--", "3"], self.dir, env={"JUG_TEST_LOG": self.log}, check=0)
        p = jugtest.run([prog, "status", "--short", "--", "3", "value"], self.dir, check=0)
        self.assertIn("sum = 9", p.stdout)


if __name__ == "__main__":
    jugtest.main()
