"""How the `jug` command runs a Python jugfile: `jug execute analysis.py`
becomes `python3 -c 'import jug._run; jug._run.main()' execute analysis.py
...`; the engine (jug._engine) parses the command line as it does for a C++
jugfile, then calls back to run the jugfile (jug._jugfile) each time it
builds the graph."""

import os
import sys

from . import _engine, _graph, _jugfile, task


def jugfile_of(argv):
    """The jugfile on the command line: the first argument ending in .py."""
    for arg in argv[2:]:
        if arg == '--':
            break
        if arg.endswith('.py'):
            return arg
    return 'jugfile.py'


def jugfile_arguments(argv):
    """What comes after `--`: the jugfile's own arguments."""
    return argv[argv.index('--') + 1:] if '--' in argv else []


def builder(path, arguments):
    """The build function the engine calls with its Build. The jugfile sees
    its arguments in sys.argv after its own name, as under Python jug."""
    def build(engine):
        del task.alltasks[:]
        sys.argv = [path] + arguments
        _graph.start(engine)
        try:
            _jugfile.run(path)
        finally:
            _graph.finish()
    return build


def main():
    argv = ['jug'] + sys.argv[1:]
    code = _engine.main(argv, builder(jugfile_of(argv), jugfile_arguments(argv)))
    # The work is done and stored: ending here spares the interpreter freeing
    # every task object one by one (a third of a second at 100,000 tasks).
    # The jugfile's own atexit handlers still run.
    import atexit
    atexit._run_exitfuncs()
    sys.stdout.flush()
    sys.stderr.flush()
    os._exit(code)
