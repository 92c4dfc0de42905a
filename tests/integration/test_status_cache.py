"""`jug status --cache` (issue 18), as a user runs it: what it shows is what
a plain `status` shows, as tasks finish and fail, after an `invalidate` or a
`cleanup` by another process, while an `invalidate` runs and after one was
killed half-way (until `cleanup` finds it gone), on the file store and on
Redis. And it does use its cache: a result deleted by hand, outside jug,
still shows finished until `status --clear` (docs/jug-command.md says so).

The jugfile is tests/integration/jugfiles/pipeline.cpp: `-- N` makes N
load/clean pairs, a summary, a report and boom/after_boom (2N + 4 tasks)."""

import glob
import os
import signal
import subprocess
import time
import unittest

import jugtest
import stored_results
from redis_server import RedisServer

SANITIZED = os.environ.get("JUG_SANITIZED") == "1"


class StatusCache(jugtest.ScratchTest):
    n = "20"

    def setUp(self):
        super().setUp()
        self.prog = self.program("pipeline")
        self.jugdir = []

    def run_jug(self, subcommand, *args, n=None, env=None, check=0):
        return jugtest.run([self.prog, subcommand, *self.jugdir, *args, "--", n or self.n],
                           self.dir, env=env, check=check)

    def status(self, *args, n=None):
        """`status --json ARGS`, after checking that it says what a plain
        `status --json` says just after."""
        shown = self.run_jug("status", "--json", *args, n=n).stdout
        self.assertEqual(shown, self.run_jug("status", "--json", n=n).stdout,
                         f"status {' '.join(args)} differs from a plain status")
        return shown

    def cache_use(self, *args):
        """What `status --cache -v` says of its cache (its stderr line)."""
        p = self.run_jug("status", "--cache", "-v", *args)
        self.assertEqual(p.stdout, self.run_jug("status").stdout)
        lines = [line for line in p.stderr.splitlines() if "status cache" in line]
        self.assertEqual(len(lines), 1, p.stderr)
        return lines[0]

    def test_it_shows_what_status_shows_as_the_computation_goes(self):
        self.assertIn("status cache not used", self.cache_use())
        self.run_jug("execute", "--target", "load", env={"JUG_MAX_TASKS": "7"})
        self.status("--cache")
        self.assertIn("7 of 44 tasks known finished", self.cache_use())
        self.run_jug("execute", env={"JUG_TEST_FAIL": "1"}, check=1)
        shown = self.status("--cache")
        self.assertIn('"failed": 1', shown)
        self.assertIn("42 of 44 tasks known finished", self.cache_use())
        self.run_jug("execute")
        self.status("--cache")
        self.assertIn("44 of 44 tasks known finished", self.cache_use())

        # Another process removes results: every task is looked up again.
        self.run_jug("invalidate", "--target", "clean")
        self.assertIn("results were removed since", self.cache_use())
        self.assertIn("22 of 44 tasks known finished", self.cache_use())
        self.run_jug("execute")
        self.status("--cache")
        # A cleanup for a smaller graph (N=10) removes results this one uses.
        self.run_jug("cleanup", n="10")
        self.assertIn("results were removed since", self.cache_use())
        self.assertIn("of 44 tasks known finished", self.cache_use())
        self.run_jug("execute")
        self.status("--cache")
        self.assertIn("44 of 44 tasks known finished", self.cache_use())
        self.assertTrue(os.path.exists(os.path.join(self.dir, ".jugstatus.jugcache")))
        # Another graph (N=21): not this cache's, looked up, and cached anew.
        self.status("--cache", n="21")
        self.assertIn("was made for another store or graph", self.cache_use())

    def test_cache_file_names_its_file_and_clear_removes_it(self):
        self.run_jug("execute")
        mine = os.path.join(self.dir, "mine.cache")
        for args in (["--cache-file", mine], [f"--cache-file={mine}"],
                     ["--cache", "--cache-file", mine]):
            self.status(*args)
            self.assertTrue(os.path.exists(mine), args)
            p = self.run_jug("status", "--cache", "--clear", "--cache-file", mine)
            self.assertEqual(p.stdout, f"Removed the status cache {mine}.\n")
            self.assertFalse(os.path.exists(mine))
        p = self.run_jug("status", "--clear", f"--cache-file={mine}")
        self.assertEqual(p.stdout, f"There is no status cache at {mine}.\n")
        self.status("--cache")
        p = self.run_jug("status", "--clear")
        self.assertEqual(p.stdout, "Removed the status cache .jugstatus.jugcache.\n")
        self.assertFalse(os.path.exists(os.path.join(self.dir, ".jugstatus.jugcache")))

    def test_a_damaged_or_unwritable_cache_is_never_trusted_and_status_stands(self):
        self.run_jug("execute", "--target", "load")
        self.status("--cache")
        # The last byte of its bits (before an 8-byte checksum) is of the
        # last four tasks, none finished: one of them made finished.
        path = os.path.join(self.dir, ".jugstatus.jugcache")
        with open(path, "r+b") as f:
            f.seek(-9, os.SEEK_END)
            byte = f.read(1)
            self.assertEqual(byte, b"\0")
            f.seek(-9, os.SEEK_END)
            f.write(b"\1")
        self.assertIn("was made for another store or graph", self.cache_use())
        self.status("--cache")
        p = self.run_jug("status", "--cache", "--cache-file",
                         os.path.join(self.dir, "missing", "x.cache"))
        self.assertEqual(p.stdout, self.run_jug("status").stdout)
        self.assertIn("jug: warning: the status cache was not kept: cannot create", p.stderr)

    def test_a_result_deleted_by_hand_shows_finished_until_clear(self):
        self.run_jug("execute")
        self.status("--cache")
        (store,) = glob.glob(os.path.join(self.dir, "*.jugdata"))
        results = stored_results.results_list(store)
        self.assertEqual(len(results), 44)
        # The file a result is in (a segment holds many).
        os.remove(results[0].path)
        left = len(stored_results.results_list(store))
        self.assertLess(left, 44)
        plain = self.run_jug("status", "--short").stdout
        self.assertIn(f"{left} of 44 tasks finished", plain)
        p = self.run_jug("status", "--cache", "--short")
        self.assertIn("44 of 44 tasks finished", p.stdout,
                      "the cache was not used: a file deleted outside jug went unseen")
        self.run_jug("status", "--clear")
        p = self.run_jug("status", "--cache", "--short")
        self.assertEqual(p.stdout, plain)

    def test_a_killed_invalidate_keeps_the_cache_untrusted_until_cleanup(self):
        # Enough results that the invalidate is caught removing them (a
        # sanitized build removes them more slowly).
        self.n = "1000" if SANITIZED else "3000"
        self.run_jug("execute")
        self.status("--cache")
        (store,) = glob.glob(os.path.join(self.dir, "*.jugdata"))
        removals = os.path.join(store, "removals")
        invalidate = subprocess.Popen([self.prog, "invalidate", "--target", "load", "--",
                                       self.n], cwd=self.dir, stdout=subprocess.DEVNULL,
                                      stderr=subprocess.DEVNULL)
        try:
            deadline = time.monotonic() + 60
            while not glob.glob(os.path.join(removals, "removing.*")):
                self.assertIsNone(invalidate.poll(), "invalidate ended before its mark was seen")
                self.assertLess(time.monotonic(), deadline)
                time.sleep(0.0005)
            invalidate.send_signal(signal.SIGSTOP)
            # Under way: the cache is not trusted.
            self.status("--cache")
            self.assertIn(f"results are being removed, by pid {invalidate.pid} on this machine",
                          self.cache_use())
        finally:
            invalidate.kill()
            invalidate.wait()
        self.status("--cache")
        self.assertIn("gone without finishing (`jug cleanup` takes its mark away)",
                      self.cache_use())
        p = self.run_jug("cleanup")
        self.assertIn("Removed 1 file that jug processes which are gone left behind.", p.stdout)
        self.assertIn("results were removed since", self.cache_use())
        self.assertIn("tasks known finished", self.cache_use())
        self.run_jug("execute")
        self.status("--cache")
        self.run_jug("check")


@unittest.skipIf(SANITIZED, "the Redis store's removal generation is tested under a sanitizer "
                 "by the unit tests (StoreConformance), faster")
class StatusCacheOnRedis(StatusCache):
    def setUp(self):
        super().setUp()
        self.redis = RedisServer()
        self.jugdir = ["--jugdir", self.redis.url()]

    def tearDown(self):
        self.redis.remove()
        super().tearDown()

    # The file store's own tests: marks and results are files there.
    test_a_result_deleted_by_hand_shows_finished_until_clear = None
    test_a_killed_invalidate_keeps_the_cache_untrusted_until_cleanup = None

    def test_a_redis_server_that_lost_its_data_is_looked_up_again(self):
        self.run_jug("execute")
        self.status("--cache")
        self.assertIn("44 of 44 tasks known finished", self.cache_use())
        self.redis.cli("FLUSHALL")
        self.assertIn("was made for another store or graph", self.cache_use())
        self.assertIn("0 of 44 tasks known finished", self.cache_use())


if __name__ == "__main__":
    jugtest.main()
