"""`jug pack` (issues 12 and 13): the store's small results gathered into a
few segment files, as Python jug's pack gathers them into one; safe while
workers run. Layout: docs/store-layout.md.

tests/integration/jugfiles/sleepy.cpp: `-- N MS`, N tasks of MS ms each,
each logging "start i pid" to $JUG_TEST_LOG."""

import collections
import glob
import json
import os
import shutil
import subprocess
import time

import jugtest
import stored_results

SLEEPY_SOURCE = os.path.join(jugtest.SOURCE_DIR, "tests", "integration", "jugfiles", "sleepy.cpp")


def store_files(store):
    """{top-level directory of the store: number of files in it}, the
    segments' index files counted apart, as "indexes"."""
    counts = collections.Counter()
    for root, _, files in os.walk(store):
        top = os.path.relpath(root, store).split(os.sep)[0]
        for name in files:
            counts["indexes" if top == "segments" and name.startswith("index.") else top] += 1
    return counts


class PackThroughTheJugCommand(jugtest.BuildCacheTest):
    """A .cpp jugfile, run and packed as a user types it. Its store starts
    as one made before segments were the default: a file per result. Once
    packed, it keeps its results in segments, whatever the environment
    says."""

    def setUp(self):
        super().setUp()
        shutil.copy(SLEEPY_SOURCE, os.path.join(self.dir, "jugfile.cpp"))
        self.env = {"JUG_CACHE_DIR": self.cache, "JUG_TEST_LOG": self.log,
                    "JUG_FILE_STORE_SEGMENTS": "0"}

    def jug(self, *args, env=None, check=0):
        return jugtest.run([jugtest.JUG, *args], self.dir, env=dict(self.env, **(env or {})),
                           check=check)

    def test_a_store_of_result_files_is_packed_into_one_segment(self):
        self.jug("execute", "jugfile.cpp", "--", "29", "0")
        store = os.path.join(self.dir, "jugfile.jugdata")
        # Without the variable, a jug keeps a store of result files as it
        # is (a jug from before segments may share it) until it is packed.
        self.jug("execute", "jugfile.cpp", "--", "30", "0", env={"JUG_FILE_STORE_SEGMENTS": ""})
        self.assertEqual(store_files(store)["results"], 30)
        self.assertEqual(store_files(store)["segments"], 0)
        with open(os.path.join(store, "jugdata-format"), encoding="utf-8") as f:
            self.assertEqual(f.read(), "jug-cpp file store 1\n")

        out = self.jug("pack", "jugfile.cpp", "--", "30", "0").stdout
        self.assertIn("Packed 30 results (30 result files and 0 segments)", out)
        files = store_files(store)
        self.assertEqual(files["results"], 0)
        self.assertEqual(files["segments"], 1)
        self.assertEqual(files["indexes"], 1)
        with open(os.path.join(store, "jugdata-format"), encoding="utf-8") as f:
            self.assertEqual(f.read(), "jug-cpp file store 2\n")
        status = json.loads(self.jug("status", "jugfile.cpp", "--json", "--", "30", "0").stdout)
        self.assertEqual(status["totals"]["finished"], 30)
        verify = self.jug("status", "jugfile.cpp", "--verify", "--", "30", "0").stdout
        self.assertNotIn("corrupt", verify.lower())
        # Nothing runs again, and new results go to segments from now on.
        self.assertEqual(jugtest.executed_count(
            self.jug("execute", "jugfile.cpp", "--", "40", "0").stdout), 10)
        self.assertEqual(store_files(store)["results"], 0)

        again = self.jug("pack", "jugfile.cpp", "--", "40", "0").stdout
        self.assertIn("Packed 40 results (0 result files and 2 segments)", again)
        self.assertEqual(store_files(store)["segments"], 1)
        self.assertIn("Nothing to pack", self.jug("pack", "jugfile.cpp").stdout)

    def test_options_as_a_user_types_them(self):
        for jugdir_args in (["--jugdir", "elsewhere"], ["--jugdir=elsewhere"]):
            shutil.rmtree(os.path.join(self.dir, "elsewhere"), ignore_errors=True)
            self.jug("execute", "jugfile.cpp", *jugdir_args, "--", "5", "0")
            out = self.jug("pack", "jugfile.cpp", *jugdir_args, "--lease-time", "60").stdout
            self.assertIn("Packed 5 results (5 result files", out)
            self.assertEqual(store_files(os.path.join(self.dir, "elsewhere"))["results"], 0)
        out = self.jug("pack", "jugfile.cpp", "--jugdir=elsewhere", "--lease-time=60").stdout
        self.assertIn("Nothing to pack", out)

    def test_bad_arguments_are_refused(self):
        p = self.jug("pack", "jugfile.cpp", "--lease-time", "soon", check=2)
        self.assertIn("--lease-time", p.stderr)
        p = self.jug("pack", "missing.cpp", check=None)
        self.assertNotEqual(p.returncode, 0)
        self.assertIn("missing.cpp", p.stderr)


