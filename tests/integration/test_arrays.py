"""Arrays from Eigen, Armadillo and xtensor through the `jug` command, as a
user writes them (tests/integration/sources/arrays.cpp): the libraries found
by `// jug: pkg`, the arrays stored, read back by the tasks that take them
in a later run, and written as .npy files that numpy reads with the right
dtype, shape and values."""

import os
import shutil
import subprocess

import jugtest

SOURCE = os.path.join(jugtest.SOURCE_DIR, "tests", "integration", "sources", "arrays.cpp")

# numpy's view of each file: dtype, whether it is stored column-major, and
# the values, element (i, j, k) being 100 i + 10 j + k (as arrays.cpp makes them).
CHECK = r"""
import sys
import numpy as np

def grid(shape, dtype):
    return np.fromfunction(lambda *ix: sum(c * x for c, x in zip((100, 10, 1), ix)), shape).astype(dtype)

expected = {
    "arma.npy": (grid((600, 500), "<f8"), True),
    "cube.npy": (grid((3, 4, 5), "<i2"), True),
    "eigen.npy": (grid((3, 4), "<f4"), False),
    "complex.npy": (grid((4,), "<f8") - 1j * np.arange(4), None),
    "xtensor.npy": (grid((2, 3, 4), "<i4"), False),
    "column_major.npy": (grid((3, 4), "<f8"), True),
}
for name, (want, fortran) in expected.items():
    got = np.load(name)
    assert got.dtype == want.dtype, (name, got.dtype, want.dtype)
    assert got.shape == want.shape, (name, got.shape, want.shape)
    if fortran is not None:
        assert got.flags.f_contiguous == fortran or got.ndim < 2, (name, got.flags)
    assert np.array_equal(got, want), (name, got, want)
print("numpy read", len(expected), "arrays")
"""


class Arrays(jugtest.ScratchTest):
    def setUp(self):
        super().setUp()
        if subprocess.run(["/usr/bin/python3", "-c", "import numpy"]).returncode != 0:
            self.fail("numpy is missing: apt-get install python3-numpy (scripts/install-deps.sh)")
        shutil.copy(SOURCE, self.dir)
        self.env = {"JUG_CACHE_DIR": os.path.join(self.dir, "cache")}

    def jug(self, *args, check=0):
        return jugtest.run([jugtest.JUG, *args], self.dir, env=self.env, check=check)

    def numpy_check(self):
        p = subprocess.run(["/usr/bin/python3", "-c", CHECK], cwd=self.dir, text=True,
                           capture_output=True)
        self.assertEqual(p.returncode, 0, p.stderr)
        self.assertIn("numpy read 6 arrays", p.stdout)

    def test_arrays_are_stored_read_back_and_read_by_numpy(self):
        p = self.jug("execute", "arrays.cpp")
        self.assertEqual(jugtest.executed_count(p.stdout), 13)
        self.numpy_check()

        # The .npy files again, from the stored arrays: each read back by
        # the task that takes it.
        for name in os.listdir(self.dir):
            if name.endswith(".npy"):
                os.remove(os.path.join(self.dir, name))
        self.jug("invalidate", "arrays.cpp", "--target", "save")
        p = self.jug("execute", "arrays.cpp")
        self.assertEqual(jugtest.executed_count(p.stdout), 6)
        self.numpy_check()
        self.assertEqual(jugtest.executed_count(self.jug("execute", "arrays.cpp").stdout), 0,
                         "the big matrix argument hashes as it did")


if __name__ == "__main__":
    jugtest.main()
