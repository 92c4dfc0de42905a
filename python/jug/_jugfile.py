"""Running a jugfile as Python jug does: as a module named after its file
(`analysis` for analysis.py), registered in sys.modules before it runs, so
that its tasks are named `analysis.function` and its functions pickle by
reference, even when a barrier stops it half-way."""

import os
import sys
import types


def module_name(path):
    return os.path.splitext(os.path.basename(path))[0]


def run(path):
    """Runs the jugfile at `path`; returns its module."""
    name = module_name(path)
    module = types.ModuleType(name)
    module.__file__ = os.path.abspath(path)
    sys.modules[name] = module
    directory = os.path.dirname(os.path.abspath(path))
    if directory not in sys.path:
        sys.path.insert(0, directory)  # its own modules, as `python3 jugfile.py` finds them
    with open(path) as f:
        source = f.read()
    exec(compile(source, path, 'exec'), module.__dict__)
    return module
