"""Python jugfiles through the `jug` command, on the C++ engine: the three
golden jugfiles of ../shared/data/pyjug-golden (made with Python jug 2.5),
each run by `jug execute` under its own name, then read back by a script
with jug.init: every task's name, hash, dependencies and value are Python
jug's own (expected.json), barriers, compound tasks, mapreduce, tasklets
and CachedFunction included."""

import json
import os
import re
import shutil
import signal
import subprocess
import time
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


def compile_conf(key):
    """A value of this build's jug-compile.conf, or None."""
    with open(os.path.join(jugtest.BUILD_DIR, "jug-compile.conf")) as f:
        for line in f:
            if line.startswith(key + "="):
                return line.split("=", 1)[1].strip()
    return None


def python_front_end():
    """The directory of this build's `jug` package, or None without one."""
    return compile_conf("pythonpath")


def python_env():
    """The environment for a script that imports this build's `jug`, as the
    jug command gives a jugfile: the package first, and in a sanitized build
    the sanitizers' runtimes preloaded."""
    env = dict(os.environ, PYTHONPATH=python_front_end())
    preload = compile_conf("python_preload")
    if preload:
        env["LD_PRELOAD"] = preload
        env["ASAN_OPTIONS"] = "detect_leaks=0"
    return env


def setUpModule():
    if python_front_end() is None:
        raise unittest.SkipTest("this build has no Python front end (-DJUG_BUILD_PYTHON=OFF)")


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
                           env=python_env())
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


class Examples(jugtest.ScratchTest):
    """The chapter's examples in Python (examples/intro/python, examples/primes),
    each run by two workers at once: every task exactly once."""

    def test_the_chapters_first_example_with_two_workers(self):
        shutil.copy(os.path.join(jugtest.SOURCE_DIR, "examples", "intro", "python", "jugfile.py"),
                    self.dir)
        # As the chapter runs it: `jug execute`, naming no file (jugfile.py,
        # where there is no jugfile.cpp).
        outputs = jugtest.run_workers([jugtest.JUG, "execute"], 2, self.dir)
        counts = [jugtest.executed_count(out) for out in outputs]
        self.assertEqual(sum(counts), 6)
        self.assertTrue(all(c > 0 for c in counts), f"one worker did everything: {counts}")
        with open(os.path.join(self.dir, "output.txt")) as f:
            self.assertEqual(f.read(), "Final result: 36\n")
        self.assertTrue(os.path.isdir(os.path.join(self.dir, "jugfile.jugdata")))
        p = jugtest.run([jugtest.JUG, "status", "--short"], self.dir, check=0)
        self.assertIn("6 of 6 tasks finished", p.stdout)

    def test_primes_with_two_workers(self):
        with open(os.path.join(jugtest.SOURCE_DIR, "examples", "primes", "primes.py")) as f:
            source = f.read()
        # A second per task is for watching it; 20 ms will do here.
        with open(os.path.join(self.dir, "primes.py"), "w") as f:
            f.write(source.replace("sleep(1.)", "sleep(0.02)"))
        outputs = jugtest.run_workers([jugtest.JUG, "execute", "primes.py"], 2, self.dir)
        self.assertEqual(sum(jugtest.executed_count(out) for out in outputs), 100)
        p = subprocess.run([PYTHON, "-c", "import jug; _, space = jug.init('primes.py'); "
                            "print(jug.value(space['count']))"], cwd=self.dir, text=True,
                           capture_output=True, env=python_env())
        self.assertEqual(p.stdout.strip(), "25", p.stderr)


STUCK = """\
import os, time
from jug import TaskGenerator

@TaskGenerator
def slow(i):
    if i == 0 and not os.path.exists('killed-once'):
        open('started', 'w').close()
        time.sleep(600)  # until SIGKILLed
    return i * 10

@TaskGenerator
def total(xs):
    return sum(xs)

total([slow(i) for i in range(4)])
"""


