"""jug.init, for scripts that look at a computation (Python jug's jug.jug):

    import jug
    store, space = jug.init('analysis.py', 'analysis.jugdata')
    results = jug.value(space['results'])
"""

import os
import sys

from . import _graph, _jugfile, task

__all__ = ['init', 'is_jug_running']


def is_jug_running():
    """True while `jug` runs a jugfile (building its tasks, or running one)."""
    return _graph.engine is not None or _graph.inspecting


def init(jugfile=None, jugdir=None, on_error='exit', store=None):
    """Runs `jugfile` (default jugfile.py) against the store at `jugdir`
    (default: the jugfile's name with .jugdata) up to its first barrier not
    yet passed; returns (store, jugspace): the store's location and the
    jugfile's namespace, whose tasks' values can then be read."""
    if on_error not in ('exit', 'propagate'):
        raise ValueError("jug.init: on_error is 'exit' or 'propagate'")
    if jugfile is None:
        jugfile = 'jugfile.py'
    if not jugfile.endswith('.py') and os.path.exists(jugfile + '.py'):
        jugfile += '.py'
    if jugdir is None:
        jugdir = _jugfile.module_name(jugfile) + '.jugdata'
        jugdir = os.path.join(os.path.dirname(jugfile), jugdir)
    from . import _engine  # the engine only where there is one: hashes need none
    modules = []

    def build(engine):
        del task.alltasks[:]
        _graph.start(engine)
        try:
            modules.append(_jugfile.run(jugfile))
        except BaseException as e:
            if isinstance(e, (_engine.BarrierStop, KeyboardInterrupt)) or on_error == 'propagate':
                raise
            print(f'jug: could not import {jugfile}: {e}', file=sys.stderr)
            sys.exit(1)
        finally:
            _graph.finish()

    engine = _engine.inspect(jugdir, build)
    _graph.inspect(engine)
    name = _jugfile.module_name(jugfile)
    space = sys.modules[name].__dict__ if name in sys.modules else {}
    return jugdir, space
