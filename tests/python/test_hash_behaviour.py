"""What a Python task's hash depends on, as in Python jug 2.5 (python/jug/hash.py,
task.py), without the engine: NoHash and CustomHash arguments, keyword
arguments, sets and dicts in any order, numpy arrays however laid out."""

import importlib.util
import os
import sys
import unittest

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, os.path.join(os.path.dirname(os.path.dirname(HERE)), "python"))

from jug import Task  # noqa: E402  (this project's, from python/)
from jug.hash import hash_one  # noqa: E402
from jug.unsafe import NoHash  # noqa: E402
from jug.utils import CustomHash  # noqa: E402


def f(*args, **kwargs):
    return args, kwargs


def g(*args, **kwargs):
    return args, kwargs


class TaskHashes(unittest.TestCase):
    def test_name_and_every_argument_count(self):
        self.assertEqual(Task(f, 1, 2).hash(), Task(f, 1, 2).hash())
        self.assertNotEqual(Task(f, 1, 2).hash(), Task(g, 1, 2).hash())
        self.assertNotEqual(Task(f, 1, 2).hash(), Task(f, 2, 1).hash())
        self.assertNotEqual(Task(f, 1).hash(), Task(f, 1.0).hash(), "pickles differ")
        self.assertNotEqual(Task(f, [1, 2]).hash(), Task(f, (1, 2)).hash())

    def test_keyword_arguments_in_any_order(self):
        self.assertEqual(Task(f, a=1, b=2).hash(), Task(f, b=2, a=1).hash())
        self.assertNotEqual(Task(f, a=1, b=2).hash(), Task(f, a=2, b=1).hash())
        self.assertNotEqual(Task(f, 1, b=2).hash(), Task(f, 1, 2).hash())

    def test_sets_and_dicts_in_any_order(self):
        self.assertEqual(hash_one({3, 1, 2}), hash_one({2, 3, 1}))
        self.assertEqual(hash_one({'a': 1, 'b': 2}), hash_one({'b': 2, 'a': 1}))
        self.assertNotEqual(hash_one({'a': 1}), hash_one({'a': 2}))

    def test_nohash_and_customhash(self):
        self.assertEqual(Task(f, NoHash(4)).hash(), Task(f, NoHash(8)).hash())
        self.assertNotEqual(Task(f, NoHash(4)).hash(), Task(f, 4).hash())
        by_length = lambda s: hash_one(len(s))  # noqa: E731
        self.assertEqual(Task(f, CustomHash('abc', by_length)).hash(),
                         Task(f, CustomHash('xyz', by_length)).hash())
        self.assertNotEqual(Task(f, CustomHash('abc', by_length)).hash(),
                            Task(f, CustomHash('abcd', by_length)).hash())

    def test_a_task_argument_enters_by_its_hash(self):
        self.assertEqual(Task(f, Task(g, 1)).hash(), Task(f, Task(g, 1)).hash())
        self.assertNotEqual(Task(f, Task(g, 1)).hash(), Task(f, Task(g, 2)).hash())

    def test_lambdas_are_refused(self):
        with self.assertRaises(ValueError):
            Task(lambda x: x, 1)


@unittest.skipUnless(importlib.util.find_spec("numpy"), "numpy is not installed")
class ArrayHashes(unittest.TestCase):
    def test_an_array_hashes_by_dtype_shape_and_elements_whatever_its_layout(self):
        import numpy as np
        a = np.arange(12.0).reshape(3, 4)
        self.assertEqual(hash_one(a), hash_one(a.copy()))
        self.assertEqual(hash_one(a.T), hash_one(np.ascontiguousarray(a.T)))
        self.assertNotEqual(hash_one(a), hash_one(a.reshape(4, 3)))
        self.assertNotEqual(hash_one(a), hash_one(a.astype(np.float32)))
        b = a.copy()
        b[2, 3] += 1
        self.assertNotEqual(hash_one(a), hash_one(b))


if __name__ == "__main__":
    unittest.main()
