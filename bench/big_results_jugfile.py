# Benchmark jugfile for Python jug, the twin of big_results_jugfile.cpp: one
# big result and its reader. `produce` returns N doubles (a numpy array, which
# Python jug stores raw), `consume` sums them. Python jug hands the jugfile the
# arguments after its name in sys.argv (default N: 50,000,000, 400 MB):
#     jug execute --jugdir DIR big_results_jugfile.py 50000000
# bench/big_results runs it when JUG_PYTHON_SOURCE points at a checkout of Python jug.
import sys

import numpy as np

from jug import TaskGenerator


@TaskGenerator
def produce(n):
    return np.random.default_rng(1).random(n)


@TaskGenerator
def consume(values):
    return float(values.sum())


n = int(sys.argv[1]) if len(sys.argv) > 1 else 50_000_000
consume(produce(n))
