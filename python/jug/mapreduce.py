"""Map-reduce over many inputs with few tasks (Python jug's jug.mapreduce):
inputs taken `map_step` at a time per map task, results reduced
`reduce_step` at a time. The internal functions keep Python jug's module
and names, which are part of the tasks' names and hashes."""

import functools
from itertools import chain

from .hash import hash_one
from .task import Task, TaskletMixin
from .utils import identity

__all__ = ['mapreduce', 'map', 'currymap', 'reduce']


def _get_function(f):
    """A TaskGenerator's function, hashed as the generator is."""
    if getattr(f, '_jug_is_task_generator', False):
        hvalue = hash_one(f)
        f = f.f
        f.__jug_hash__ = lambda: hvalue
    return f


def _jug_map(mapper, es):
    if mapper is None:
        return list(es)
    return [mapper(e) for e in es]


def _jug_map_curry(mapper, es):
    return [mapper(*e) for e in es]


def _jug_map_reduce(reducer, mapper, inputs):
    return functools.reduce(_get_function(reducer), _jug_map(_get_function(mapper), inputs))


def _jug_reduce(reducer, inputs):
    return functools.reduce(_get_function(reducer), chain(inputs))


def _break_up(sequence, step):
    for start in range(0, len(sequence), step):
        yield sequence[start:start + step]


def mapreduce(reducer, mapper, inputs, map_step=4, reduce_step=8):
    """A task worth reduce(reducer, map(mapper, inputs)), for a reducer that
    is associative and commutative (the order of operations differs)."""
    reducers = [Task(_jug_map_reduce, reducer, mapper, chunk)
                for chunk in _break_up(inputs, map_step)]
    while len(reducers) > 1:
        reducers = [Task(_jug_reduce, reducer, chunk) for chunk in _break_up(reducers, reduce_step)]
    if not reducers:
        return identity([])
    return reducers[0]


def reduce(reducer, inputs, reduce_step=8):
    """A task worth functools.reduce(reducer, inputs)."""
    return mapreduce(reducer, None, inputs, reduce_step=reduce_step)


class block_access_slice(TaskletMixin):
    """A slice of map()'s result, still split in its blocks."""
    __slots__ = ('base', 'start', 'stop', 'stride', '_hvalue')

    def __init__(self, access, orig):
        self.base = access
        self.start, self.stop, self.stride = orig
        self._hvalue = None

    def __getitem__(self, p):
        if isinstance(p, slice):
            start, stop, stride = p.indices(len(self))
            return block_access_slice(self.base, (self.start + start,
                                                  self.stop - (len(self) - stop),
                                                  self.stride * stride))
        if isinstance(p, int):
            p = self.start + p * self.stride
            if p >= self.stop:
                raise IndexError
            return self.base[p]
        raise TypeError

    def __len__(self):
        return self.stop - self.start

    def __jug_hash__(self):
        if self._hvalue is None:
            self._hvalue = hash_one({'type': 'map-access-slice', 'base': self.base,
                                     'start': self.start, 'stop': self.stop,
                                     'stride': self.stride})
        return self._hvalue

    def __jug_value__(self):
        from .task import value
        return [value(self[i]) for i in range(len(self))]

    def can_load(self):
        return self.base.can_load()


class block_access(TaskletMixin):
    """map()'s result: a sequence of tasklets over the blocks' results."""
    __slots__ = ('blocks', 'block_size', 'len', '_hvalue')

    def __init__(self, blocks, block_size, len):
        self.blocks = blocks
        self.block_size = block_size
        self.len = len
        self._hvalue = None

    def __getitem__(self, p):
        if isinstance(p, slice):
            return block_access_slice(self, p.indices(self.len))
        if isinstance(p, int):
            if not 0 <= p < self.len:
                raise IndexError
            return self.blocks[p // self.block_size][p % self.block_size]
        raise TypeError

    def __len__(self):
        return self.len

    def __jug_hash__(self):
        if self._hvalue is None:
            self._hvalue = hash_one({'type': 'map-access', 'len': self.len,
                                     'blocks': self.blocks, 'block_size': self.block_size})
        return self._hvalue

    def __jug_dependencies__(self):
        return self.blocks

    def __jug_value__(self):
        from .task import value
        out = []
        for block in self.blocks:
            out.extend(value(block))
        return out

    def can_load(self):
        return all(b.can_load() for b in self.blocks)


def map(mapper, sequence, map_step=4):
    """[mapper(s) for s in sequence], computed map_step elements per task."""
    if map_step == 1:
        return [Task(mapper, s) for s in sequence]
    blocks = []
    n = 0
    for chunk in _break_up(sequence, map_step):
        blocks.append(Task(_jug_map, _get_function(mapper), chunk))
        n += len(chunk)
    return block_access(blocks, map_step, n)


def currymap(mapper, sequence, map_step=4):
    """[mapper(*s) for s in sequence], computed map_step elements per task."""
    if map_step == 1:
        return [Task(mapper, *s) for s in sequence]
    result = []
    for chunk in _break_up(sequence, map_step):
        t = Task(_jug_map_curry, _get_function(mapper), chunk)
        result.extend(t[i] for i in range(len(chunk)))
    return result
