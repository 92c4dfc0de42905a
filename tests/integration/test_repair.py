"""Exact repair of damaged results (issue 17): `jug execute --verify` removes
exactly the stored results that cannot be read (a flipped byte, a record
zeroed or cut to 0 bytes, bytes that are no record at all), computes those
tasks again, and leaves every good result where it is, also with two
workers at once. In both layouts: records in segments, and a file per
result (a store made before segments)."""

import json
import os
import subprocess

import jugtest
import stored_results

NOT_A_RECORD = b"these are not the bytes you are looking for\n"


class Repair(jugtest.ScratchTest):
    # The environment of every run: a new store's layout.
    ENV = {}

    def setUp(self):
        super().setUp()
        self.prog = self.program("pipeline")
        self.store = os.path.join(self.dir, "pipeline.jugdata")

    def records_by_name(self):
        """{task name: [its records on disk]}, through the hashes show
        gives, in the graph's order."""
        show = jugtest.run([self.prog, "show", "--json", "/./", "--", "6"], self.dir, check=0)
        stored = stored_results.stored_results(self.store)
        found = {}
        for task in json.loads(show.stdout)["tasks"]:
            found.setdefault(task["name"], []).append(stored[task["hash"]])
        return found

    def test_execute_verify_repairs_exactly_what_is_damaged(self):
        jugtest.run([self.prog, "execute", "--", "6"], self.dir, env=self.ENV, check=0)
        with open(os.path.join(self.dir, "report.txt")) as f:
            report = f.read()
        records = self.records_by_name()
        self.assertEqual(len(records["load"]), 6)
        in_segments = not self.ENV
        self.assertTrue(all(r.in_segment() == in_segments for rs in records.values() for r in rs))

        records["clean"][2].flip_byte(records["clean"][2].size - 1)  # a middle task
        lost = records["load"][4]  # also a middle task
        if lost.in_segment():
            lost.overwrite(bytes(lost.size))  # zeroed, as a lost write leaves it
        else:
            open(lost.path, "w").close()  # cut to 0 bytes
        leaf = records["after_boom"][0]
        leaf.flip_byte(leaf.size - 1)
        # No record at all.
        records["boom"][0].overwrite((NOT_A_RECORD * 100)[:records["boom"][0].size],
                                     truncate=not in_segments)
        # Files of the user's, in the store.
        strays = [os.path.join(self.store, "results", "README"),
                  os.path.join(self.store, "segments", "README")]
        for stray in strays:
            os.makedirs(os.path.dirname(stray), exist_ok=True)
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
                                    env=dict(env, **self.ENV), stdout=subprocess.PIPE, stderr=subprocess.PIPE,
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
        for stray in strays:
            self.assertTrue(os.path.exists(stray))
        p = jugtest.run([self.prog, "execute", "--verify", "--", "6"], self.dir, check=0)
        self.assertIn("Verified 16 stored results: all good", p.stdout)


class RepairOfResultFiles(Repair):
    """The same with a file per result."""
    ENV = {"JUG_FILE_STORE_SEGMENTS": "0"}


if __name__ == "__main__":
    jugtest.main()
