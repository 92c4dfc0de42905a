"""Where the objects of jug.task meet the engine. While `jug` runs a Python
jugfile, `engine` is the engine's Build for it (jug._engine, set by
jug._run); otherwise it is None: the jugfile was imported by a script, which
can make tasks and read their hashes, but not run them or read results.

Tasks join the engine's graph in the order they were made, but only when
the graph is next needed (a value, a barrier, the end of the jugfile):
their hash may change until then (jug.utils.identity renames its task).

While the jugfile makes its tasks, Python's cyclic garbage collector is
paused: every object made then lives as long as the graph, which is the
collector's worst case (its passes over every task were a third of what
building 100,000 tasks cost). It runs as usual while tasks run, and again
once the graph is built."""

import gc

engine = None
# After jug.init: the engine's Build for the graph it built, for reading values.
inspecting = None

# Tasks made and not yet in the engine's graph, in order.
_pending = []
# While a task runs: the values of the tasks it reads, by node.
_running_values = None
# True while the build has the garbage collector paused.
_collector_paused = False
# `jug execute --debug`: a task that makes tasks while it runs fails.
debug = False
# `jug execute --pdb`: a task that fails drops into pdb where it failed.
pdb = False

_NO_ENGINE = ('this needs the jug engine: run the jugfile with `jug execute jugfile.py`, '
              'not as a plain Python script')


def start(build):
    """A new build of the graph begins (the jugfile runs again)."""
    global engine, _collector_paused
    engine = build
    del _pending[:]
    if gc.isenabled():
        gc.disable()
        _collector_paused = True


def finish():
    """The jugfile has made all its tasks (or stopped at a barrier)."""
    global engine, _collector_paused
    try:
        if engine is not None:
            flush()
    finally:
        engine = None
        if _collector_paused:
            _collector_paused = False
            gc.enable()


def task_made(task):
    if engine is not None:
        _pending.append(task)


def forget(task):
    """Keeps `task`, just made, out of the graph (jug.compound)."""
    if task in _pending:
        _pending.remove(task)


def hash_stored(hash_hex):
    """True when a result is stored under `hash_hex` (40 hex digits, bytes)."""
    return _engine().hash_stored(hash_hex)


def flush():
    """Adds the pending tasks to the engine's graph."""
    from .task import Task
    while _pending:
        batch = _pending[:]
        del _pending[:]
        engine.add_all(batch, Task)  # in the order made: dependencies before dependents


def inspect(build):
    """jug.init built the graph: values are read through `build`."""
    global inspecting
    inspecting = build


def _engine():
    if engine is None:
        if inspecting is not None:
            return inspecting
        raise RuntimeError(f'jug: {_NO_ENGINE}')
    flush()
    return engine


def _node(task):
    node = task._jug_node
    if node is None:
        raise RuntimeError(f'jug: task {task.name} is not part of this run\'s graph '
                           '(made outside the jugfile, or after it ended)')
    return node


def run_task(task, values):
    """Runs `task` with `values`, the results of the tasks it reads by node
    (the engine calls this)."""
    global _running_values
    previous = _running_values
    _running_values = values
    collect = _collector_paused  # a task run while the jugfile builds (CachedFunction)
    if collect:
        gc.enable()
    from .task import alltasks
    made_before = len(alltasks)
    try:
        result = task._execute()
        if debug and len(alltasks) > made_before:
            raise RuntimeError(
                f'jug: task {task.name} made {len(alltasks) - made_before} task(s) while it '
                'ran (execute --debug): tasks are made by the jugfile, not by other tasks, '
                'which would never see them run; make them in the jugfile, after a barrier '
                'or bvalue() if they depend on a result')
        return result
    except Exception as error:
        if pdb:
            _post_mortem(task, error)
        raise
    finally:
        _running_values = previous
        if collect:
            gc.disable()


def _post_mortem(task, error):
    """`execute --pdb`: pdb at the frame where `task` failed, in the user's
    terminal; without one, the traceback (a prompt nobody can answer would
    hang)."""
    import sys
    import traceback
    if sys.stdin is not None and sys.stdin.isatty() and sys.stdout.isatty():
        import pdb as debugger
        print(f'jug: --pdb: task {task.name} failed; pdb at the frame where it did '
              '(`where`, `up`, `p NAME`; `c` goes on):', file=sys.stderr)
        debugger.post_mortem(error.__traceback__)
    else:
        print(f'jug: --pdb: no terminal to debug in; task {task.name} failed here:',
              file=sys.stderr)
        traceback.print_exception(type(error), error, error.__traceback__, file=sys.stderr)


def json_of(value):
    """`value` as JSON for `jug show` and `jug export`: {"value": ...}, numpy
    arrays as lists, anything else json cannot write as its repr."""
    import json

    def fallback(o):
        return o.tolist() if hasattr(o, "tolist") else repr(o)

    return json.dumps({"value": value}, default=fallback)


def value_of(task):
    node = task._jug_node
    if _running_values is not None and node in _running_values:
        return _running_values[node]
    if node is None and engine is None and inspecting is not None:
        # Made by a script after jug.init: read by its hash.
        return inspecting.value_by_hash(task.hash(), task.name)
    return _engine().value(_node(task))


def can_load(task):
    node = task._jug_node
    if _running_values is not None and node in _running_values:
        return True
    if node is None and engine is None and inspecting is not None:
        return inspecting.hash_stored(task.hash())
    return _engine().stored(_node(task))


def _in_package(frame, package):
    import os
    return os.path.dirname(os.path.abspath(frame.f_code.co_filename)) == package


def describe_failure(error):
    """(kind, text) of an exception raised by a jugfile or a task: its type's
    name, and its message followed by its traceback as Python prints it,
    without the frames of this package (they say nothing to the user)."""
    import os
    import traceback
    package = os.path.dirname(os.path.abspath(__file__))
    tb = error.__traceback__
    while tb is not None and _in_package(tb.tb_frame, package):
        tb = tb.tb_next
    if tb is None:  # raised by jug itself: then its frames are the story
        tb = error.__traceback__
    lines = traceback.format_exception(type(error), error, tb)
    message = str(error)
    return type(error).__qualname__, f'{message}\n{"".join(lines).rstrip()}'


def _caller():
    """Where the jugfile called in (file:line), for the engine's messages:
    the nearest frame outside this package."""
    import os
    import sys
    package = os.path.dirname(os.path.abspath(__file__))
    frame = sys._getframe(1)
    while frame is not None and _in_package(frame, package):
        frame = frame.f_back
    if frame is None:
        return 'an unknown place'
    return f'{os.path.basename(frame.f_code.co_filename)}:{frame.f_lineno}'


def barrier():
    _engine().barrier(_caller())


def bvalue(task):
    _engine().barrier_on(_node(task), _caller())
    return value_of(task)


def run_now(task):
    """Runs `task` here unless its result is stored (CachedFunction)."""
    _engine().run_now(_node(task))


def is_loaded(task):
    return False


def unload(task):
    pass


def invalidate(task):
    raise NotImplementedError('jug: Task.invalidate() from a jugfile: use `jug invalidate`')


def run_now_and_store(task, save):
    """Task.run(): the result, computed here unless stored, and stored
    (the engine stores what it computes; `save` is Python jug's)."""
    run_now(task)
    return value_of(task)
