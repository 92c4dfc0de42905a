"""Helpers shared by the integration tests: where the built programs are,
scratch directories, and running a jugfile program or the jug command."""

import os
import re
import shutil
import subprocess
import sys
import tempfile
import unittest

# The exit status with which a test file says that it skipped every one of
# its tests: ctest's SKIP_RETURN_CODE for these tests
# (tests/integration/CMakeLists.txt), so that ctest reports it Skipped, not
# Passed.
ALL_SKIPPED = 77

# Starts the line main() prints for each skipped test, which
# scripts/skipped-tests finds in ctest's JUnit output.
SKIPPED_MARK = "jugtest skipped "

BUILD_DIR = os.environ["JUG_BUILD_DIR"]
SOURCE_DIR = os.environ["JUG_SOURCE_DIR"]
IT_BIN = os.environ["JUG_IT_BIN"]
JUG = os.path.join(BUILD_DIR, "jug")


# A jug build cache shared by every integration test of this build directory
# whose cache is not what it tests: a jugfile of the same content (and
# compile configuration) is then compiled once for all of them, not once per
# test, which saves minutes (more under a sanitizer). Tests of the cache
# itself, of compile messages and of installed or namespaced jug commands keep
# one of their own.
SHARED_CACHE = os.path.join(IT_BIN, "shared-jug-cache")


def program(name):
    """Path of a test jugfile built by CMake (tests/integration/jugfiles)."""
    return os.path.join(IT_BIN, "it_" + name)


def run(args, cwd, env=None, check=None, timeout=300):
    """Runs a command; returns CompletedProcess with text stdout/stderr.
    `check` is the exit code expected, if any."""
    full_env = dict(os.environ)
    if env:
        full_env.update(env)
    p = subprocess.run(args, cwd=cwd, env=full_env, capture_output=True, text=True,
                       timeout=timeout)
    if check is not None and p.returncode != check:
        raise AssertionError(
            f"{args} exited {p.returncode}, expected {check}\n"
            f"--- stdout\n{p.stdout}\n--- stderr\n{p.stderr}")
    return p


def run_workers(args, n, cwd, env=None, timeout=120):
    """Starts `n` processes of `args` at once and waits for all of them, as a
    user starts several workers; each must exit 0. Returns their stdouts."""
    full_env = dict(os.environ)
    if env:
        full_env.update(env)
    workers = [subprocess.Popen(args, cwd=cwd, env=full_env, stdout=subprocess.PIPE,
                                stderr=subprocess.PIPE, text=True) for _ in range(n)]
    outputs = [w.communicate(timeout=timeout) for w in workers]
    for w, (out, err) in zip(workers, outputs):
        if w.returncode != 0:
            raise AssertionError(f"{args} exited {w.returncode}\n--- stdout\n{out}\n"
                                 f"--- stderr\n{err}")
    return [out for out, _ in outputs]


def executed_count(stdout):
    """The number of tasks an `execute` says it ran."""
    m = re.search(r"Executed (\d+) tasks?", stdout)
    if not m:
        raise AssertionError("no execute summary in:\n" + stdout)
    return int(m.group(1))


STRACE = shutil.which("strace")


def run_under_strace(options, args, cwd, timeout=120, env=None):
    """`args` run under `strace -f -qq` with `options` (fault injection:
    needs root): the finished process, its output captured as text."""
    # LeakSanitizer cannot work under ptrace, and fails the run: leaks are
    # other tests' business.
    env = dict(os.environ, **(env or {}))
    env["ASAN_OPTIONS"] = ":".join(filter(None, [env.get("ASAN_OPTIONS"), "detect_leaks=0"]))
    return subprocess.run([STRACE, "-f", "-qq", *options, *args], cwd=cwd, env=env,
                          capture_output=True, text=True, timeout=timeout)


def status_json(prog, cwd, extra=(), env=None):
    import json
    p = run([prog, "status", "--json", *extra], cwd, env=env, check=0)
    return json.loads(p.stdout)


class ScratchTest(unittest.TestCase):
    """A test with its own scratch directory, removed afterwards."""

    def setUp(self):
        self.dir = tempfile.mkdtemp(prefix="jug-it-")
        self.log = os.path.join(self.dir, "runs.log")

    def tearDown(self):
        shutil.rmtree(self.dir, ignore_errors=True)

    def program(self, name):
        """The test jugfile `name`, linked into the scratch directory, so that
        its default store (`<program>.jugdata`, beside it) is there too."""
        link = os.path.join(self.dir, name)
        if not os.path.exists(link):
            os.symlink(program(name), link)
        return link

    def read_log(self):
        if not os.path.exists(self.log):
            return []
        with open(self.log) as f:
            return [line.rstrip("\n") for line in f if line.strip()]


class BuildCacheTest(ScratchTest):
    """A ScratchTest whose class shares one jug build cache (`self.cache`,
    for JUG_CACHE_DIR): its jugfile is compiled once for all its tests."""

    @classmethod
    def setUpClass(cls):
        cls.cache = tempfile.mkdtemp(prefix="jug-it-cache-")

    @classmethod
    def tearDownClass(cls):
        shutil.rmtree(cls.cache, ignore_errors=True)


def main():
    """Runs the calling file's tests, as unittest.main() does, then names
    each skipped test and why on a line of its own (unittest only counts
    them), so that CI's log can say what was not tested. Exits 1 when a test
    failed, ALL_SKIPPED when every test was skipped (also when setUpModule
    skipped them all), else 0: a file whose tests partly ran passes."""
    result = unittest.main(exit=False).result
    for test, reason in result.skipped:
        test_id = test.id().removeprefix("__main__.")
        print(f"{SKIPPED_MARK}{test_id}: {reason}", file=sys.stderr)
    if not result.wasSuccessful():
        sys.exit(1)
    everything_skipped = result.skipped and len(result.skipped) >= result.testsRun
    sys.exit(ALL_SKIPPED if everything_skipped else 0)
