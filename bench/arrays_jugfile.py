# Benchmark jugfile for Python jug, the twin of arrays_jugfile.cpp: an N x N
# matrix of doubles (a numpy array, which Python jug stores raw) made, stored,
# read back and summed. Python jug hands the jugfile the arguments after its
# name in sys.argv (default N: 4000, 128 MB):
#     jug execute --jugdir DIR arrays_jugfile.py 4000
# bench/arrays runs it when JUG_PYTHON_SOURCE points at a checkout of Python jug.
import sys

import numpy as np

from jug import TaskGenerator


@TaskGenerator
def make(n):
    return np.random.default_rng(1).random((n, n))


@TaskGenerator
def total(m):
    return float(m.sum())


n = int(sys.argv[1]) if len(sys.argv) > 1 else 4000
total(make(n))
