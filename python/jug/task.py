"""Tasks, tasklets and task generators of a Python jugfile: the objects of
Python jug 2.5's API, with its names and hashes. The engine (jug._engine,
through jug._graph) runs them; this module only describes them."""

from . import _graph
from .hash import hash_of_pairs, hash_one, hash_update, new_hash_object

__all__ = [
    'Task',
    'CachedFunction',
    'Tasklet',
    'TaskGenerator',
    'iteratetask',
    'recursive_dependencies',
    'value',
]

# The walk of dependencies() in C++ where the engine is built (the same order).
try:
    from ._engine import task_dependencies as _task_dependencies
except ImportError:
    _task_dependencies = None

_pending = _graph._pending

# Every task made so far, in order (Python jug's jug.task.alltasks, which
# scripts that inspect a computation read).
alltasks = []


class _getitem:
    """What `t[i]` applies to t's value: an element or a slice."""
    __slots__ = ('slice',)

    def __init__(self, index):
        self.slice = index

    def __call__(self, obj):
        return obj[self.slice]

    def __jug_hash__(self):
        return hash_one(('jug.task._getitem', self.slice))

    def __repr__(self):
        return f'jug.task._getitem({self.slice})'

    __str__ = __repr__


class TaskletMixin:
    __slots__ = ()

    def __getitem__(self, index):
        return Tasklet(self, _getitem(index))

    def __iter__(self):
        raise NotImplementedError(
            "You cannot iterate over a Task's result before it exists. If the task returns "
            "a sequence of a fixed size, iteratetask(task, n) gives its elements as "
            "tasklets; otherwise, bvalue(task) waits for the value.")


def _is_lambda(f):
    return getattr(f, '__name__', getattr(f, 'func_name', '')) == '<lambda>'


class Task(TaskletMixin):
    """Task(f, *args, **kwargs): a call of f on its arguments, some of which
    may be tasks (or hold tasks in lists, tuples and dicts), run by
    `jug execute` once they are done, and stored under its hash."""

    # Slots: at 100,000 tasks, attributes in a __dict__ cost 270 bytes a task
    # more (Python 3.11 gives an instance inline room for five; the engine's
    # two are the sixth and seventh) and set off the garbage collector. The
    # __dict__ slot keeps any other attribute working (jug.compound's).
    __slots__ = ('name', 'f', 'args', 'kwargs', '_hash', '_jug_node', '__dict__', '__weakref__')

    def __init__(self, f, *args, **kwargs):
        # As lean as it can be: a jugfile may make millions.
        name = f'{f.__module__}.{f.__name__}'
        if name.endswith('<lambda>') and _is_lambda(f):
            raise ValueError('jug.Task does not work with lambda functions: a task is named, '
                             'and hashed, by its function\'s module and name. Define the '
                             'function with def.')
        self.name = name
        self.f = f
        self.args = args
        self.kwargs = kwargs
        self._hash = None  # the hash, once taken
        self._jug_node = None  # the engine's node, once in its graph
        alltasks.append(self)
        if _graph.engine is not None:
            _pending.append(self)  # _graph.task_made(self), without the call

    # ---- identity --------------------------------------------------------

    def hash(self):
        """The task's hash: 40 hex digits, as bytes (b'8e27ab...')."""
        return self.__jug_hash__()

    def __jug_hash__(self):
        computed = self._hash
        if computed is None:  # kept: arguments are not expected to change
            computed = self._hash = hash_of_pairs([('name', self.name.encode('utf-8')),
                                                   ('args', self.args),
                                                   ('kwargs', self.kwargs)])
        return computed

    def _check_hash(self):
        """Raises if the task's arguments changed since its hash was taken
        (a task that modified a value it was given)."""
        cached = self.hash()
        self._hash = None
        if self.hash() != cached:
            raise RuntimeError(f'jug error: the hash of task {self.name} changed unexpectedly: '
                               'a task modified one of its arguments (or an argument of '
                               'another task)')

    def __str__(self):
        return f'Task: {self.name}()'

    def __repr__(self):
        return f'Task({self.name}, args={self.args}, kwargs={self.kwargs})'

    # ---- the graph -------------------------------------------------------

    def dependencies(self):
        """The tasks this one reads, found in its arguments (a tasklet's
        base, a list's elements...), in Python jug's order."""
        if _task_dependencies is not None:
            return iter(_task_dependencies(self.args, self.kwargs, Task))
        return self._python_dependencies()

    def _python_dependencies(self):
        pending = [self.args, self.kwargs.values()]
        while pending:
            for dep in pending.pop():
                if hasattr(dep, '__jug_dependencies__'):
                    pending.append(dep.__jug_dependencies__())
                elif isinstance(dep, Task):
                    yield dep
                elif isinstance(dep, (list, tuple)):
                    pending.append(dep)
                elif isinstance(dep, dict):
                    pending.append(iter(dep.values()))

    def _execute(self):
        args = [value(arg) for arg in self.args]
        kwargs = {key: value(arg) for key, arg in self.kwargs.items()}
        return self.f(*args, **kwargs)

    # ---- results ---------------------------------------------------------

    def value(self):
        """The task's result: computed in this run, or read from the store."""
        return _graph.value_of(self)

    result = property(value, doc='The result value')

    def can_load(self, store=None):
        """True when the task's result is stored."""
        return _graph.can_load(self)

    def can_run(self):
        """True when every task this one reads has its result."""
        return all(dep.can_load() for dep in self.dependencies())

    def is_loaded(self):
        return _graph.is_loaded(self)

    def load(self):
        self.value()

    def unload(self):
        _graph.unload(self)

    def unload_recursive(self):
        seen = set()

        def unload(t):
            if id(t) not in seen:
                seen.add(id(t))
                t.unload()
                for dep in t.dependencies():
                    unload(dep)
        unload(self)

    def invalidate(self):
        _graph.invalidate(self)

    def run(self, force=None, save=True, debug_mode=False):
        """Runs the task here and now (its dependencies must be done) and,
        with `save`, stores its result."""
        return _graph.run_now_and_store(self, save)


