"""invalidate reruns exactly what is downstream; cleanup removes exactly the
results no task of the current jugfile owns."""

import os

import jugtest



class InvalidateAndCleanup(jugtest.ScratchTest):
    def execute(self, *extra, check=0):
        return jugtest.run([self.program("pipeline"), "execute", *extra], self.dir, env={"JUG_TEST_LOG": self.log},
                           check=check)

    def test_invalidate_reruns_exactly_downstream(self):
        self.execute()
        with open(os.path.join(self.dir, "report.txt")) as f:
            self.assertEqual(f.read(), "total 900\n")  # 100 * 1.5 * (0+1+2+3)
        os.remove(self.log)
        p = jugtest.run([self.program("pipeline"), "invalidate", "--target", "clean"], self.dir, check=0)
        # 4 clean + summarize + report
        self.assertIn("Invalidated 6 results", p.stdout)
        p = self.execute()
        self.assertEqual(jugtest.executed_count(p.stdout), 6)
        self.assertEqual(sorted(self.read_log()),
                         sorted(["clean"] * 4 + ["summarize", "report"]))

    def test_invalidate_regex_and_dotted(self):
        self.execute()
        p = jugtest.run([self.program("pipeline"), "invalidate", "--target", "/^rep/"], self.dir, check=0)
        self.assertIn("Invalidated 1 result", p.stdout)
        p = jugtest.run([self.program("pipeline"), "invalidate", "--target", "nosuchtask"], self.dir)
        self.assertNotEqual(p.returncode, 0)
        self.assertIn("no task matches", p.stderr)

    def test_cleanup_removes_exactly_orphans(self):
        self.execute("--", "6")
        # With 4 inputs: load 4,5 and clean 4,5 are orphans, and so are the
        # old summarize and report (their arguments changed).
        p = jugtest.run([self.program("pipeline"), "cleanup", "--", "4"], self.dir, check=0)
        self.assertIn("Removed 6 results", p.stdout)
        status = jugtest.status_json(self.program("pipeline"), self.dir, ["--", "4"])
        self.assertEqual(status["totals"]["finished"], 4 + 4 + 2)
        os.remove(self.log)
        p = self.execute("--", "4")
        self.assertEqual(sorted(self.read_log()), ["report", "summarize"])

    def test_status_counts(self):
        status = jugtest.status_json(self.program("pipeline"), self.dir)
        self.assertEqual(status["tasks"], 4 + 4 + 2 + 2)
        self.assertEqual(status["totals"]["ready"], 5)  # 4 load + boom
        self.execute()
        status = jugtest.status_json(self.program("pipeline"), self.dir)
        self.assertEqual(status["totals"]["finished"], 12)


if __name__ == "__main__":
    jugtest.main()
