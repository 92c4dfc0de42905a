"""Helpers of Python jug's jug.utils: identity, CustomHash, timed_path,
jug_execute."""

import os

from .hash import hash_one
from .task import Task, TaskGenerator, Tasklet, value

__all__ = [
    'timed_path',
    'identity',
    'jug_execute',
    'CustomHash',
]


def _identity(x):
    return x


def identity(x):
    """identity(x): a task whose value is x. Hashing a big x once, then
    passing the task, spares hashing it for every task that takes it."""
    if isinstance(x, (Task, Tasklet)):
        return x
    t = Task(_identity, x)
    t.name = 'identity'  # Python jug's name for these tasks, and so their hashes
    return t


class CustomHash:
    """CustomHash(obj, hash_function): obj, hashed as hash_function(obj)
    (bytes) says. The function must tell different values apart."""

    def __init__(self, obj, hash_function):
        self.obj = obj
        self.hash_function = hash_function

    def __jug_hash__(self):
        return self.hash_function(self.obj)

    def __jug_value__(self):
        return value(self.obj)


def hash_with_mtime_size(path):
    """A hash of the file at `path` by its modification time and size."""
    st = os.stat(path)
    return hash_one((path, st.st_mtime, st.st_size))


def timed_path(path):
    """A path whose file, when touched or resized, makes a new task."""
    return CustomHash(path, hash_with_mtime_size)


@TaskGenerator
def jug_execute(args, check_exit=True, run_after=None, return_value=None):
    """A task running a command (subprocess.call); run_after and
    return_value only make dependencies."""
    import subprocess
    if subprocess.call(args) != 0 and check_exit:
        raise SystemError(f'jug_execute: {args} failed')
    return return_value
