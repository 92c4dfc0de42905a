"""jug for Python jugfiles, on the C++ engine: Python jug 2.5's API (a
jugfile written for it runs unchanged), its task names and hashes; the
engine schedules, stores and recovers. docs/python.md."""

from .barrier import barrier, bvalue
from .compound import CompoundTask, CompoundTaskGenerator
from .jug import init, is_jug_running
from .task import CachedFunction, Task, TaskGenerator, Tasklet, iteratetask, value

__version__ = '2.5.0+cpp'

__all__ = [
    'CachedFunction',
    'CompoundTask',
    'CompoundTaskGenerator',
    'Task',
    'TaskGenerator',
    'Tasklet',
    'barrier',
    'bvalue',
    'init',
    'is_jug_running',
    'iteratetask',
    'value',
]
