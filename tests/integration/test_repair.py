"""Exact repair of damaged results (issue 17): `jug execute --verify` removes
exactly the stored results that cannot be read (a flipped byte, a record cut
to 0 bytes, a file that is no record at all), computes those tasks again, and
leaves every good result where it is, also with two workers at once."""

import glob
import os
import shutil
import subprocess

import jugtest


class Repair(jugtest.ScratchTest):
    def setUp(self):
        super().setUp()
        self.prog = self.program("pipeline")

    def result_files_by_name(self):
        """{task name: [result files]}, found by moving each file away and
        seeing which task stops being finished."""
        store = os.path.join(self.dir, "pipeline.jugdata")
        before = {r["name"]: r["finished"]
                  for r in jugtest.status_json(self.prog, self.dir, ["--", "6"])["by_name"]}
        found = {}
        for path in sorted(glob.glob(os.path.join(store, "results", "*", "*"))):
            aside = path + ".aside"
            os.rename(path, aside)
            after = jugtest.status_json(self.prog, self.dir, ["--", "6"])["by_name"]
            os.rename(aside, path)
            name = [r["name"] for r in after if r["finished"] < before[r["name"]]][0]
            found.setdefault(name, []).append(path)
        return found

    def test_execute_verify_repairs_exactly_what_is_damaged(self):
        jugtest.run([self.prog, "execute", "--", "6"], self.dir, check=0)
        with open(os.path.join(self.dir, "report.txt")) as f:
            report = f.read()
        files = self.result_files_by_name()
        self.assertEqual(len(files["load"]), 6)

        def flip_last_byte(path):
            with open(path, "r+b") as f:
                f.seek(-1, os.SEEK_END)
                byte = f.read(1)
                f.seek(-1, os.SEEK_END)
                f.write(bytes([byte[0] ^ 0xFF]))

        flip_last_byte(files["clean"][2])      # a middle task, its dependents finished
        open(files["load"][4], "w").close()    # cut to 0 bytes, also a middle task
        flip_last_byte(files["after_boom"][0])  # a leaf
        with open(files["boom"][0], "w") as f:  # no record at all
            f.write("these are not the bytes you are looking for\n")
        stray = os.path.join(self.dir, "pipeline.jugdata", "results", "README")
        with open(stray, "w") as f:
            f.write("a file of the user's, in the store\n")

        p = jugtest.run([self.prog, "status", "--verify", "--", "6"], self.dir, check=0)
        self.assertIn("jug execute --verify", p.stdout)
        st = jugtest.status_json(self.prog, self.dir, ["--verify", "--", "6"])
        self.assertEqual(sorted(c["name"] for c in st["corrupt"]),
                         ["after_boom", "boom", "clean", "load"])

        # Plain execute reads none of them (what needs them is done): it
        # repairs nothing, and says all is done.
        p = jugtest.run([self.prog, "execute", "--", "6"], self.dir, check=0)
        self.assertEqual(jugtest.executed_count(p.stdout), 0)

        # Two workers at once, each with --verify.
        env = dict(os.environ, JUG_TEST_LOG=self.log)
        workers = [subprocess.Popen([self.prog, "execute", "--verify", "--", "6"], cwd=self.dir,
                                    env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                                    text=True) for _ in range(2)]
        outputs = [w.communicate(timeout=120) for w in workers]
        for w, (out, err) in zip(workers, outputs):
            self.assertEqual(w.returncode, 0, out + err)
        said = "".join(out for out, _ in outputs)
        # What was removed and recomputed, by task name.
        for name in ("clean", "load", "after_boom", "boom"):
            self.assertRegex(said, rf"The result was removed; task {name} \([0-9a-f]{{12}}\) "
                                   r"runs again")
        self.assertEqual(sum(jugtest.executed_count(out) for out, _ in outputs), 4)
        # Exactly the damaged tasks ran, once each; nothing downstream of them.
        ran = sorted("load" if l.startswith("load ") else l for l in self.read_log())
        self.assertEqual(ran, ["after_boom", "boom", "clean", "load"])
        with open(os.path.join(self.dir, "report.txt")) as f:
            self.assertEqual(f.read(), report)

        st = jugtest.status_json(self.prog, self.dir, ["--verify", "--", "6"])
        self.assertEqual(st["corrupt"], [])
        self.assertEqual(st["totals"]["finished"], st["tasks"])
        # What is no result of any task is left alone (cleanup's business).
        self.assertTrue(os.path.exists(stray))
        p = jugtest.run([self.prog, "execute", "--verify", "--", "6"], self.dir, check=0)
        self.assertIn("Verified 16 stored results: all good", p.stdout)


if __name__ == "__main__":
    jugtest.main()
