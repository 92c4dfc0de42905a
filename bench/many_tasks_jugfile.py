# Benchmark jugfile for Python jug, the twin of many_tasks_jugfile.cpp: N trivial
# tasks plus one reducer over all of them. Python jug hands the jugfile the
# arguments after its name in sys.argv (default N: 1000):
#     jug execute --jugdir DIR many_tasks_jugfile.py 100000
# bench/stores runs it when JUG_PYTHON_SOURCE points at a checkout of Python jug.
import sys

from jug import TaskGenerator


@TaskGenerator
def square(x):
    return x * x


@TaskGenerator
def total(values):
    return sum(values)


n = int(sys.argv[1]) if len(sys.argv) > 1 else 1000
total([square(i) for i in range(n)])
