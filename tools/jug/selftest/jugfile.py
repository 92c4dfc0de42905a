# The Python jugfile `jug test-jug` runs to check the Python front end: the
# twin of jugfile.cpp beside it (the number after -- salts the hashes).
import sys
import time

from jug import TaskGenerator, barrier, value


@TaskGenerator
def square(salt, x):
    time.sleep(0.05)
    return x * x


@TaskGenerator
def total(values):
    return sum(values)


salt = int(sys.argv[1]) if len(sys.argv) > 1 else 0
squares = [square(salt, x) for x in range(1, 21)]
result = total(squares)
barrier()
if value(result) != 2870:
    raise RuntimeError(f'the sum read back from the store is {value(result)}, not 2870')
