"""Compound tasks: a function that makes a sub-graph of tasks, whose result
is kept under the hash of the call, so that once it is stored the sub-graph
is not even made (Python jug's jug.compound)."""

from .task import Task

__all__ = ['CompoundTask', 'CompoundTaskGenerator']


def compound_task_execute(x, h):
    """The task that gives a compound task its value (it is stored under the
    compound's hash, h)."""
    return x


def CompoundTask(f, *args, **kwargs):
    """CompoundTask(f, *args, **kwargs): f(*args, **kwargs) returns a task
    (which may read many); once its value is stored, this is a task that
    reads it, and f is not called."""
    from . import _graph
    from .task import alltasks
    task = Task(f, *args, **kwargs)
    # Not a task of the graph unless its result is stored: it is asked by
    # its hash alone.
    _graph.forget(task)
    if _graph.hash_stored(task.hash()):
        _graph.task_made(task)
        return task
    del alltasks[alltasks.index(task)]
    h = task.hash()
    del task
    inner = f(*args, **kwargs)
    compound = Task(compound_task_execute, inner, h)
    compound._hash = h  # what the engine reads
    compound.__jug_hash__ = lambda: h
    compound._check_hash = lambda: None
    return compound


def CompoundTaskGenerator(f):
    """@CompoundTaskGenerator: calling f makes CompoundTask(f, ...)."""
    from functools import wraps

    @wraps(f)
    def generator(*args, **kwargs):
        return CompoundTask(f, *args, **kwargs)
    generator.f = f
    return generator
