"""`jug import OLD.jugdata [--jugdir NEW]`: takes over the file store Python
jug wrote, so that the jugfile's results are not computed again on this
engine (docs/python.md, "Taking over a Python jug store").

Each of Python jug's results (a file `xx/yyyy...` named by its task's hash,
holding a zlib stream: `P` and a pickle, `N` and a .npy array, nothing for
None; and those folded into `packs/jugpack`) is read whole and checked
(the stream decompresses, the pickle's opcodes parse to its end, the array's
header matches its bytes) before it is written, under the same hash, as one
of this engine's checksummed records. A pickle is moved as its bytes, never
loaded, so the jugfile's classes need not be importable here. A damaged
record is reported and skipped, never copied.

Without --jugdir, the store is taken over where it is: Python jug's files are
moved aside to OLD.python-jug first (kept, untouched), and this engine's
store is made at OLD, where `jug execute jugfile.py` looks for it."""

import io
import os
import pickle
import pickletools
import re
import sys
import zlib

from . import _engine

_HASH_FILE = re.compile(r'^[0-9a-f]{38}$')
_BATCH = 256


class Damaged(Exception):
    """A record of the old store that cannot be taken over (why, in words)."""


def _decompressed(data):
    if not data:
        return b''
    try:
        stream = zlib.decompressobj()
        out = stream.decompress(data) + stream.flush()
    except zlib.error as e:
        raise Damaged(f'its compressed bytes are damaged ({e})')
    if not stream.eof:
        raise Damaged('its compressed bytes end early')
    return out


def _checked_pickle(data):
    try:
        for _ in pickletools.genops(io.BytesIO(data)):
            pass
    except Exception as e:  # noqa: BLE001 (any parse failure is damage)
        raise Damaged(f'its pickle is damaged ({e})')
    return data


def _array_payload(npy):
    """Our `N` payload for Python jug's .npy bytes."""
    import numpy as np
    from numpy.lib import format as npy_format
    stream = io.BytesIO(npy)
    try:
        version = npy_format.read_magic(stream)
        shape, fortran, dtype = npy_format._read_array_header(stream, version)
    except Exception as e:  # noqa: BLE001
        raise Damaged(f'its array header is damaged ({e})')
    raw = npy[stream.tell():]
    expected = int(np.prod(shape, dtype=np.int64)) * dtype.itemsize
    if len(raw) != expected:
        raise Damaged(f'its array holds {len(raw)} bytes, its header says {expected}')
    if dtype.hasobject or dtype.names is not None:
        # Stored as its pickle here, as this engine stores such arrays.
        array = np.frombuffer(raw, dtype=dtype).reshape(shape, order='F' if fortran else 'C')
        return b'P' + pickle.dumps(array, pickle.HIGHEST_PROTOCOL)
    header = pickle.dumps((dtype.str, fortran, tuple(shape)), 4)
    return b'N' + len(header).to_bytes(8, 'little') + header + raw


def payload_of(data):
    """Our payload (python/engine/python_encoding.hpp) for the bytes of one of
    Python jug's result files; raises Damaged."""
    plain = _decompressed(data)
    if not plain:
        return b'P' + pickle.dumps(None, pickle.HIGHEST_PROTOCOL)
    kind, rest = plain[:1], plain[1:]
    if kind == b'P':
        return b'P' + _checked_pickle(rest)
    if kind == b'N':
        return _array_payload(rest)
    raise Damaged(f'it starts with {kind!r}, neither P (a pickle) nor N (an array)')


def _results(old):
    """(hash, path) of every result file of the old store."""
    for d in sorted(os.listdir(old)):
        directory = os.path.join(old, d)
        if len(d) != 2 or not os.path.isdir(directory):
            continue
        for f in sorted(os.listdir(directory)):
            if _HASH_FILE.match(f) and re.match('^[0-9a-f]{2}$', d):
                yield (d + f).encode('ascii'), os.path.join(directory, f)


def _packed(old):
    """(hash, payload) of the results Python jug folded into packs/jugpack.
    The pack is one pickle of a dict, so its values are loaded (and pickled
    again): their classes must be importable here."""
    pack = os.path.join(old, 'packs', 'jugpack')
    if not os.path.exists(pack):
        return
    with open(pack, 'rb') as f:
        plain = _decompressed(f.read())
    if plain[:1] != b'P':
        raise Damaged('packs/jugpack is not a pickle')
    for name, value in pickle.loads(plain[1:]).items():
        name = name.encode('ascii') if isinstance(name, str) else name
        yield name, b'P' + pickle.dumps(value, pickle.HIGHEST_PROTOCOL)


def take_over(old, new):
    """Copies the results of Python jug's store `old` into this engine's store
    `new`. Returns (imported, skipped): a count, and (hash, why) pairs."""
    imported, skipped, batch = 0, [], []

    def write():
        nonlocal imported
        if batch:
            imported += _engine.import_payloads(new, batch)
            del batch[:]

    for hash_hex, path in _results(old):
        try:
            with open(path, 'rb') as f:
                batch.append((hash_hex, payload_of(f.read())))
        except (Damaged, OSError) as e:
            skipped.append((hash_hex.decode(), str(e)))
        if len(batch) >= _BATCH:
            write()
    try:
        for hash_hex, payload in _packed(old):
            batch.append((hash_hex, payload))
    except Exception as e:  # noqa: BLE001
        skipped.append(('packs/jugpack', str(e)))
    write()
    return imported, skipped


USAGE = 'usage: jug import OLD.jugdata [--jugdir NEW]'


def main():
    args = sys.argv[1:]
    old = new = None
    i = 0
    while i < len(args):
        arg = args[i]
        if arg == '--jugdir' and i + 1 < len(args):
            new = args[i + 1]
            i += 2
            continue
        if arg.startswith('--jugdir='):
            new = arg[len('--jugdir='):]
        elif arg in ('-h', '--help'):
            print(USAGE + '\n\n' + __doc__)
            sys.exit(0)
        elif arg.startswith('-') or old is not None:
            print(f'jug import: {arg!r} was not expected\n{USAGE}', file=sys.stderr)
            sys.exit(2)
        else:
            old = arg
        i += 1
    if old is None:
        print(f'jug import: name the Python jug store to take over\n{USAGE}', file=sys.stderr)
        sys.exit(2)
    old = old.rstrip('/')
    if not os.path.isdir(old):
        print(f'jug import: {old} is not a directory: name the store Python jug wrote '
              '(jugfile.jugdata beside jugfile.py)', file=sys.stderr)
        sys.exit(1)
    source = old
    if new is None or os.path.abspath(new) == os.path.abspath(old):
        source = old + '.python-jug'
        if os.path.exists(source):
            print(f'jug import: {source} exists already (an earlier import?): move it away, or '
                  'give --jugdir NEW', file=sys.stderr)
            sys.exit(1)
        os.rename(old, source)
        new = old
        print(f'Moved Python jug\'s store to {source} (kept as it is).')
    imported, skipped = take_over(source, new)
    print(f'Imported {imported} results from {source} into {new}.')
    for name, why in skipped:
        print(f'  skipped {name}: {why}', file=sys.stderr)
    if skipped:
        print(f'jug import: {len(skipped)} damaged or unreadable results were skipped, not '
              'copied: `jug execute` computes them again', file=sys.stderr)
        sys.exit(1)
