"""The hashes of Python jugfiles' tasks are Python jug 2.5's: each golden
jugfile of ../shared/data/pyjug-golden, imported under its own name with
this project's `jug` package, gives every task's name, hash and
dependencies as expected.json lists them (made by Python jug 2.5)."""

import importlib.util
import json
import os
import shutil
import sys
import tempfile
import unittest

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(os.path.dirname(HERE))
GOLDEN = os.environ.get("JUG_GOLDEN_DIR",
                        os.path.join(os.path.dirname(ROOT), "shared", "data", "pyjug-golden"))
sys.path.insert(0, os.path.join(ROOT, "python"))

import jug.task  # noqa: E402  (this project's, from python/)


def tasks_of(jugfile):
    """(name, hash, dependencies) of every task the jugfile makes, in order."""
    del jug.task.alltasks[:]
    with tempfile.TemporaryDirectory() as scratch:
        path = shutil.copy(os.path.join(GOLDEN, "jugfiles", jugfile), scratch)
        name = jugfile[:-len(".py")]
        spec = importlib.util.spec_from_file_location(name, path)
        module = importlib.util.module_from_spec(spec)
        sys.modules[name] = module
        try:
            spec.loader.exec_module(module)
        finally:
            del sys.modules[name]
    return [(t.name, t.hash().decode(), [d.hash().decode() for d in t.dependencies()])
            for t in jug.task.alltasks]


class GoldenHashes(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        with open(os.path.join(GOLDEN, "expected.json")) as f:
            cls.expected = json.load(f)

    def check(self, jugfile):
        expected = [(t["name"], t["hash"], t["dependencies"])
                    for t in self.expected[jugfile]["tasks"]]
        got = tasks_of(jugfile)
        self.assertEqual(len(got), len(expected))
        for i, (g, e) in enumerate(zip(got, expected)):
            self.assertEqual(g, e, f"task {i} of {jugfile}")

    def test_plain_values(self):
        self.check("basics.py")

    def test_numpy_arrays(self):
        self.check("numpy_args.py")


if __name__ == "__main__":
    unittest.main()