class PackWhileWorkersRun(jugtest.ScratchTest):
    """Four workers execute while `pack` runs again and again: every task runs
    exactly once, and every result is there and readable after."""

    def test_nothing_is_lost_and_nothing_runs_twice(self):
        sleepy = self.program("sleepy")
        env = dict(os.environ, JUG_TEST_LOG=self.log)
        # 400 naps of 20 ms keep four workers busy for at least 2 s, so
        # several packs run while they do even in a sanitizer's build.
        tasks = "400"
        workers = [subprocess.Popen([sleepy, "execute", "--", tasks, "20"], cwd=self.dir, env=env,
                                    stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
                   for _ in range(4)]
        packs = 0
        while any(w.poll() is None for w in workers):
            p = jugtest.run([sleepy, "pack", "--", tasks, "20"], self.dir, env=env)
            self.assertEqual(p.returncode, 0, p.stderr)
            packs += 1
            time.sleep(0.05)
        for w in workers:
            out, err = w.communicate()
            self.assertEqual(w.returncode, 0, err)
        self.assertGreater(packs, 2)
        starts = collections.Counter(line.split()[1] for line in self.read_log()
                                     if line.startswith("start "))
        self.assertEqual(len(starts), 400)
        self.assertEqual(set(starts.values()), {1}, "a task ran twice")

        jugtest.run([sleepy, "pack", "--", tasks, "20"], self.dir, env=env, check=0)
        status = jugtest.status_json(sleepy, self.dir, extra=["--", tasks, "20"])
        self.assertEqual(status["totals"]["finished"], 400, status)
        verify = jugtest.run([sleepy, "status", "--verify", "--", tasks, "20"], self.dir, check=0)
        self.assertNotIn("corrupt", verify.stdout.lower())
        files = store_files(os.path.join(self.dir, "sleepy.jugdata"))
        self.assertEqual(files["segments"], 1, files)
        self.assertEqual(files["indexes"], 1, files)
        self.assertEqual(files["results"], 0, files)
        # Nothing runs again.
        again = jugtest.run([sleepy, "execute", "--", tasks, "20"], self.dir, env=env, check=0)
        self.assertEqual(jugtest.executed_count(again.stdout), 0)



class DamagedSegments(jugtest.ScratchTest):
    """Damage in a segment as a user meets it: reported by `status --verify`
    and by `execute`, which computes again what was lost; dropped by pack."""

    def setUp(self):
        super().setUp()
        self.sleepy = self.program("sleepy")
        self.env = {"JUG_TEST_LOG": self.log}
        jugtest.run([self.sleepy, "execute", "--", "20", "0"], self.dir, env=self.env, check=0)
        [self.segment] = glob.glob(os.path.join(self.dir, "sleepy.jugdata", "segments", "seg.*"))

    def run_sleepy(self, *args, check=0):
        return jugtest.run([self.sleepy, *args, "--", "20", "0"], self.dir, env=self.env,
                           check=check)

    def frames(self):
        """The segment's bytes, and (offset, size) of each of its frames."""
        with open(self.segment, "rb") as f:
            data = f.read()
        frames = [(body - stored_results.FRAME_HEADER_SIZE, stored_results.FRAME_HEADER_SIZE + size)
                  for _, _, _, body, size in stored_results.segment_frames(self.segment)]
        return data, frames

    def damage_fourth_frame_header(self):
        """Flips a byte of the fourth frame's task hash; its (offset, size)."""
        data, frames = self.frames()
        offset, size = frames[3]
        damaged = bytearray(data)
        damaged[offset + 30] ^= 0x01
        with open(self.segment, "wb") as f:
            f.write(damaged)
        return offset, size

    def test_with_its_index_a_damaged_frame_header_loses_nothing(self):
        self.damage_fourth_frame_header()
        status = json.loads(self.run_sleepy("status", "--json").stdout)
        self.assertEqual(status["totals"]["finished"], 20)
        self.assertEqual(jugtest.executed_count(self.run_sleepy("execute").stdout), 0)
        # One task more: a second segment, and pack copies both, the damaged
        # frame from where its index says its record is.
        more = ["--", "21", "0"]
        jugtest.run([self.sleepy, "execute", *more], self.dir, env=self.env, check=0)
        p = jugtest.run([self.sleepy, "pack", *more], self.dir, env=self.env, check=0)
        self.assertIn("Packed 21 results (0 result files and 2 segments)", p.stdout)
        status = jugtest.status_json(self.sleepy, self.dir, extra=["--verify", *more])
        self.assertEqual(status["totals"]["finished"], 21)
        self.assertEqual(status["corrupt"], [])

    def test_a_damaged_frame_header_is_reported_and_its_result_computed_again(self):
        # A segment read from its frames: without its index file.
        os.remove(os.path.join(os.path.dirname(self.segment),
                               "index." + os.path.basename(self.segment)))
        offset, size = self.damage_fourth_frame_header()
        status = json.loads(self.run_sleepy("status", "--json").stdout)
        self.assertEqual(status["totals"]["finished"], 19)
        verify = self.run_sleepy("status", "--verify").stdout
        self.assertIn("Damage in the store:", verify)
        self.assertIn(f"{self.segment}: {size} bytes at offset {offset} are damaged", verify)
        p = self.run_sleepy("execute")
        self.assertEqual(jugtest.executed_count(p.stdout), 1)
        self.assertIn("are damaged", p.stderr)
        out = self.run_sleepy("pack").stdout
        self.assertIn("are damaged", out)
        self.assertNotIn("Damage in the store", self.run_sleepy("status", "--verify").stdout)

    def test_a_tail_torn_by_a_killed_writer_is_ignored_and_reported(self):
        data, frames = self.frames()
        last_result, size = frames[-2]  # the last is the seal
        # As a worker killed half-way through appending it leaves it: the
        # segment of a process that is gone, ending in half a frame.
        dead = subprocess.Popen(["true"])
        dead.wait()
        name = os.path.basename(self.segment).split(".")
        name[1] = str(dead.pid)
        os.remove(self.segment)
        self.segment = os.path.join(os.path.dirname(self.segment), ".".join(name))
        with open(self.segment, "wb") as f:
            f.write(data[:last_result + size // 2])
        verify = self.run_sleepy("status", "--verify").stdout
        self.assertIn("a frame cut short (its writer died appending it)", verify)
        p = self.run_sleepy("execute")
        self.assertEqual(jugtest.executed_count(p.stdout), 1)
        self.assertIn("cut short", p.stderr)
        self.run_sleepy("pack")
        verify = self.run_sleepy("status", "--verify").stdout
        self.assertNotIn("cut short", verify)
        self.assertIn("Total             0         0         0        20         0", verify)


if __name__ == "__main__":
    jugtest.main()