class Tasklet(TaskletMixin):
    """A light task: f(value(base)), computed where it is used and never
    stored. `t[i]` and iteratetask(t, n) make them."""

    __slots__ = ('base', 'f')

    def __init__(self, base, f):
        self.base = base
        self.f = f

    def dependencies(self):
        yield self.base

    __jug_dependencies__ = dependencies

    def value(self):
        return self.__jug_value__()

    def __jug_value__(self):
        return self.f(value(self.base))

    def can_load(self):
        return self.base.can_load()

    def unload(self):
        self.base.unload()

    def unload_recursive(self):
        self.base.unload_recursive()

    def _base_hash(self):
        if isinstance(self.base, Tasklet):
            return self.base._base_hash()
        return self.base.hash()

    def hash(self):
        return self.__jug_hash__()

    def __jug_hash__(self):
        M = new_hash_object()
        M.update(b'Tasklet')
        f = self.f if not _is_lambda(self.f) else ('<lambda>', self.f.__code__.co_code)
        hash_update(M, [('base', self.base), ('f', f)])
        return M.hexdigest().encode('utf-8')


def recursive_dependencies(t, max_level=-1):
    """Every task t depends on, directly or not (down to max_level levels;
    -1 or None: all)."""
    if max_level is None:
        max_level = -1
    if max_level == 0:
        return
    for dep in t.dependencies():
        yield dep
        yield from recursive_dependencies(dep, max_level - 1)


def value(elem):
    """The value of `elem`: a task's or tasklet's result, and the same inside
    lists, tuples and dicts; anything else as it is."""
    if isinstance(elem, (Task, Tasklet)):
        return elem.value()
    kind = type(elem)
    if kind is list:
        return [value(e) for e in elem]
    if kind is tuple:
        return tuple(value(e) for e in elem)
    if kind is dict:
        return {k: value(v) for k, v in elem.items()}
    if hasattr(elem, '__jug_value__'):
        return elem.__jug_value__()
    return elem


def CachedFunction(f, *args, **kwargs):
    """The value of f(*args, **kwargs), computed now (while the jugfile
    builds its tasks) unless stored, and stored as a task's result."""
    t = Task(f, *args, **kwargs)
    _graph.run_now(t)
    return value(t)


class TaskGenerator:
    """@TaskGenerator over a function makes calling it make a task:
    f(a, b) is Task(f, a, b)."""

    _jug_is_task_generator = True

    def __init__(self, f):
        self.f = f

    def __getstate__(self):
        import sys
        module = getattr(self.f, '__module__', None)
        name = self.f.__name__
        found = getattr(sys.modules.get(module), name, None) if module else None
        if found is not self and found is not self.f:
            raise RuntimeError('jug.TaskGenerator could not pickle function: a function must '
                               'be defined at the top level of its module')
        return module, name

    def __setstate__(self, state):
        import sys
        module, name = state
        self.f = getattr(sys.modules[module], name)

    def __call__(self, *args, **kwargs):
        return Task(self.f, *args, **kwargs)


class iteratetask:
    """iteratetask(task, n): the n elements of a task's result (a sequence
    of that size) as tasklets: `a, b = iteratetask(t, 2)`."""

    def __init__(self, base, n):
        self.base = base
        self.n = n

    def __getitem__(self, i):
        if i >= self.n:
            raise IndexError
        return self.base[i]

    def __len__(self):
        return self.n
