"""The crash-recovery torture test (test_crash_recovery.Torture: eight
workers over 2,021 tasks, random ones SIGKILLed and replaced) on the Redis
store: every worker and every status is given `--jugdir redis://` of a
redis-server of the test's own, and what the file store's test reads in its
directories (failure and crash records) is read from the server's keys
(docs/redis.md). Every result right, no task run in two places at once, a
task run twice only where its worker was killed, nothing left running."""

import os

import jugtest
import test_crash_recovery
from redis_server import RedisServer


class TortureOnRedis(test_crash_recovery.Torture):
    # A lease is one SET NX of its owner: none can be left naming nobody.
    LEASES_NAME_THEIR_OWNER_AT_ONCE = True

    def setUp(self):
        super().setUp()
        self.redis = RedisServer()
        self.addCleanup(self.redis.remove)

    def store_args(self):
        return ["--jugdir", self.redis.url()]

    def members(self, key):
        return self.redis.cli("SMEMBERS", key).split()

    def failure_records(self):
        return self.members("jug:failures")

    def crash_records(self):
        return {h: self.redis.cli("LRANGE", f"jug:crashes:{h}", "0", "-1").splitlines()
                for h in self.members("jug:crashed")}

    def test_torture(self):
        super().test_torture()
        # Everything went to the server: no directory store beside the program.
        self.assertFalse(os.path.exists(os.path.join(self.dir, "torture.jugdata")))
        # The index and the keys agree: one result per task.
        self.assertEqual(int(self.redis.cli("SCARD", "jug:results")), self.total_tasks)
        results = self.redis.cli("--scan", "--pattern", "jug:result:*").split()
        self.assertEqual(len(results), self.total_tasks)
        # Every failure and crash key is in its index (and none is left).
        self.assertEqual(self.redis.cli("--scan", "--pattern", "jug:failure:*").split(), [])
        crash_keys = {k.split(":")[-1]
                      for k in self.redis.cli("--scan", "--pattern", "jug:crashes:*").split()}
        self.assertEqual(crash_keys, set(self.members("jug:crashed")))
        # A lease still held belongs to a killed worker (killed after storing
        # the result and before giving the lease back): no worker that ended
        # by itself left any, and the index names exactly the lease keys.
        leases = self.members("jug:leases")
        lease_keys = {k.split(":")[-1]
                      for k in self.redis.cli("--scan", "--pattern", "jug:lease:*").split()}
        self.assertEqual(lease_keys, set(leases))
        killed_pids = {w.proc.pid for w in self.workers.values() if w.killed_at is not None}
        for h in leases:
            value = self.redis.cli("GET", f"jug:lease:{h}")
            pids = [int(line[4:]) for line in value.splitlines() if line.startswith("pid=")]
            self.assertEqual(len(pids), 1, f"lease on {h}: {value!r}")
            self.assertIn(pids[0], killed_pids, f"lease on {h} held by a worker not killed: "
                                                f"{value!r}")
        print(f"redis: {len(leases)} leases left by killed workers, "
              f"{len(crash_keys)} tasks with crash records left")


if __name__ == "__main__":
    jugtest.main()
