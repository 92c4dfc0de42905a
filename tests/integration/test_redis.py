"""The book's first example through the `jug` command on the Redis store:
two workers meeting only in a redis-server of the test's own (on a free
loopback port, no persistence, stopped by its pid), then status, a no-op
execute, and what a server that is not there says."""

import ctypes
import os
import shutil
import signal
import socket
import subprocess
import tempfile
import time
import unittest

import jugtest

INTRO = os.path.join(jugtest.SOURCE_DIR, "examples", "intro", "jugfile.cpp")
REDIS_SERVER = "/usr/bin/redis-server"


def die_with_parent():
    """In the child: killed when the test process dies, however it dies."""
    PR_SET_PDEATHSIG = 1
    ctypes.CDLL(None, use_errno=True).prctl(PR_SET_PDEATHSIG, signal.SIGKILL)


def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class RedisServer:
    """A redis-server on a free loopback port, in its own scratch dir."""

    def __init__(self):
        if not os.access(REDIS_SERVER, os.X_OK):
            raise AssertionError(f"{REDIS_SERVER} is missing: the Redis tests need it. "
                                 "Run scripts/install-deps.sh (it installs redis-server).")
        self.dir = tempfile.mkdtemp(prefix="jug-redis-")
        # Readiness is asked through this socket, which only our server makes
        # (once it has its port): another server that took the port in
        # between cannot be taken for ours.
        self.socket = os.path.join(self.dir, "redis.sock")
        for _ in range(5):
            self.port = free_port()
            self.log = open(os.path.join(self.dir, "redis.log"), "ab")
            self.proc = subprocess.Popen(
                [REDIS_SERVER, "--port", str(self.port), "--bind", "127.0.0.1",
                 "--dir", self.dir, "--save", "", "--appendonly", "no", "--daemonize", "no",
                 "--unixsocket", self.socket, "--unixsocketperm", "700"],
                stdout=self.log, stderr=subprocess.STDOUT, preexec_fn=die_with_parent)
            if self._wait_until_answering():
                return
            self.stop()
        raise AssertionError("redis-server did not start, see " + self.dir)

    def _wait_until_answering(self):
        deadline = time.monotonic() + 10
        while time.monotonic() < deadline:
            if self.proc.poll() is not None:
                return False
            try:
                with socket.socket(socket.AF_UNIX) as s:
                    s.settimeout(1)
                    s.connect(self.socket)
                    s.sendall(b"PING\r\n")
                    if s.recv(64).startswith(b"+PONG"):
                        return True
            except OSError:
                pass
            time.sleep(0.02)
        return False

    def url(self):
        return f"redis://127.0.0.1:{self.port}/"

    def stop(self):
        if self.proc.poll() is None:
            os.kill(self.proc.pid, 15)
            try:
                self.proc.wait(timeout=10)
            except subprocess.TimeoutExpired:
                os.kill(self.proc.pid, 9)
                self.proc.wait()
        self.log.close()

    def remove(self):
        self.stop()
        shutil.rmtree(self.dir, ignore_errors=True)


class JugOnRedis(jugtest.ScratchTest):
    def setUp(self):
        super().setUp()
        self.redis = RedisServer()
        self.env = {"JUG_CACHE_DIR": os.path.join(self.dir, "cache")}

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

    def redis_cli(self, *args):
        return subprocess.run(["redis-cli", "-s", self.redis.socket, *args], check=True,
                              capture_output=True, text=True).stdout

    def test_execute_verify_repairs_exactly_the_damaged_records(self):
        # Issue 17 on this store: a record cut to nothing, one too long.
        prog = self.program("pipeline")
        jugdir = "--jugdir=" + self.redis.url()
        jugtest.run([prog, "execute", jugdir], self.dir, check=0)
        keys = sorted(self.redis_cli("--scan", "--pattern", "jug:result:*").split())
        self.assertEqual(len(keys), 12, keys)
        self.redis_cli("SET", keys[3], "")
        self.redis_cli("APPEND", keys[7], "trailing junk")
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
    unittest.main()
