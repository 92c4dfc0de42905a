"""Task hashes exactly as Python jug 2.5 computes them, so that a Python
jugfile's tasks keep their identity (and their stored results) on this
engine: SHA-1 over a walk of the task's name and arguments in which each
name is pickled, then each value is fed in by its kind (docs/python.md,
"Hashes")."""

import hashlib
import pickle
import sys


def new_hash_object():
    """A fresh hash object: SHA-1, as Python jug uses."""
    return hashlib.sha1()


def _is_array(kind):
    """Is `kind` numpy's ndarray? Asked of numpy only if the jugfile imported
    it (otherwise no value can be an array, and importing numpy would cost
    every jug command a tenth of a second)."""
    numpy = sys.modules.get('numpy')
    return numpy is not None and kind is numpy.ndarray


def _feed_array(M, array):
    M.update(b'np.ndarray')
    M.update(pickle.dumps(array.dtype))
    M.update(pickle.dumps(array.shape))
    try:
        M.update(array.data)
    except Exception:
        # Not contiguous (a transposed view, say): the bytes of a copy.
        M.update(array.copy().data)


def hash_update(M, elems):
    """Feeds `elems`, (name, value) pairs, to the hash object `M`; returns M.

    A value with a __jug_hash__ method (a task, a tasklet, jug.utils.CustomHash)
    gives its own bytes; lists and tuples are walked element by element after
    their type's repr; sets and dicts in an order independent of Python's
    randomised hashing (by the hash of each element or key); numpy arrays as
    their dtype, shape and raw bytes; anything else as its pickle."""
    for name, e in elems:
        M.update(pickle.dumps(name))
        kind = type(e)
        if hasattr(e, '__jug_hash__'):
            M.update(e.__jug_hash__())
        elif kind is list or kind is tuple:
            M.update(repr(kind).encode('utf-8'))
            hash_update(M, enumerate(e))
        elif kind is set:
            M.update(b'set')
            hash_update(M, enumerate(sorted(hash_one(element) for element in e)))
        elif kind is dict:
            M.update(b'dict')
            entries = sorted(((hash_one(key), v) for key, v in e.items()),
                             key=lambda entry: entry[0])
            hash_update(M, entries)
        elif _is_array(kind):
            _feed_array(M, e)
        else:
            M.update(pickle.dumps(e))
    return M


def _python_hash_one(obj):
    """The hash of one value, as hex digits in bytes (b'3f2a...')."""
    return hash_update(new_hash_object(), [('hash1', obj)]).hexdigest().encode('utf-8')


def _python_hash_of_pairs(elems):
    """hash_update over `elems` into a new hash object: its hex digest, in bytes."""
    return hash_update(new_hash_object(), elems).hexdigest().encode('utf-8')


# The same walk in C++ where the engine is built (python/engine/python_hash.hpp):
# the same bytes, without the interpreter in the loop.
try:
    from ._engine import hash_of_pairs, hash_one
except ImportError:
    hash_one = _python_hash_one
    hash_of_pairs = _python_hash_of_pairs
