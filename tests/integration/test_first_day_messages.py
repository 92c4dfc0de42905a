"""A new user's first day (issue 21), the messages: summaries of execute
across barriers that add up, option values and options that are wrong, a
--target behind a barrier, the stop file, and cleanup of a store that two
jugfiles share. Each through the jug command, given a built test jugfile as
FILE (as `jug execute ./analysis` runs an already built program), options
written both as `--opt VALUE` and `--opt=VALUE`."""

import os
import re
import shutil
import subprocess
import time

import jugtest
import stored_results

SUMMARY = re.compile(r"Executed (\d+) tasks? in [\d.]+ s; (\d+) of (\d+) done "
                     r"\((\d+) before this run, (\d+) by other workers\)")


def summary(stdout):
    """executed, done, selected, before, by others, from execute's summary."""
    m = SUMMARY.search(stdout)
    if not m:
        raise AssertionError("no execute summary in:\n" + stdout)
    return tuple(int(g) for g in m.groups())


class FirstDayMessages(jugtest.ScratchTest):
    def jug(self, *args, env=None, check=None):
        return jugtest.run([jugtest.JUG, *args], self.dir, env=env, check=check)

    def start(self, *args):
        return subprocess.Popen([jugtest.JUG, *args], cwd=self.dir,
                                env=dict(os.environ, JUG_TEST_LOG=self.log),
                                stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)

    def results_in(self, store):
        return sorted(stored_results.stored_results(os.path.join(self.dir, store)))

    def assert_adds_up(self, stdout, selected):
        executed, done, of, before, others = summary(stdout)
        self.assertEqual(of, selected, stdout)
        self.assertEqual(executed + before + others, done, stdout)
        return executed, done, before, others

    # ---- 8: summaries across barriers ---------------------------------------

    def test_summary_adds_up_from_scratch_and_partly_done(self):
        self.program("barrier_rounds")
        p = self.jug("execute", "barrier_rounds", check=0)
        self.assertEqual(p.stdout.count("Passed "), 2, p.stdout)
        self.assertEqual(self.assert_adds_up(p.stdout, 7), (7, 7, 0, 0))

        # Partly done: gate's result removed; the graph stops at its bvalue,
        # and what follows, found done in later rounds, was done before.
        self.jug("invalidate", "barrier_rounds", "--target", "gate", check=0)
        p = self.jug("execute", "barrier_rounds", check=0)
        self.assertIn("Passed jug::bvalue(gate)", p.stdout)
        self.assertEqual(self.assert_adds_up(p.stdout, 7), (1, 7, 6, 0))

        # Stopped in the first round, then carried on.
        shutil.rmtree(os.path.join(self.dir, "barrier_rounds.jugdata"))
        p = self.jug("execute", "barrier_rounds", env={"JUG_MAX_TASKS": "1"}, check=0)
        self.assertEqual(self.assert_adds_up(p.stdout, 2), (1, 1, 0, 0))
        p = self.jug("execute", "barrier_rounds", check=0)
        self.assertEqual(self.assert_adds_up(p.stdout, 7), (6, 7, 1, 0))

    def test_max_tasks_counts_every_round(self):
        # JUG_MAX_TASKS is for the whole run, not each stretch between barriers.
        self.program("barrier_rounds")
        p = self.jug("execute", "barrier_rounds", env={"JUG_MAX_TASKS": "4"}, check=0)
        self.assertEqual(jugtest.executed_count(p.stdout), 4, p.stdout)
        self.assertIn("ran the 4 tasks allowed (JUG_MAX_TASKS)", p.stdout)
        p = self.jug("execute", "barrier_rounds", env={"JUG_MAX_TASKS": "4"}, check=0)
        self.assertEqual(jugtest.executed_count(p.stdout), 3, p.stdout)

    def test_tasks_after_a_barrier_done_by_another_worker_are_not_done_before_this_run(self):
        self.program("barrier_rounds")
        # The first worker runs slow (3 s) and gate at once; the second,
        # started once gate is done, builds past its bvalue and runs the
        # steps while the first still waits for slow. When the first gets
        # there, the steps are done: by the other worker, during its run.
        first = self.start("execute", "barrier_rounds", "-j", "2", "--", "3000")
        deadline = time.monotonic() + 60
        # gate's result is the first stored (slow sleeps).
        while not self.results_in("barrier_rounds.jugdata"):
            self.assertLess(time.monotonic(), deadline, "gate did not run")
            self.assertIsNone(first.poll(), "the first worker ended before gate was stored")
            time.sleep(0.02)
        second = self.start("execute", "barrier_rounds", "--", "3000")
        out2, err2 = second.communicate(timeout=120)
        out1, err1 = first.communicate(timeout=120)
        self.assertEqual(first.returncode, 0, out1 + err1)
        self.assertEqual(second.returncode, 0, out2 + err2)
        executed, done, before, others = self.assert_adds_up(out1, 7)
        self.assertEqual(done, 7, out1)
        self.assertEqual(before, 0, "the store was empty when the first worker began:\n" + out1)
        self.assertGreaterEqual(others, 1, out1 + "\n--- the second worker:\n" + out2)
        executed2, done2, before2, others2 = self.assert_adds_up(out2, 7)
        self.assertEqual(done2, 7, out2)
        self.assertEqual(before2, 1, "gate was done when the second worker began:\n" + out2)
        self.assertEqual(executed + executed2, 7, out1 + out2)

    # ---- 9: option values ---------------------------------------------------

    def test_seconds_must_be_positive(self):
        self.program("pipeline")
        for option in ("--lease-time", "--wait-cycle-time"):
            for args in ([option, "0"], [f"{option}=0"]):
                p = self.jug("execute", "pipeline", *args, check=2)
                self.assertIn(f"jug: {option} must be a positive number of seconds, got 0",
                              p.stderr)
                self.assertNotIn("000000", p.stderr)
        p = self.jug("status", "pipeline", "--lease-time=-5", check=2)
        self.assertIn("--lease-time must be a positive number of seconds, got -5", p.stderr)
        p = self.jug("execute", "pipeline", "--lease-time", "soon", check=2)
        self.assertIn("--lease-time must be a positive number of seconds; 'soon' is not a number",
                      p.stderr)

    def test_jobs_not_a_number_or_out_of_range(self):
        self.program("pipeline")
        for args in (["-j", "x"], ["--jobs=x"]):
            p = self.jug("execute", "pipeline", *args, check=2)
            self.assertIn("-j/--jobs must be a whole number from 1 to 4096; 'x' is not a number",
                          p.stderr)
            self.assertNotIn("not in range", p.stderr)
        for args in (["-j", "0"], ["--jobs=9999"]):
            p = self.jug("execute", "pipeline", *args, check=2)
            self.assertIn("-j/--jobs must be a whole number from 1 to 4096, got", p.stderr)

    def test_counts_must_be_whole_numbers_zero_or_more(self):
        self.program("pipeline")
        for option in ("--retries", "--nr-wait-cycles"):
            for args in ([option, "-1"], [f"{option}=-1"]):
                p = self.jug("execute", "pipeline", *args, check=2)
                self.assertIn(f"jug: {option} must be a whole number 0 or more, got -1", p.stderr)
                self.assertNotIn("Could not convert", p.stderr)
        for args in (["--max-crashes", "-1"], ["--max-crashes=2.5"]):
            p = self.jug("execute", "pipeline", *args, check=2)
            self.assertIn("--max-crashes must be a whole number from 1 to 1000000, got", p.stderr)
        # Good values still work.
        p = self.jug("execute", "pipeline", "--retries", "2", "--nr-wait-cycles=3",
                     "--max-crashes", "5", "--lease-time=60", "-j", "2", check=0)
        self.assertEqual(jugtest.executed_count(p.stdout), 12)

    def test_an_option_without_its_value_says_which_value(self):
        self.program("pipeline")
        p = self.jug("execute", "pipeline", "--target", check=2)
        self.assertIn("jug: --target needs a value (Only tasks matching this pattern", p.stderr)
        self.assertNotIn("required TEXT missing", p.stderr)
        p = self.jug("status", "pipeline", "--jugdir", check=2)
        self.assertIn("jug: --jugdir needs a value (Where results are stored", p.stderr)

    def test_unknown_options_get_the_nearest_one(self):
        self.program("pipeline")
        for subcommand, typo, meant in (("execute", "--keepgoing", "--keep-going"),
                                        ("execute", "--keepgoing=1", "--keep-going"),
                                        ("execute", "--retires", "--retries"),
                                        ("status", "--jsn", "--json"),
                                        ("cleanup", "--dryrun", "--dry-run"),
                                        ("invalidate", "--targt", "--target")):
            args = [typo, "x"] if subcommand == "invalidate" else [typo]
            p = self.jug(subcommand, "pipeline", *args, check=2)
            self.assertIn(f"jug: {subcommand} has no option {typo.split('=')[0]}; "
                          f"did you mean {meant}?", p.stderr)
        p = self.jug("execute", "pipeline", "--frobnicate", check=2)
        self.assertIn("execute has no option --frobnicate", p.stderr)
        self.assertNotIn("did you mean", p.stderr)

    # ---- 9: a target behind a barrier -----------------------------------------

    def test_invalidate_of_a_task_after_a_barrier_names_the_barrier(self):
        self.program("barrier_rounds")
        p = self.jug("invalidate", "barrier_rounds", "--target", "finish", check=1)
        self.assertIn("no task matches the target finish among the tasks known so far", p.stderr)
        self.assertIn("the jugfile stops at jug::bvalue(gate) at barrier_rounds.cpp:", p.stderr)
        self.assertIn("not known yet", p.stderr)
        p = self.jug("invalidate", "barrier_rounds", "--target=nosuchtask", check=1)
        self.assertIn("stops at jug::bvalue(gate)", p.stderr)
        # Past the barrier, it is found.
        self.jug("execute", "barrier_rounds", check=0)
        p = self.jug("invalidate", "barrier_rounds", "--target", "finish", check=0)
        self.assertIn("Invalidated 1 result", p.stdout)

    # ---- 9: the stop file -------------------------------------------------------

    def test_the_stop_file_says_it_is_there_and_to_remove_it(self):
        self.program("pipeline")
        stop_file = os.path.join(self.dir, "__jug_please_stop_running.txt")
        open(stop_file, "w").close()
        p = self.jug("execute", "pipeline", check=0)
        self.assertEqual(jugtest.executed_count(p.stdout), 0)
        self.assertIn("Started no task: found __jug_please_stop_running.txt in "
                      f"{os.path.realpath(self.dir)}; remove it to carry on", p.stdout)
        os.remove(stop_file)
        p = self.jug("execute", "pipeline", check=0)
        self.assertEqual(jugtest.executed_count(p.stdout), 12)

    # ---- 9: a store shared by two jugfiles ----------------------------------------

    def test_cleanup_of_a_shared_store_names_the_other_jugfile(self):
        self.program("pipeline")
        self.program("append_log")
        env = {"JUG_TEST_LOG": self.log}
        self.jug("execute", "pipeline", "--jugdir", "shared", env=env, check=0)
        self.jug("execute", "append_log", "--jugdir=shared", "--", "5", env=env, check=0)
        stored = self.results_in("shared")
        self.assertEqual(len(stored), 12 + 6)
        here = os.path.realpath(self.dir)  # as the working directory reads
        other = os.path.join(here, "append_log")

        for jugdir in (["--jugdir", "shared"], ["--jugdir=shared"]):
            p = self.jug("cleanup", "pipeline", *jugdir, check=1)
            self.assertIn("is also used by another jugfile:\n  " + other, p.stderr)
            self.assertIn("6 results", p.stderr)
            self.assertIn("jug cleanup --dry-run", p.stderr)
            self.assertIn("--also-other-jugfiles", p.stderr)
            self.assertNotIn(os.path.join(here, "pipeline") + "\n", p.stderr)
            self.assertEqual(self.results_in("shared"), stored, "nothing was removed")

        p = self.jug("cleanup", "pipeline", "--jugdir", "shared", "--dry-run", check=0)
        self.assertIn("Would remove 6 results", p.stdout)
        self.assertIn("The store is also used by:\n  " + other, p.stdout)
        # Leases and failure records only, as asked: no question.
        self.jug("cleanup", "pipeline", "--jugdir", "shared", "--locks-only", check=0)
        self.jug("cleanup", "pipeline", "--jugdir", "shared", "--failed-only", check=0)
        self.assertEqual(self.results_in("shared"), stored)

        p = self.jug("cleanup", "pipeline", "--jugdir=shared", "--also-other-jugfiles", check=0)
        self.assertIn("Removed 6 results", p.stdout)
        self.assertEqual(len(self.results_in("shared")), 12)

    def test_cleanup_of_a_store_of_one_jugfile_asks_nothing(self):
        self.program("pipeline")
        self.jug("execute", "pipeline", "--", "6", check=0)
        # Another graph of the same jugfile is no other user.
        p = self.jug("cleanup", "pipeline", "--", "4", check=0)
        self.assertIn("Removed 6 results", p.stdout)
        self.assertNotIn("also used by", p.stdout + p.stderr)


if __name__ == "__main__":
    jugtest.main()
