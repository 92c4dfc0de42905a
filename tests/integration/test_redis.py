"""The book's first example through the `jug` command on the Redis store:
two workers meeting only in a redis-server of the test's own (on a free
loopback port, no persistence, stopped by its pid), then status, a no-op
execute, and what a server that is not there says."""

import os
import shutil

import jugtest
from redis_server import RedisServer, free_port

INTRO = os.path.join(jugtest.SOURCE_DIR, "examples", "intro", "jugfile.cpp")


class JugOnRedis(jugtest.ScratchTest):
    def setUp(self):
        super().setUp()
        self.redis = RedisServer()
        self.env = {"JUG_CACHE_DIR": jugtest.SHARED_CACHE}

    def tearDown(self):
        self.redis.remove()
        super().tearDown()

    def jug(self, *args, check=None):
        return jugtest.run([jugtest.JUG, *args], self.dir, env=self.env, check=check)

    def test_book_example_with_two_workers_on_redis(self):
        shutil.copy(INTRO, self.dir)
        jugdir = "--jugdir=" + self.redis.url()
        self.jug("status", jugdir, check=0)  # compiles once, before the workers race
        outputs = jugtest.run_workers([jugtest.JUG, "execute", jugdir], 2, self.dir, env=self.env)
        counts = [jugtest.executed_count(out) for out in outputs]
        self.assertEqual(sum(counts), 6, counts)
        self.assertTrue(all(c > 0 for c in counts), f"one worker did everything: {counts}")
        with open(os.path.join(self.dir, "output.txt")) as f:
            self.assertEqual(f.read(), "Final result: 36\n")
        # No store directory: everything is in Redis.
        self.assertFalse(os.path.exists(os.path.join(self.dir, "jugfile.jugdata")))

        p = self.jug("status", "--short", jugdir, check=0)
        self.assertIn("6 of 6 tasks finished", p.stdout)
        p = self.jug("execute", jugdir, check=0)
        self.assertEqual(jugtest.executed_count(p.stdout), 0)
        self.jug("check", jugdir, check=0)

    def test_execute_verify_repairs_exactly_the_damaged_records(self):
        # Issue 17 on this store: a record cut to nothing, one too long.
        prog = self.program("pipeline")
        jugdir = "--jugdir=" + self.redis.url()
        jugtest.run([prog, "execute", jugdir], self.dir, check=0)
        keys = sorted(self.redis.cli("--scan", "--pattern", "jug:result:*").split())
        self.assertEqual(len(keys), 12, keys)
        self.redis.cli("SET", keys[3], "")
        self.redis.cli("APPEND", keys[7], "trailing junk")
        st = jugtest.status_json(prog, self.dir, ["--verify", jugdir])
        damaged = sorted(c["hash"] for c in st["corrupt"])
        self.assertEqual(damaged, sorted(k.split(":")[-1] for k in (keys[3], keys[7])))
        for c in st["corrupt"]:
            self.assertIn("jug execute --verify", c["why"])

        log = os.path.join(self.dir, "runs.log")
        p = jugtest.run([prog, "execute", "--verify", jugdir], self.dir,
                        env={"JUG_TEST_LOG": log}, check=0)
        self.assertIn("Verified 12 stored results: 2 unreadable", p.stdout)
        self.assertEqual(jugtest.executed_count(p.stdout), 2)
        with open(log) as f:
            self.assertEqual(len(f.read().splitlines()), 2, "only the damaged tasks ran")
        st = jugtest.status_json(prog, self.dir, ["--verify", jugdir])
        self.assertEqual(st["corrupt"], [])
        self.assertEqual(st["totals"]["finished"], 12)

    def test_execute_warns_once_of_a_server_that_keeps_results_only_in_memory(self):
        prog = self.program("pipeline")
        jugdir = "--jugdir=" + self.redis.url()  # --save "" --appendonly no
        p = jugtest.run([prog, "execute", jugdir], self.dir, check=0)
        warnings = [l for l in p.stderr.splitlines() if "warning" in l]
        self.assertEqual(len(warnings), 1, p.stderr)
        self.assertIn("keeps results only in memory", warnings[0])
        self.assertIn("appendonly yes", warnings[0])
        # Status only reads: no warning there.
        p = jugtest.run([prog, "status", jugdir], self.dir, check=0)
        self.assertNotIn("warning", p.stderr)
        # Once the server keeps them, execute says nothing.
        self.redis.cli("CONFIG", "SET", "appendonly", "yes")
        p = jugtest.run([prog, "execute", jugdir], self.dir, check=0)
        self.assertNotIn("warning", p.stderr)
        self.redis.cli("CONFIG", "SET", "maxmemory-policy", "volatile-lru")
        p = jugtest.run([prog, "execute", jugdir], self.dir, check=0)
        self.assertIn("may evict results", p.stderr)
        self.assertIn("maxmemory-policy volatile-lru", p.stderr)

    def test_cleanup_repairs_an_index_that_disagrees_with_the_keys(self):
        prog = self.program("pipeline")
        jugdir = "--jugdir=" + self.redis.url()
        jugtest.run([prog, "execute", jugdir], self.dir, check=0)
        keys = sorted(self.redis.cli("--scan", "--pattern", "jug:result:*").split())
        self.redis.cli("SREM", "jug:results", keys[0].split(":")[-1])
        self.redis.cli("SADD", "jug:results", "ab" * 32)
        st = jugtest.status_json(prog, self.dir, [jugdir])
        self.assertEqual(st["totals"]["finished"], 11, "the index hides a result")

        p = jugtest.run([prog, "cleanup", "--dry-run", jugdir], self.dir, check=0)
        self.assertIn("Would repair the store's index: 1 key it did not list, "
                      "1 entry for keys that are gone.", p.stdout)
        p = jugtest.run([prog, "cleanup", jugdir], self.dir, check=0)
        self.assertIn("Repaired the store's index: 1 key it did not list, "
                      "1 entry for keys that are gone.", p.stdout)
        self.assertIn("Removed 0 results", p.stdout)
        st = jugtest.status_json(prog, self.dir, [jugdir])
        self.assertEqual(st["totals"]["finished"], 12)
        self.assertEqual(int(self.redis.cli("SCARD", "jug:results")), 12)
        p = jugtest.run([prog, "cleanup", jugdir], self.dir, check=0)
        self.assertNotIn("index", p.stdout)

    def test_a_server_that_is_not_there_is_one_line(self):
        shutil.copy(INTRO, self.dir)
        port = free_port()
        url = f"redis://:hunter2@127.0.0.1:{port}/"
        p = self.jug("status", "--jugdir=" + url, check=1)
        lines = [l for l in p.stderr.splitlines() if not l.startswith("jug: compiling")]
        self.assertEqual(len(lines), 1, p.stderr)
        self.assertIn(f"redis://***@127.0.0.1:{port}/0", lines[0])
        self.assertIn("connection refused", lines[0])
        self.assertNotIn("hunter2", p.stderr + p.stdout)


if __name__ == "__main__":
    jugtest.main()