class KilledWorker(jugtest.ScratchTest):
    def test_a_worker_killed_mid_task_is_taken_over(self):
        with open(os.path.join(self.dir, "stuck.py"), "w") as f:
            f.write(STUCK)
        worker = subprocess.Popen([jugtest.JUG, "execute", "stuck.py"], cwd=self.dir,
                                  stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
        deadline = time.monotonic() + 60
        while not os.path.exists(os.path.join(self.dir, "started")):
            self.assertLess(time.monotonic(), deadline, "the task never started")
            self.assertIsNone(worker.poll(), worker.stderr.read() if worker.poll() else "")
            time.sleep(0.02)
        # `jug` became the Python process: its pid is the worker's.
        worker.send_signal(signal.SIGKILL)
        worker.communicate()
        open(os.path.join(self.dir, "killed-once"), "w").close()
        p = jugtest.run([jugtest.JUG, "execute", "stuck.py"], self.dir, check=0)
        self.assertIn("Taking over task stuck.slow", p.stdout + p.stderr)
        self.assertIn("5 of 5 done", p.stdout)
        value = subprocess.run([PYTHON, "-c", "import jug; _, s = jug.init('stuck.py'); "
                                "print(jug.value(s['total']([s['slow'](i) for i in range(4)])))"],
                               cwd=self.dir, text=True, capture_output=True,
                               env=python_env())
        self.assertEqual(value.stdout.strip(), "60", value.stderr)


ARRAYS = """\
import numpy as np
from jug import TaskGenerator

@TaskGenerator
def make(kind):
    base = np.arange(24.0).reshape(4, 6)
    return {
        'c': base,
        'f': np.asfortranarray(base),
        'strided': base[:, ::2],
        'transposed': base.T,
        'empty': np.zeros((0, 3), dtype=np.int16),
        'scalar': np.array(7, dtype=np.uint8),
        'bool': np.array([True, False, True]),
        'complex': np.array([1 + 2j, -3j], dtype=np.complex64),
        'structured': np.zeros(2, dtype=[('a', '<i4'), ('b', '<f8')]),
        'big': np.random.default_rng(1).random(300_000),
    }[kind]

@TaskGenerator
def describe(a):
    total = 0.0 if a.dtype.names else float(np.asarray(a, dtype=float).sum())
    return (a.dtype.str, a.shape, total)

kinds = ['c', 'f', 'strided', 'transposed', 'empty', 'scalar', 'bool', 'complex', 'structured',
         'big']
made = {k: make(k) for k in kinds}
described = {k: describe(made[k]) for k in kinds}
"""

CHECK_ARRAYS = r"""
import jug, numpy as np
_, space = jug.init('arrays.py')
fresh = {}
exec(compile(open('arrays.py').read(), 'arrays.py', 'exec'), fresh)  # the same arrays, made here
for kind in space['kinds']:
    stored = jug.value(space['made'][kind])
    want = fresh['make'].f(kind)
    assert type(stored) is np.ndarray, (kind, type(stored))
    assert (stored.dtype, stored.shape) == (want.dtype, want.shape), (kind, stored.dtype)
    assert np.array_equal(stored, want), kind
    assert jug.value(space['described'][kind]) == fresh['describe'].f(want), kind
print('arrays ok')
print(space['made']['big'].hash().decode())
"""


class NumpyResults(jugtest.ScratchTest):
    def test_arrays_of_every_layout_come_back_equal(self):
        with open(os.path.join(self.dir, "arrays.py"), "w") as f:
            f.write(ARRAYS)
        p = jugtest.run([jugtest.JUG, "execute", "arrays.py"], self.dir, check=0)
        self.assertEqual(jugtest.executed_count(p.stdout), 20)
        # Read back by the tasks that take them, in a new run, then by a script.
        jugtest.run([jugtest.JUG, "invalidate", "arrays.py", "--target", "arrays.describe"],
                    self.dir, check=0)
        p = jugtest.run([jugtest.JUG, "execute", "arrays.py"], self.dir, check=0)
        self.assertEqual(jugtest.executed_count(p.stdout), 10)
        p = subprocess.run([PYTHON, "-c", CHECK_ARRAYS], cwd=self.dir, text=True,
                           capture_output=True, env=python_env())
        self.assertIn("arrays ok", p.stdout, p.stderr)
        # Stored raw, not pickled: after the record's 80-byte header, `N`,
        # the length of the dtype, order and shape, them, then the doubles;
        # then the run's metadata, as long as the header's last field says.
        big = p.stdout.split()[-1]
        with open(os.path.join(self.dir, "arrays.jugdata", "results", big[:2], big[2:]), "rb") as f:
            record = f.read()
        self.assertEqual(record[80:81], b"N")
        header = int.from_bytes(record[81:89], "little")
        trailer = int.from_bytes(record[72:80], "little")
        self.assertEqual(len(record), 80 + 1 + 8 + header + 300_000 * 8 + trailer)


PYTHON_SQUARES = """\
from jug import TaskGenerator

@TaskGenerator
def square(x):
    return x * x

@TaskGenerator
def total(xs):
    return sum(xs)

total([square(x) for x in range(10)])
"""

CPP_SQUARES = """\
#include <jug/jug.hpp>
#include <numeric>
#include <vector>
const jug::TaskGenerator square("square", [](int x) { return x * x; });
const jug::TaskGenerator total("total", [](const std::vector<int>& xs) {
  return std::accumulate(xs.begin(), xs.end(), 0);
});
int main(int argc, char** argv) {
  return jug::main(argc, argv, [] {
    std::vector<jug::Task<int>> squares;
    for (int x = 0; x < 10; ++x) squares.push_back(square(x));
    total(squares);
  });
}
"""


class SharedStores(jugtest.ScratchTest):
    """A Python and a C++ jugfile of the same tasks in one store: each sees
    its own tasks only, and neither's results are the other's."""

    def both_in(self, jugdir):
        with open(os.path.join(self.dir, "squares.py"), "w") as f:
            f.write(PYTHON_SQUARES)
        with open(os.path.join(self.dir, "squares.cpp"), "w") as f:
            f.write(CPP_SQUARES)
        for jugfile in ("squares.py", "squares.cpp"):
            p = jugtest.run([jugtest.JUG, "execute", jugfile, "--jugdir", jugdir], self.dir,
                            check=0)
            self.assertEqual(jugtest.executed_count(p.stdout), 11, p.stdout)
        for jugfile in ("squares.py", "squares.cpp"):
            p = jugtest.run([jugtest.JUG, "status", jugfile, "--jugdir", jugdir, "--short"],
                            self.dir, check=0)
            self.assertIn("11 of 11 tasks finished", p.stdout)
        # One jugfile's results invalidated: the other's stay.
        jugtest.run([jugtest.JUG, "invalidate", "squares.py", "--jugdir", jugdir, "--target",
                     "squares.square"], self.dir, check=0)
        p = jugtest.run([jugtest.JUG, "status", "squares.cpp", "--jugdir", jugdir, "--short"],
                        self.dir, check=0)
        self.assertIn("11 of 11 tasks finished", p.stdout)
        p = jugtest.run([jugtest.JUG, "execute", "squares.py", "--jugdir", jugdir], self.dir,
                        check=0)
        self.assertEqual(jugtest.executed_count(p.stdout), 11)
        p = subprocess.run([PYTHON, "-c", "import jug; _, s = jug.init('squares.py', "
                            f"{jugdir!r}); print(jug.value(s['total']([s['square'](x) "
                            "for x in range(10)])))"], cwd=self.dir, text=True,
                           capture_output=True, env=python_env())
        self.assertEqual(p.stdout.strip(), "285", p.stderr)

    def test_one_file_store(self):
        self.both_in(os.path.join(self.dir, "shared.jugdata"))

    def test_one_redis_server(self):
        from redis_server import RedisServer
        server = RedisServer()
        try:
            self.both_in(server.url() + "0?prefix=shared")
        finally:
            server.remove()


CHAIN = """\
from jug import TaskGenerator, barrier, value, bvalue
from jug import mapreduce

@TaskGenerator
def inc(x):
    return x + 1

@TaskGenerator
def plus(a, b):
    return a + b

t = 0
for i in range(2048):
    t = inc(t)
barrier()
final = value(t)
empty = mapreduce.mapreduce(plus, inc, [])
mapped = mapreduce.map(inc, [1, 2, 3], map_step=2)
last = bvalue(mapped[2])
after = inc(last + final)
"""

# Compound tasks with barriers: one inside the compound's function (it stops
# the whole build until the task before it is done), and barriers after one
# that returns a tuple of tasks (Python jug's compound_wbarrier.py and
# compound_nonsimple.py).
COMPOUNDS = """
from jug import barrier, value, TaskGenerator
from jug.compound import CompoundTaskGenerator
from jug.utils import identity


@TaskGenerator
def double(x):
    return 2 * x


@CompoundTaskGenerator
def twice(x):
    x2 = double(x)
    barrier()
    return double(value(x2))


@CompoundTaskGenerator
def pair(x):
    return (double(x), double(x))


@TaskGenerator
def tadd(y):
    return y[0] + y[1]


sixteen = twice(double(2))
eight = pair(4)
barrier()
eight = identity(eight)
barrier()
total = tadd(eight)
"""

# Tasks that fail: `flaky` on its first two tries (counted in files beside
# the jugfile), `broken` always.
FLAKY = """
import os
from jug import TaskGenerator


@TaskGenerator
def flaky(x):
    tries = os.path.join(os.path.dirname(os.path.abspath(__file__)), f'tries-{x}')
    n = int(open(tries).read()) if os.path.exists(tries) else 0
    with open(tries, 'w') as f:
        f.write(str(n + 1))
    if n < 2:
        raise OSError(f'try {n + 1} of task {x} failed')
    return x * 10


@TaskGenerator
def broken(x):
    raise ValueError(f'no good: {x}')


results = [flaky(i) for i in range(3)]
bad = broken(1)
"""


class Behaviours(jugtest.ScratchTest):
    """Python jug's documented behaviours, on this engine."""

    def jug(self, *args, check=0):
        return jugtest.run([jugtest.JUG, *args], self.dir, check=check)

    def test_barrier_after_a_long_chain_mapreduce_bvalue_invalidate_cleanup(self):
        with open(os.path.join(self.dir, "chain.py"), "w") as f:
            f.write(CHAIN)
        p = self.jug("status", "chain.py", "--short")
        self.assertIn("more after the barrier at chain.py:15", p.stdout)
        p = self.jug("execute", "chain.py")
        self.assertIn("2052 of 2052 done", p.stdout)
        self.jug("sleep-until", "chain.py")
        p = subprocess.run([PYTHON, "-c", "import jug; _, s = jug.init('chain.py'); "
                            "print(s['final'], jug.value(s['empty']), jug.value(s['mapped']), "
                            "jug.value(s['after']))"], cwd=self.dir, text=True,
                           capture_output=True, env=python_env())
        self.assertEqual(p.stdout.strip(), "2048 [] [2, 3, 4] 2053", p.stderr)
        # The chain invalidated: the graph stops at the barrier again, and
        # cleanup refuses to judge what it cannot see.
        p = self.jug("invalidate", "chain.py", "--target", "chain.inc")
        self.assertIn("Invalidated 2049 results", p.stdout)
        p = self.jug("status", "chain.py", "--short")
        self.assertIn("0 of 2048 tasks finished", p.stdout)
        p = self.jug("cleanup", "chain.py", check=None)
        self.assertNotEqual(p.returncode, 0)
        self.assertIn("the jugfile stops at the barrier at chain.py:15", p.stderr)
        self.assertIn("2052 of 2052 done", self.jug("execute", "chain.py").stdout)
        p = self.jug("cleanup", "chain.py")
        self.assertIn("Removed 0 results, 0 leases, 0 failure records; kept 2052 in use.",
                      p.stdout)

    def values(self, jugfile, *names):
        """The values of the jugfile's variables `names`, as a script reads them."""
        p = subprocess.run([PYTHON, "-c", "import sys, jug; _, s = jug.init(sys.argv[1]); "
                            "print(*(jug.value(s[n]) for n in sys.argv[2:]))", jugfile, *names],
                           cwd=self.dir, text=True, capture_output=True, env=python_env())
        self.assertEqual(p.returncode, 0, p.stderr)
        return p.stdout.split()

    def test_compound_tasks_with_barriers_inside_and_after(self):
        with open(os.path.join(self.dir, "compounds.py"), "w") as f:
            f.write(COMPOUNDS)
        p = self.jug("execute", "compounds.py")
        self.assertIn("Passed the barrier at compounds.py:15", p.stdout)
        self.assertIn("7 of 7 done", p.stdout)
        self.assertEqual(self.values("compounds.py", "sixteen", "total"), ["16", "16"])
        # Once stored, a compound task is one task: its function is not called.
        p = self.jug("status", "compounds.py")
        self.assertRegex(p.stdout, r"compounds\.twice +0 +0 +0 +1 +0")
        self.assertRegex(p.stdout, r"compounds\.pair +0 +0 +0 +1 +0")
        self.assertIn("Executed 0 tasks", self.jug("execute", "compounds.py").stdout)

    def test_retries_then_keep_going(self):
        with open(os.path.join(self.dir, "flaky.py"), "w") as f:
            f.write(FLAKY)
        p = self.jug("execute", "flaky.py", "--retries", "2", "--keep-going", check=1)
        # Each retry is one line; the last failure comes with its traceback.
        self.assertIn("failed (OSError: try 1 of task 0 failed); retry 1...", p.stdout + p.stderr)
        self.assertIn("failed (OSError: try 2 of task 0 failed); retry 2...", p.stdout + p.stderr)
        self.assertIn("3 of 4 done", p.stdout)
        self.assertRegex(p.stdout, r"flaky\.broken \(\w+\): ValueError: no good: 1\n"
                                   r"Traceback \(most recent call last\):")
        for i in range(3):
            with open(os.path.join(self.dir, f"tries-{i}")) as f:
                self.assertEqual(f.read(), "3", "three tries each, no more")
        self.assertEqual(self.values("flaky.py", "results"), ["[0,", "10,", "20]"])
        # --retries=N as well: the failed task is tried again, and fails again.
        p = self.jug("execute", "flaky.py", "--retries=1", check=1)
        self.assertIn("no good: 1); retry 1...", p.stdout + p.stderr)
        self.assertIn("3 of 4 done (3 before this run", p.stdout)


SAME_HASHES = r"""
import random
import numpy as np
from jug import _engine
from jug.hash import _python_hash_one
from jug.task import Task

rng = random.Random(7)


def value(depth=0):
    kind = rng.randrange(12 if depth < 3 else 7)
    if kind == 0:
        return rng.randrange(-2**70, 2**70) if rng.random() < 0.2 else rng.randrange(-10, 70000)
    if kind == 1:
        return rng.random() * 10 ** rng.randrange(-5, 5)
    if kind == 2:
        return ''.join(rng.choice('aé€\U0001f600 \n') for _ in range(rng.randrange(0, 80)))
    if kind == 3:
        return bytes(rng.randrange(256) for _ in range(rng.randrange(0, 40)))
    if kind == 4:
        return rng.choice([None, True, False, float('inf'), -0.0, '\ud800'])
    if kind == 5:
        return np.arange(rng.randrange(0, 20), dtype=rng.choice(['<i4', '<f8', '<u1']))
    if kind == 6:
        return np.arange(12.0).reshape(3, 4)[:, ::rng.choice([1, 2])]
    if kind == 7:
        return [value(depth + 1) for _ in range(rng.randrange(0, 5))]
    if kind == 8:
        return tuple(value(depth + 1) for _ in range(rng.randrange(0, 5)))
    if kind == 9:
        return {str(value(3)): value(depth + 1) for _ in range(rng.randrange(0, 4))}
    if kind == 10:
        return {rng.randrange(100) for _ in range(rng.randrange(0, 6))}
    return frozenset(rng.randrange(100) for _ in range(rng.randrange(0, 6)))


# Where pickle's bytes change form (the engine writes them itself for these
# kinds: python_pickle.hpp): each opcode's limits, frames or none, lengths.
edges = [0, 1, 255, 256, 65535, 65536, 2**31 - 1, 2**31, -1, -128, -129, -2**31,
         -2**31 - 1, 2**63 - 1, -2**63, 2**63, -2**63 - 1, 2**64, True, False, None,
         0.0, -0.0, 1.5, float('nan'), float('inf'), -float('inf'), 1e308, 5e-324]
for n in (0, 1, 2, 3, 254, 255, 256, 4063, 4064, 4065, 70000):
    edges += ['x' * n, b'y' * n, 'é' * n]
edges += ['\ud800', 'a\x00b', '\U0001f600' * 64]


def f(*args, **kwargs):
    return args


hashed_task = Task(f, 1, [2, 3], k='v')
hashed_task.hash()
tasks = [hashed_task, Task(f, 2), Task(f, Task(f, 3), x=Task(f, 4))]
values = [value() for _ in range(2000)] + edges + tasks + [tasks, {'t': tasks[2]}]
differ = [v for v in values if _engine.hash_one(v) != _python_hash_one(v)]
print(len(values), 'values,', len(differ), 'differ', repr(differ[:3])[:300])
"""


class HashesInCpp(unittest.TestCase):
    def test_the_engines_hash_walk_is_hash_pys(self):
        # The engine hashes in C++ (python/engine/python_hash.hpp); jug.hash
        # keeps the Python walk, as Python jug has it. Same bytes, same hashes.
        p = subprocess.run([PYTHON, "-c", SAME_HASHES], text=True, capture_output=True,
                           env=python_env(), timeout=120)
        self.assertEqual(p.returncode, 0, p.stderr)
        self.assertRegex(p.stdout, r"^2\d\d\d values, 0 differ", p.stdout)


class ImportPythonJugStore(jugtest.ScratchTest):
    """`jug import`: the store Python jug 2.5 wrote for graph.py
    (../shared/data/pyjug-golden/graph.jugdata.tar.gz) taken over in place,
    with nothing computed again; damaged records skipped, never copied."""

    def setUp(self):
        super().setUp()
        shutil.copy(os.path.join(GOLDEN, "jugfiles", "graph.py"), self.dir)
        subprocess.run(["tar", "xzf", os.path.join(GOLDEN, "graph.jugdata.tar.gz")],
                       cwd=self.dir, check=True)
        with open(os.path.join(GOLDEN, "expected.json")) as f:
            self.expected = json.load(f)["graph.py"]["tasks"]

    def values(self):
        p = subprocess.run([PYTHON, "-c", LIST_TASKS, "graph.py"], cwd=self.dir, text=True,
                           capture_output=True, env=python_env())
        self.assertEqual(p.returncode, 0, p.stderr)
        return json.loads(p.stdout)

    def test_a_python_jug_store_is_taken_over_with_nothing_computed_again(self):
        p = jugtest.run([jugtest.JUG, "import", "graph.jugdata"], self.dir, check=0)
        self.assertIn("Imported 132 results", p.stdout)
        self.assertTrue(os.path.isdir(os.path.join(self.dir, "graph.jugdata.python-jug")),
                        "Python jug's files are kept")
        p = jugtest.run([jugtest.JUG, "status", "graph.py", "--short"], self.dir, check=0)
        self.assertIn("130 of 130 tasks finished", p.stdout)
        p = jugtest.run([jugtest.JUG, "execute", "graph.py"], self.dir, check=0)
        self.assertIn("Executed 0 tasks", p.stdout)
        self.assertEqual(self.values(), self.expected)

    def test_damaged_records_are_reported_skipped_and_computed_again(self):
        # Python jug's record of graph.double(2) (its value: 4), cut short.
        double_2 = next(t["hash"] for t in self.expected
                        if t["name"] == "graph.double" and t["value"] == "4")
        path = os.path.join(self.dir, "graph.jugdata", double_2[:2], double_2[2:])
        with open(path, "rb") as f:
            data = f.read()
        with open(path, "wb") as f:
            f.write(data[:len(data) // 2])
        p = jugtest.run([jugtest.JUG, "import", "graph.jugdata", "--jugdir", "new.jugdata"],
                        self.dir, check=1)
        self.assertIn("Imported 131 results", p.stdout)
        self.assertIn(f"skipped {double_2}: its compressed bytes", p.stderr)
        self.assertIn("1 damaged or unreadable results were skipped", p.stderr)
        p = jugtest.run([jugtest.JUG, "execute", "graph.py", "--jugdir", "new.jugdata"],
                        self.dir, check=0)
        self.assertIn("Executed 1 task", p.stdout)
        p = jugtest.run([jugtest.JUG, "import", "graph.jugdata", "--jugdir=other.jugdata"],
                        self.dir, check=1)
        self.assertIn("Imported 131 results from graph.jugdata into other.jugdata", p.stdout)
        p = jugtest.run([jugtest.JUG, "import", "no-such.jugdata"], self.dir, check=1)
        self.assertIn("no-such.jugdata is not a directory", p.stderr)
        p = jugtest.run([jugtest.JUG, "import"], self.dir, check=2)
        self.assertIn("usage: jug import OLD.jugdata [--jugdir NEW]", p.stderr)
        p = jugtest.run([jugtest.JUG, "import", "graph.jugdata", "--force"], self.dir, check=2)
        self.assertIn("'--force' was not expected", p.stderr)


PIDS = """\
import os, time
from jug import TaskGenerator

@TaskGenerator
def pid(i):
    time.sleep(0.05)
    return os.getpid()

pids = [pid(i) for i in range(20)]
"""


class WorkerProcesses(jugtest.ScratchTest):
    def test_execute_j_runs_separate_worker_processes(self):
        # The GIL would serialise threads: -j N runs N processes, as N
        # separate workers share a store.
        with open(os.path.join(self.dir, "pids.py"), "w") as f:
            f.write(PIDS)
        for option, store in ((["-j", "2"], "a.jugdata"), (["--jobs=3"], "b.jugdata")):
            with self.subTest(option=option):
                p = jugtest.run([jugtest.JUG, "execute", "pids.py", "--jugdir", store, *option],
                                self.dir, check=0)
                executed = [int(n) for n in re.findall(r"^Executed (\d+) tasks?", p.stdout,
                                                         re.MULTILINE)]
                self.assertEqual(len(executed), int(option[-1][-1]), p.stdout)
                self.assertEqual(sum(executed), 20, p.stdout)
                got = subprocess.run(
                    [PYTHON, "-c", f"import jug; _, s = jug.init('pids.py', {store!r}); "
                     "print(len(set(jug.value(s['pids']))))"], cwd=self.dir, text=True,
                    capture_output=True, env=python_env())
                self.assertGreaterEqual(int(got.stdout), 2, got.stderr)


class Arguments(jugtest.ScratchTest):
    def test_the_jugfile_sees_its_arguments_in_sys_argv(self):
        # As under Python jug: sys.argv[0] is the jugfile, then its arguments
        # (here given after `--`).
        with open(os.path.join(self.dir, "sized.py"), "w") as f:
            f.write("import sys\nfrom jug import TaskGenerator\n\n@TaskGenerator\n"
                    "def one(i):\n    return i\n\n"
                    "assert sys.argv[0] == 'sized.py', sys.argv\n"
                    "for i in range(int(sys.argv[1])):\n    one(i)\n")
        p = jugtest.run([jugtest.JUG, "execute", "sized.py", "--", "7"], self.dir, check=0)
        self.assertEqual(jugtest.executed_count(p.stdout), 7)


FAILING = """\
from jug import TaskGenerator

@TaskGenerator
def boom(x):
    raise ValueError(f'bad input {x}')

@TaskGenerator
def unpicklable(x):
    return lambda: x

@TaskGenerator
def fine(x):
    return x

boom(1)
unpicklable(2)
fine(3)
"""


class Failures(jugtest.ScratchTest):
    def jug(self, *args, check=None):
        return jugtest.run([jugtest.JUG, *args], self.dir, check=check)

    def test_a_failing_task_is_reported_with_its_python_traceback(self):
        with open(os.path.join(self.dir, "fails.py"), "w") as f:
            f.write(FAILING)
        p = self.jug("execute", "fails.py", "--keep-going", check=1)
        self.assertIn("fails.boom (", p.stdout + p.stderr)
        self.assertIn("ValueError: bad input 1", p.stdout + p.stderr)
        self.assertIn("AttributeError: the result of task fails.unpicklable, a function, cannot "
                      "be pickled", p.stdout + p.stderr)
        p = self.jug("status", "fails.py", check=0)
        failures = p.stdout[p.stdout.index("Failed tasks:"):]
        self.assertIn("fails.boom", failures)
        self.assertIn('File "fails.py", line 5, in boom', failures)
        self.assertIn("ValueError: bad input 1", failures)
        self.assertNotIn("_graph.py", failures, "jug's own frames are left out")
        rows = {line.split()[0]: line.split()[1:] for line in p.stdout.splitlines()
                if line.startswith("fails.")}
        self.assertEqual(rows["fails.fine"], ["0", "0", "0", "1", "0"])
        self.assertEqual(rows["fails.boom"], ["0", "0", "0", "0", "1"])

    def test_an_import_error_while_building_names_the_module(self):
        with open(os.path.join(self.dir, "broken.py"), "w") as f:
            f.write("from jug import TaskGenerator\nimport no_such_module_for_jug\n")
        p = self.jug("execute", "broken.py", check=1)
        self.assertIn("jug: the jugfile failed while building its tasks: ModuleNotFoundError: "
                      "No module named 'no_such_module_for_jug'", p.stderr)
        self.assertIn('File "broken.py", line 2', p.stderr)


if __name__ == "__main__":
    jugtest.main()
