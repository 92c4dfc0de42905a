"""barrier() and bvalue(): a jugfile whose later tasks are made from earlier
results. The engine stops building the graph there until the tasks before
are done, runs them, and builds again past the barrier (as Python jug does,
and as the C++ front end's jug::barrier, include/jug/barrier.hpp)."""

from . import _graph

__all__ = ['barrier', 'bvalue', 'BarrierError']


class BarrierError(Exception):
    """Python jug's name for a barrier that stops the build. Here the stop
    is the engine's own (jug._engine.BarrierStop, a BaseException, which a
    jugfile's `except Exception` lets through); kept for code that names it."""


def barrier():
    """Building goes past this point only once every task made before it
    has its result; value() may then be called on any of them."""
    _graph.barrier()


def bvalue(t):
    """The value of task t, for making more tasks from it: building stops
    here until t (and only what it needs) is done."""
    from .task import Tasklet, value
    if isinstance(t, Tasklet):
        bvalue(t.base)
        return value(t)
    return _graph.bvalue(t)
