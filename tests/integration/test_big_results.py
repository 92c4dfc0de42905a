"""Big results (issue 16) through the jugfile program, as a user runs it: a
result above the big-record size is written as it is encoded and read back
in pieces. JUG_TEST_BIG_RECORD_BYTES lowers that size to 4 KB, so that an
array of a few MB takes the paths of one of several GB. The array read back
is the one stored (its sum, logged by `consume`, equals the sum of the values
`produce` made); damage anywhere in its record (header, middle, last byte,
cut short), compressed or not, read as a copy or through a view, is reported
naming the task, and the task is computed again, never read as a value. A
task that reads the array through a view (a std::span parameter) reads the
record's file where it lies, and keeps reading what it was given when the
record is invalidated meanwhile. On the Redis store, a big array is sent in
chunks as it is encoded and read back a chunk at a time, damage in a chunk
caught the same way."""

import os
import subprocess
import time

import jugtest
import stored_results
from redis_server import RedisServer

COUNT = 300_000
SMALL_BIG_RECORDS = {"JUG_TEST_BIG_RECORD_BYTES": "4096"}


def expected_sum(count, smooth):
    """What `consume` logs for `produce(count, smooth)` (big_array.cpp)."""
    if smooth:
        return float(sum(i % 1000 for i in range(count)))
    x, total, mask = 88172645463325252, 0, (1 << 64) - 1
    for _ in range(count):
        x ^= (x << 13) & mask
        x ^= x >> 7
        x ^= (x << 17) & mask
        total += x >> 11
    return float(total)


class BigArrays(jugtest.ScratchTest):
    """Running big_array.cpp, and reading what it logged."""

    def setUp(self):
        super().setUp()
        self.prog = self.program("big_array")
        self.env = dict(SMALL_BIG_RECORDS, JUG_TEST_LOG=self.log)

    redis = None

    def jugdir(self, args):
        """A store for each way of running, so that each holds one `produce`
        (a database of its own on Redis)."""
        if self.redis:
            return self.redis.url(str(["random", "smooth", "view"].index((args or ["random"])[0])))
        return os.path.join(self.dir, "-".join(args or ["random"]) + ".jugdata")

    def command(self, subcommand, args, *options):
        return [self.prog, subcommand, "--jugdir", self.jugdir(args), *options, "--",
                str(COUNT), *args]

    def execute(self, *args):
        return jugtest.run(self.command("execute", args), self.dir, env=self.env)

    def sums(self):
        return [line.split()[1:] for line in self.read_log() if line.startswith("sum ")]

    def check_sum(self, smooth):
        count, total = self.sums()[-1]
        self.assertEqual(int(count), COUNT)
        self.assertAlmostEqual(float(total) / expected_sum(COUNT, smooth), 1.0, places=12)

    def produce_record(self, args):
        """The record of `produce` (a StoredResult): the largest (the other,
        if there, is its reader's sum). A file of its own, unless compressed
        small enough to be a frame in a segment."""
        records = stored_results.results_list(self.jugdir(args))
        self.assertIn(len(records), (1, 2))
        return max(records, key=lambda r: r.size)

    def reload(self, *args):
        reader = "consume_view" if "view" in args else "consume"
        jugtest.run(self.command("invalidate", args, "--target", reader), self.dir, check=0)
        return self.execute(*args)

    def viewed_from(self):
        return [line.split()[1] for line in self.read_log() if line.startswith("viewing ")]



