"""A task that throws: recorded with its message, exit 1, --keep-going runs
the rest; a corrupt result is reported with the task's name and file, and
recomputed."""

import json
import os

import jugtest
import stored_results



class Failures(jugtest.ScratchTest):
    def test_failure_is_recorded_and_reported(self):
        p = jugtest.run([self.program("pipeline"), "execute"], self.dir,
                        env={"JUG_TEST_LOG": self.log, "JUG_TEST_FAIL": "1"}, check=1)
        self.assertIn("std::invalid_argument: boom was told to fail", p.stdout)
        status = jugtest.status_json(self.program("pipeline"), self.dir)
        self.assertEqual(status["totals"]["failed"], 1)
        self.assertEqual(status["failed"][0]["name"], "boom")
        self.assertIn("boom was told to fail", status["failed"][0]["message"])
        self.assertNotIn("after_boom", self.read_log())

    def test_keep_going_runs_everything_else(self):
        p = jugtest.run([self.program("pipeline"), "execute", "--keep-going"], self.dir,
                        env={"JUG_TEST_LOG": self.log, "JUG_TEST_FAIL": "1"}, check=1)
        self.assertIn("1 task was not run", p.stdout)
        status = jugtest.status_json(self.program("pipeline"), self.dir)
        self.assertEqual(status["totals"]["finished"], 10)
        self.assertEqual(status["totals"]["failed"], 1)
        self.assertEqual(status["totals"]["waiting"], 1)
        # Fixed: the failed task runs again and its record is cleared.
        p = jugtest.run([self.program("pipeline"), "execute"], self.dir, env={"JUG_TEST_LOG": self.log}, check=0)
        self.assertEqual(jugtest.executed_count(p.stdout), 2)
        status = jugtest.status_json(self.program("pipeline"), self.dir)
        self.assertEqual(status["totals"]["failed"], 0)
        self.assertEqual(status["failed"], [])

    def test_corrupt_result_is_reported_by_name_and_file_and_recomputed(self):
        jugtest.run([self.program("pipeline"), "execute"], self.dir, check=0)
        report_txt = os.path.join(self.dir, "report.txt")
        with open(report_txt) as f:
            first_report = f.read()
        # Damage the result of `summarize`: invalidate report, so that
        # re-running it has to read summarize's result.
        jugtest.run([self.program("pipeline"), "invalidate", "--target", "report"], self.dir, check=0)
        # Its record, found on disk by the hash show gives: the last byte
        # flipped.
        show = jugtest.run([self.program("pipeline"), "show", "--json", "summarize"], self.dir,
                           check=0)
        [summarize] = json.loads(show.stdout)["tasks"]
        store = os.path.dirname(os.path.dirname(summarize["file"]))
        record = stored_results.stored_results(store)[summarize["hash"]]
        record.flip_byte(record.size - 1)
        target = record.path

        # status --verify names it; plain status (which reads no result) cannot.
        p = jugtest.run([self.program("pipeline"), "status", "--verify"], self.dir, check=0)
        self.assertIn("Unreadable results", p.stdout)
        self.assertIn("summarize", p.stdout.split("Unreadable results")[1])
        self.assertIn(target, p.stdout)
        st = jugtest.status_json(self.program("pipeline"), self.dir, extra=["--verify"])
        self.assertEqual([c["name"] for c in st["corrupt"]], ["summarize"])
        row = [r for r in st["by_name"] if r["name"] == "summarize"][0]
        self.assertEqual(row["finished"], 0)

        # execute names it, removes it, recomputes it and what needs it.
        open(self.log, "w").close()
        p = jugtest.run([self.program("pipeline"), "execute"], self.dir,
                        env={"JUG_TEST_LOG": self.log}, check=0)
        out = p.stdout + p.stderr
        self.assertIn("summarize", out)
        self.assertIn(target, out)
        self.assertIn("corrupt", out)
        self.assertEqual(sorted(self.read_log()), ["report", "summarize"])
        with open(report_txt) as f:
            self.assertEqual(f.read(), first_report)
        st = jugtest.status_json(self.program("pipeline"), self.dir, extra=["--verify"])
        self.assertEqual(st["corrupt"], [])
        self.assertEqual(st["totals"]["finished"], 12)


if __name__ == "__main__":
    jugtest.main()
