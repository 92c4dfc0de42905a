"""Arrays from Eigen, Armadillo and xtensor through the `jug` command, as a
user writes them (tests/integration/sources/arrays.cpp): the libraries found
by `// jug: pkg`, the arrays stored, read back by the tasks that take them
in a later run, and written as .npy files that numpy reads with the right
dtype, shape and values; a matrix stored as floats is not read back as
doubles once its task returns those."""

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
        self.env = {"JUG_CACHE_DIR": jugtest.SHARED_CACHE}

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

        # make_eigen now returns doubles, its name unchanged: its stored
        # floats are not read as doubles. jug names the task, says why and
        # what to do, and computes it again.
        path = os.path.join(self.dir, "arrays.cpp")
        with open(path) as f:
            source = f.read()
        changed = source.replace("Eigen::Matrix<float, Eigen::Dynamic",
                                 "Eigen::Matrix<double, Eigen::Dynamic")
        changed = changed.replace("static_cast<float>(element(i, j))", "element(i, j)")
        self.assertNotEqual(changed, source)
        with open(path, "w") as f:
            f.write(changed)
        self.jug("invalidate", "arrays.cpp", "--target", "save")
        p = self.jug("execute", "arrays.cpp")
        said = p.stdout + p.stderr
        self.assertIn("the stored result of task make_eigen", said)
        self.assertIn("holds another type than the task now returns (Eigen::Matrix<double", said)
        self.assertIn("{.version = N}", said)
        self.assertIn("make_eigen         1", p.stdout)
        p = subprocess.run(["/usr/bin/python3", "-c",
                            "import numpy; print(numpy.load('eigen.npy').dtype)"],
                           cwd=self.dir, text=True, capture_output=True, check=True)
        self.assertEqual(p.stdout.strip(), "float64")


if __name__ == "__main__":
    jugtest.main()
