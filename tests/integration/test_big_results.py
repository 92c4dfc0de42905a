"""Big results (issue 16) through the jugfile program, as a user runs it: a
result above the big-record size is written as it is encoded and read back
in pieces. JUG_TEST_BIG_RECORD_BYTES lowers that size to 4 KB, so that an
array of a few MB takes the paths of one of several GB. The array read back
is the one stored (its sum, logged by `consume`, equals the sum of the values
`produce` made); damage anywhere in its record (header, middle, last byte,
cut short), compressed or not, is reported naming the task, and the task is
computed again, never read as a value."""

import glob
import os

import jugtest

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


class BigResults(jugtest.ScratchTest):
    def setUp(self):
        super().setUp()
        self.prog = self.program("big_array")
        self.env = dict(SMALL_BIG_RECORDS, JUG_TEST_LOG=self.log)

    def jugdir(self, args):
        """A store for each kind of array, so that each holds one `produce`."""
        return os.path.join(self.dir, "smooth.jugdata" if args else "random.jugdata")

    def execute(self, *args):
        return jugtest.run([self.prog, "execute", "--jugdir", self.jugdir(args), "--",
                            str(COUNT), *args], self.dir, env=self.env)

    def sums(self):
        return [line.split()[1:] for line in self.read_log() if line.startswith("sum ")]

    def check_sum(self, smooth):
        count, total = self.sums()[-1]
        self.assertEqual(int(count), COUNT)
        self.assertAlmostEqual(float(total) / expected_sum(COUNT, smooth), 1.0, places=12)

    def produce_record(self, args):
        """The record of `produce`: the larger of the two result files."""
        files = glob.glob(os.path.join(self.jugdir(args), "results", "*", "*"))
        self.assertEqual(len(files), 2)
        return max(files, key=os.path.getsize)

    def reload(self, *args):
        jugtest.run([self.prog, "invalidate", "--jugdir", self.jugdir(args), "--target",
                     "consume", "--", str(COUNT), *args], self.dir, check=0)
        return self.execute(*args)

    def test_an_array_is_stored_and_read_back(self):
        for smooth in (False, True):
            with self.subTest(smooth=smooth):
                args = ["smooth"] if smooth else []
                p = self.execute(*args)
                self.assertEqual(p.returncode, 0, p.stdout + p.stderr)
                self.check_sum(smooth)
                record = self.produce_record(args)
                stored = os.path.getsize(record)
                if smooth:
                    self.assertLess(stored, COUNT * 8 // 4, "a smooth array is compressed")
                else:
                    self.assertEqual(stored, 80 + 8 + COUNT * 8, "header, count, raw doubles")
                p = self.reload(*args)
                self.assertEqual(p.returncode, 0, p.stdout + p.stderr)
                self.assertEqual(jugtest.executed_count(p.stdout), 1)
                self.check_sum(smooth)
                s = jugtest.status_json(self.prog, self.dir,
                                        ["--jugdir", self.jugdir(args), "--verify", "--",
                                         str(COUNT), *args], env=self.env)
                self.assertEqual(s["corrupt"], [])
                self.assertEqual(s["totals"]["finished"], 2)

    def test_damage_anywhere_is_reported_with_the_task_and_computed_again(self):
        def flip(where):
            def damage(path):
                with open(path, "r+b") as f:
                    f.seek(where(os.path.getsize(path)))
                    byte = f.read(1)
                    f.seek(-1, os.SEEK_CUR)
                    f.write(bytes([byte[0] ^ 0x10]))
            return damage

        def cut(path):
            os.truncate(path, os.path.getsize(path) // 2)

        damages = {"header": flip(lambda size: 20), "middle": flip(lambda size: size // 2),
                   "last byte": flip(lambda size: size - 1), "cut short": cut}
        for smooth in (False, True):
            args = ["smooth"] if smooth else []
            self.assertEqual(self.execute(*args).returncode, 0)
            for what, damage in damages.items():
                with self.subTest(smooth=smooth, damage=what):
                    damage(self.produce_record(args))
                    produced = self.read_log().count("produce")
                    p = self.reload(*args)
                    out = p.stdout + p.stderr
                    self.assertEqual(p.returncode, 0, out)
                    self.assertRegex(out, r"result of task produce \([0-9a-f]{12}\) in \S+ is corrupt")
                    self.assertEqual(self.read_log().count("produce"), produced + 1,
                                     "produce is computed again")
                    self.check_sum(smooth)


if __name__ == "__main__":
    jugtest.main()
