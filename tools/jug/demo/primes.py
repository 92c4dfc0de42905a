# jug's demo in Python, as Python jug writes it (run it the same way:
# jug execute primes.py): which numbers in 2..100 are prime, one task each.
from time import sleep

from jug import TaskGenerator


@TaskGenerator
def is_prime(n):
    sleep(0.2)
    for j in range(2, n - 1):
        if (n % j) == 0:
            return False
    return True


@TaskGenerator
def count_primes(ps):
    return sum(ps)


@TaskGenerator
def write_output(n):
    with open('output.txt', 'wt') as output:
        output.write(f"Found {n} primes <= 100.\n")


primes100 = []
for n in range(2, 101):
    primes100.append(is_prime(n))

n_primes = count_primes(primes100)
write_output(n_primes)