class BigResults(BigArrays):
    def test_an_array_is_stored_and_read_back(self):
        for smooth in (False, True):
            with self.subTest(smooth=smooth):
                args = ["smooth"] if smooth else []
                p = self.execute(*args)
                self.assertEqual(p.returncode, 0, p.stdout + p.stderr)
                self.check_sum(smooth)
                record = self.produce_record(args)
                stored = record.size
                if smooth:
                    self.assertLess(stored, COUNT * 8 // 4, "a smooth array is compressed")
                else:
                    self.assertFalse(record.in_segment(), "a big record is a file of its own")
                    with open(record.path, "rb") as f:
                        trailer = int.from_bytes(f.read(80)[72:80], "little")
                    self.assertGreater(trailer, 0, "the run's metadata is kept")
                    self.assertEqual(stored, 80 + 8 + COUNT * 8 + trailer,
                                     "header, count, raw doubles, metadata")
                p = self.reload(*args)
                self.assertEqual(p.returncode, 0, p.stdout + p.stderr)
                self.assertEqual(jugtest.executed_count(p.stdout), 1)
                self.check_sum(smooth)
                s = jugtest.status_json(self.prog, self.dir,
                                        ["--jugdir", self.jugdir(args), "--verify", "--",
                                         str(COUNT), *args], env=self.env)
                self.assertEqual(s["corrupt"], [])
                self.assertEqual(s["totals"]["finished"], 2)

    def test_a_view_reads_the_array_where_it_lies_in_the_store(self):
        for smooth in (False, True):
            with self.subTest(smooth=smooth):
                args = ["view", "smooth"] if smooth else ["view"]
                if os.path.exists(self.log):
                    os.unlink(self.log)
                p = self.execute(*args)
                self.assertEqual(p.returncode, 0, p.stdout + p.stderr)
                self.check_sum(smooth)
                self.assertEqual(self.viewed_from(), ["memory"], "the array just made")
                p = self.reload(*args)
                self.assertEqual(p.returncode, 0, p.stdout + p.stderr)
                self.assertEqual(self.read_log().count("produce"), 1)
                self.check_sum(smooth)
                # A compressed record is decompressed into memory.
                self.assertEqual(self.viewed_from()[-1], "memory" if smooth else "file")

    def test_a_view_outlives_jug_invalidate_of_its_record(self):
        self.assertEqual(self.execute("view").returncode, 0)
        jugtest.run(self.command("invalidate", ["view"], "--target", "consume_view"), self.dir,
                    check=0)
        go = os.path.join(self.dir, "go")
        worker = subprocess.Popen(self.command("execute", ["view"]), cwd=self.dir,
                                  env=dict(os.environ, **self.env, JUG_TEST_WAIT_FOR=go),
                                  stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
        try:
            deadline = time.monotonic() + 60
            while len(self.viewed_from()) < 2 and time.monotonic() < deadline:
                time.sleep(0.05)
            self.assertEqual(self.viewed_from(), ["memory", "file"])
            record = self.produce_record(["view"])
            p = jugtest.run(self.command("invalidate", ["view"], "--target", "produce"),
                            self.dir, check=0)
            self.assertFalse(os.path.exists(record.path), p.stdout)
            with open(go, "w"):
                pass
            out, err = worker.communicate(timeout=60)
        finally:
            if worker.poll() is None:
                worker.kill()
                worker.wait()
        self.assertEqual(worker.returncode, 0, out + err)
        self.check_sum(False)  # the array as it was, though its record is gone
        self.assertEqual(self.execute("view").returncode, 0)
        self.assertEqual(self.read_log().count("produce"), 2, "computed again")
        self.check_sum(False)

    def test_damage_anywhere_is_reported_with_the_task_and_computed_again(self):
        def flip(where):
            def damage(record):
                record.flip_byte(where(record.size))
            return damage

        def cut(record):
            # A record in a segment cut short is its frame torn: no result
            # at all, rather than a corrupt one (test_pack tests that).
            self.assertFalse(record.in_segment(), "only a big record is cut short here")
            os.truncate(record.path, record.size // 2)

        damages = {"header": flip(lambda size: 20), "middle": flip(lambda size: size // 2),
                   "last byte": flip(lambda size: size - 1), "cut short": cut}
        for args in ([], ["smooth"], ["view"]):
            smooth = "smooth" in args
            self.assertEqual(self.execute(*args).returncode, 0)
            for what, damage in damages.items():
                if what == "cut short" and self.produce_record(args).in_segment():
                    continue
                with self.subTest(args=args, damage=what):
                    damage(self.produce_record(args))
                    produced = self.read_log().count("produce")
                    p = self.reload(*args)
                    out = p.stdout + p.stderr
                    self.assertEqual(p.returncode, 0, out)
                    self.assertRegex(out, r"result of task produce \([0-9a-f]{12}\) in \S+"
                                          r"( at byte \d+)? is corrupt")
                    self.assertEqual(self.read_log().count("produce"), produced + 1,
                                     "produce is computed again")
                    self.check_sum(smooth)


class BigResultsOnRedis(BigArrays):
    """The same on the Redis store, where no record is a file: chunks."""

    def setUp(self):
        super().setUp()
        self.redis = RedisServer()

    def tearDown(self):
        self.redis.remove()
        super().tearDown()

    def produce_key(self, args):
        """The chunk of `produce`'s record (the record is over 4 KB: chunked)."""
        db = self.jugdir(args).rsplit("/", 1)[1]
        chunks = self.redis.cli("-n", db, "--scan", "--pattern", "jug:chunk:*").split()
        self.assertEqual(len(chunks), 1, chunks)  # chunks of 16 MB
        return db, chunks[0]

    def test_an_array_is_stored_and_read_back(self):
        for args in ([], ["smooth"], ["view"]):
            with self.subTest(args=args):
                p = self.execute(*args)
                self.assertEqual(p.returncode, 0, p.stdout + p.stderr)
                db, chunk = self.produce_key(args)
                p = self.reload(*args)
                self.assertEqual(p.returncode, 0, p.stdout + p.stderr)
                self.assertEqual(jugtest.executed_count(p.stdout), 1)
                self.check_sum("smooth" in args)
        self.assertEqual(self.viewed_from(), ["memory", "memory"], "no file to map")

    def test_damage_anywhere_is_reported_with_the_task_and_computed_again(self):
        self.assertEqual(self.execute().returncode, 0)
        db, chunk = self.produce_key([])
        size = int(self.redis.cli("-n", db, "STRLEN", chunk))
        for where in (20, size // 2, size - 1):
            with self.subTest(where=where):
                db, chunk = self.produce_key([])
                self.redis.cli("-n", db, "SETRANGE", chunk, str(where), "\x01")
                produced = self.read_log().count("produce")
                p = self.reload()
                out = p.stdout + p.stderr
                self.assertEqual(p.returncode, 0, out)
                self.assertRegex(out, r"result of task produce \([0-9a-f]{12}\) in redis://.+ is "
                                      r"corrupt: record checksum mismatch")
                self.assertEqual(self.read_log().count("produce"), produced + 1)
                self.check_sum(False)


if __name__ == "__main__":
    jugtest.main()
