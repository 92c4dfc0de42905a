"""Python jugfiles through the `jug` command, on the C++ engine: the three
golden jugfiles of ../shared/data/pyjug-golden (made with Python jug 2.5),
each run by `jug execute` under its own name, then read back by a script
with jug.init: every task's name, hash, dependencies and value are Python
jug's own (expected.json), barriers, compound tasks, mapreduce, tasklets
and CachedFunction included."""

import json
import os
import shutil
import subprocess
import unittest

import jugtest

GOLDEN = os.environ.get("JUG_GOLDEN_DIR", os.path.join(
    os.path.dirname(jugtest.SOURCE_DIR), "shared", "data", "pyjug-golden"))
PYTHON = "/usr/bin/python3"

# What a user's script that looks at a computation does.
LIST_TASKS = r"""
import json, sys
import jug, jug.task
jug.init(sys.argv[1])
print(json.dumps([{"name": t.name, "hash": t.hash().decode(),
                   "dependencies": [d.hash().decode() for d in t.dependencies()],
                   "value": repr(jug.value(t))} for t in jug.task.alltasks]))
"""


def python_front_end():
    """The directory of this build's `jug` package, or None without one."""
    with open(os.path.join(jugtest.BUILD_DIR, "jug-compile.conf")) as f:
        for line in f:
            if line.startswith("pythonpath="):
                return line.split("=", 1)[1].strip()
    return None


def setUpModule():
    if python_front_end() is None:
        raise unittest.SkipTest("this build has no Python front end (-DJUG_BUILD_PYTHON=OFF, "
                                "the default under sanitizers)")


class GoldenJugfiles(jugtest.ScratchTest):
    @classmethod
    def setUpClass(cls):
        with open(os.path.join(GOLDEN, "expected.json")) as f:
            cls.expected = json.load(f)

    def check(self, jugfile):
        shutil.copy(os.path.join(GOLDEN, "jugfiles", jugfile), self.dir)
        jugtest.run([jugtest.JUG, "execute", jugfile], self.dir, check=0)
        tasks = self.expected[jugfile]["tasks"]
        p = subprocess.run([PYTHON, "-c", LIST_TASKS, jugfile], cwd=self.dir, text=True,
                           capture_output=True, timeout=120,
                           env=dict(os.environ, PYTHONPATH=python_front_end()))
        self.assertEqual(p.returncode, 0, p.stderr)
        got = json.loads(p.stdout)
        self.assertEqual(len(got), len(tasks))
        for i, (g, e) in enumerate(zip(got, tasks)):
            self.assertEqual(g, e, f"task {i} of {jugfile}")
        p = jugtest.run([jugtest.JUG, "execute", jugfile], self.dir, check=0)
        self.assertIn("Executed 0 tasks", p.stdout)

    def test_plain_values(self):
        self.check("basics.py")

    def test_numpy_arrays(self):
        self.check("numpy_args.py")

    def test_barriers_tasklets_mapreduce_compound(self):
        self.check("graph.py")


if __name__ == "__main__":
    jugtest.main()
