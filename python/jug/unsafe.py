"""Arguments outside the hash, for those who know the result does not
depend on them."""

__all__ = ['NoHash']


class NoHash:
    """NoHash(obj): the task receives obj, but its hash does not cover it (a
    number of threads, a verbosity): changing it makes no new task."""

    def __init__(self, obj):
        self.obj = obj

    def __jug_value__(self):
        return self.obj

    def __jug_hash__(self):
        return b'nohash'
