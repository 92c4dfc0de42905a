# jug's README example as Python jug runs it, unchanged: which numbers in
# 2..100 are prime, one task each, each sleeping a second so that running
# several workers visibly helps. `jug execute primes.py` (docs/python.md).
from time import sleep

from jug import TaskGenerator


@TaskGenerator
def is_prime(n):
    sleep(1.)
    for j in range(2, n - 1):
        if (n % j) == 0:
            return False
    return True


@TaskGenerator
def count_primes(flags):
    return sum(flags)


primes100 = [is_prime(n) for n in range(2, 101)]
count = count_primes(primes100)
