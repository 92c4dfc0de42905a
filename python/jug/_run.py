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


def jobs_of(argv):
    """(N, argv without it) for `execute -j N` (also -jN, --jobs N,
    --jobs=N) before `--`, N of 2 or more; (1, argv) otherwise (the
    engine's parser checks what is left, a -j 0 too)."""
    if len(argv) < 2 or argv[1] != 'execute':
        return 1, argv
    end = argv.index('--') if '--' in argv else len(argv)
    for i in range(2, end):
        arg = argv[i]
        if arg in ('-j', '--jobs') and i + 1 < end and argv[i + 1].isdigit():
            n, rest = int(argv[i + 1]), argv[:i] + argv[i + 2:]
        else:
            prefix = next((p for p in ('--jobs=', '-j') if arg.startswith(p)), None)
            if prefix is None or not arg[len(prefix):].isdigit():
                continue
            n, rest = int(arg[len(prefix):]), argv[:i] + argv[i + 1:]
        return (n, rest) if n >= 2 else (1, argv)
    return 1, argv


def run_workers(n, argv):
    """`execute -j N` of a Python jugfile: N worker processes, each running
    tasks as separate workers do (the GIL would serialise threads), sharing
    the store and its leases. Returns the worst exit status."""
    import subprocess
    command = [sys.executable, '-c', 'import jug._run; jug._run.main()'] + argv[1:]
    # One progress line on the terminal they share: the first worker's.
    quiet = command[:4] + ['--quiet'] + command[4:]
    workers = [subprocess.Popen(command if i == 0 else quiet) for i in range(n)]
    return max(worker.wait() for worker in workers)


def main():
    argv = ['jug'] + sys.argv[1:]
    jobs, argv = jobs_of(argv)
    ours = argv[:argv.index('--')] if '--' in argv else argv
    _graph.debug = '--debug' in ours or '--pdb' in ours
    _graph.pdb = '--pdb' in ours
    if jobs > 1:
        sys.exit(run_workers(jobs, argv))
    code = _engine.main(argv, builder(jugfile_of(argv), jugfile_arguments(argv)))
    # The work is done and stored: ending here spares the interpreter freeing
    # every task object one by one (a third of a second at 100,000 tasks).
    # The jugfile's own atexit handlers still run.
    import atexit
    atexit._run_exitfuncs()
    sys.stdout.flush()
    sys.stderr.flush()
    os._exit(code)
