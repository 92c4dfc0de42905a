# The same pipeline as jugfile.cpp, as a Python jugfile (Python jug 2.5's
# API). Run it: jug execute jugfile.py -j 2; then jug status jugfile.py.
from jug import TaskGenerator


@TaskGenerator
def load(i):
    return list(range(i, i + 1000))


@TaskGenerator
def clean(values):
    return [v for v in values if v % 7 != 0]


@TaskGenerator
def mean(values):
    return sum(values) / len(values)


@TaskGenerator
def report(path, means):
    with open(path, "w") as out:
        for m in means:
            out.write(f"{m}\n")


report("report.txt", [mean(clean(load(i))) for i in range(20)])
