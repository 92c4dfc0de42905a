"""Two machines that share no disk, only a network, as the Redis store is
for (docs/redis.md): two network namespaces joined by a veth pair, a
redis-server in the first bound to its address, and in each a worker in a
working directory of its own with its own copy of the jugfile, compiled by
its own `jug` (its own cache) and run as a user types it:

    jug execute jugfile.cpp --jugdir redis://10.231.X.1:PORT/

Together the two complete the graph, each task run exactly once by one of
them; status from the second namespace sees it all done, with the right
values. Every client (jug, redis-cli) runs inside a namespace (`ip netns
exec`); the test itself only asks the server whether it is up, through a
unix socket in the server's directory.
Needs root (CAP_SYS_ADMIN and CAP_NET_ADMIN) to make the namespaces: without
them the test fails and says so."""

import json
import os
import shutil
import subprocess
import tempfile
import time
import unittest

import jugtest
from redis_server import RedisServer

IP = "/usr/sbin/ip" if os.path.exists("/usr/sbin/ip") else "/sbin/ip"
# The torture test's jugfile: `work(i)` tasks of 0-20 ms, sums of blocks of
# 100 and a total, each logging `start|end KEY PID WORKER NS` to
# $JUG_TEST_LOG; `-- N check` prints every value.
JUGFILE = os.path.join(jugtest.SOURCE_DIR, "tests", "integration", "jugfiles", "torture.cpp")
BLOCK = 100


def ip(*args):
    """Runs `ip ARGS`; raises with what it said when it fails."""
    p = subprocess.run([IP, *args], capture_output=True, text=True, timeout=60)
    if p.returncode != 0:
        raise AssertionError(f"`ip {' '.join(args)}` exited {p.returncode}: "
                             f"{(p.stderr or p.stdout).strip()}")
    return p.stdout


class Machine:
    """A namespace with a working directory and a `jug` cache of its own."""

    def __init__(self, name, netns, worker_number, redis_password):
        self.name = name
        self.netns = netns
        self.worker_number = worker_number
        self.dir = tempfile.mkdtemp(prefix=f"jug-machine{name}-")
        self.log = os.path.join(self.dir, "runs.log")
        self.env = dict(os.environ, JUG_CACHE_DIR=os.path.join(self.dir, "cache"),
                        JUG_TEST_LOG=self.log, JUG_TEST_WORKER=str(worker_number),
                        JUG_REDIS_PASSWORD=redis_password)
        shutil.copy(JUGFILE, os.path.join(self.dir, "jugfile.cpp"))

    def command(self, *args):
        """`jug ARGS`, run inside this machine's namespace, in its directory."""
        return [IP, "netns", "exec", self.netns, jugtest.JUG, *args]

    def start(self, *args):
        return subprocess.Popen(self.command(*args), cwd=self.dir, env=self.env,
                                stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)

    def log_lines(self):
        if not os.path.exists(self.log):
            return []
        with open(self.log) as f:
            return [line.split() for line in f if line.strip()]


class NoSharedDisk(unittest.TestCase):
    N = 300  # work tasks: about 3 s of sleeping in all

    def setUp(self):
        pid = os.getpid()
        self.netns = {"A": f"jugA-{pid}", "B": f"jugB-{pid}"}
        subnet = f"10.231.{pid % 253 + 1}"
        self.address = {"A": f"{subnet}.1", "B": f"{subnet}.2"}
        self.make_network(pid)
        self.procs = []
        self.addCleanup(self.kill_procs)
        # A server on a network, as docs/redis.md says to run one: bound to
        # that network only, with a password (the workers have it in
        # JUG_REDIS_PASSWORD, as a job script would give it).
        self.password = "jug-" + os.urandom(8).hex()
        self.redis = RedisServer(bind=self.address["A"], password=self.password,
                                 prefix=[IP, "netns", "exec", self.netns["A"]])
        self.addCleanup(self.redis.remove)
        self.machines = {name: Machine(name, self.netns[name], number, self.password)
                         for number, name in enumerate("AB", start=1)}
        for m in self.machines.values():
            self.addCleanup(shutil.rmtree, m.dir, ignore_errors=True)
        self.jugdir = self.redis.url()
        self.total_tasks = self.N + (self.N + BLOCK - 1) // BLOCK + 1

    def make_network(self, pid):
        """Namespaces A and B, `lo` up in each, joined by a veth pair made in
        them (never in the test's own namespace), A .1 and B .2 of a /24."""
        if not os.path.exists(IP):
            raise AssertionError(f"{IP} is missing: this test needs iproute2 (apt-get install "
                                 "iproute2)")
        for name, ns in self.netns.items():
            p = subprocess.run([IP, "netns", "add", ns], capture_output=True, text=True)
            if p.returncode != 0:
                raise AssertionError(
                    f"cannot make network namespace {ns}: `ip netns add` said: "
                    f"{p.stderr.strip()}. This test needs root with CAP_SYS_ADMIN and "
                    "CAP_NET_ADMIN (in a container: --privileged or --cap-add "
                    "SYS_ADMIN --cap-add NET_ADMIN); it is not skipped, so that a run "
                    "without them does not pass for one that tested something.")
            self.addCleanup(self.delete_netns, ns)
        veth = {"A": f"jugA{pid}", "B": f"jugB{pid}"}
        ip("link", "add", veth["A"], "netns", self.netns["A"], "type", "veth",
           "peer", "name", veth["B"], "netns", self.netns["B"])
        for name, ns in self.netns.items():
            ip("-n", ns, "addr", "add", f"{self.address[name]}/24", "dev", veth[name])
            ip("-n", ns, "link", "set", "lo", "up")
            ip("-n", ns, "link", "set", veth[name], "up")
        # Both ends up before anything connects (no traffic: the kernel's word).
        deadline = time.monotonic() + 10
        while not all(" UP " in ip("-n", ns, "-br", "link", "show", "dev", veth[name]) + " "
                      for name, ns in self.netns.items()):
            self.assertLess(time.monotonic(), deadline, "the veth pair did not come up")
            time.sleep(0.05)

    def delete_netns(self, ns):
        # Its veth end goes with it, and so the pair.
        subprocess.run([IP, "netns", "delete", ns], capture_output=True)

    def kill_procs(self):
        for p in self.procs:
            if p.poll() is None:
                p.kill()
                p.communicate()

    def run_in(self, machine, *args, check=0):
        p = machine.start(*args)
        self.procs.append(p)
        out, err = p.communicate(timeout=300)
        if check is not None and p.returncode != check:
            raise AssertionError(f"jug {' '.join(args)} in namespace {machine.netns} exited "
                                 f"{p.returncode}\n--- stdout\n{out}\n--- stderr\n{err}")
        return out, err

    def redis_cli_in(self, machine, *args):
        """redis-cli from `machine`'s namespace, over the network."""
        return subprocess.run(
            [IP, "netns", "exec", machine.netns, "/usr/bin/redis-cli", "-h", self.address["A"],
             "-p", str(self.redis.port), *args],
            env=dict(os.environ, REDISCLI_AUTH=self.password), check=True,
            capture_output=True, text=True, timeout=60).stdout

    def status_json(self, machine):
        out, _ = self.run_in(machine, "status", "jugfile.cpp", "--json", "--jugdir", self.jugdir,
                             "--", str(self.N))
        return json.loads(out)

    def test_two_machines_complete_the_graph_through_redis_alone(self):
        a, b = self.machines["A"], self.machines["B"]
        # The server is in A's namespace, not the test's.
        self.assertNotEqual(os.readlink(f"/proc/{self.redis.pid}/ns/net"),
                            os.readlink("/proc/self/ns/net"))

        # Each machine compiles its own copy (its own cache), both at once;
        # status, before anything ran, reaches the server from both.
        compiles = [m.start("status", "jugfile.cpp", "--json", "--jugdir", self.jugdir,
                            "--", str(self.N)) for m in (a, b)]
        self.procs += compiles
        for m, p in zip((a, b), compiles):
            out, err = p.communicate(timeout=300)
            self.assertEqual(p.returncode, 0, f"status in {m.netns}:\n{out}\n{err}")
            self.assertIn("jug: compiling jugfile.cpp", err, f"{m.netns} did not compile")
            st = json.loads(out)
            self.assertEqual(st["tasks"], self.total_tasks)
            self.assertEqual(st["totals"]["finished"], 0)
            self.assertIn(f"{self.address['A']}:{self.redis.port}", st["store"])

        # The two workers, started together.
        workers = [m.start("execute", "jugfile.cpp", "--jugdir", self.jugdir, "--", str(self.N))
                   for m in (a, b)]
        self.procs += workers
        counts = []
        for m, p in zip((a, b), workers):
            out, err = p.communicate(timeout=300)
            self.assertEqual(p.returncode, 0, f"execute in {m.netns}:\n{out}\n{err}")
            self.assertNotIn("jug: compiling", err, "compiled again")
            counts.append(jugtest.executed_count(out))
        report = f"executed: A {counts[0]}, B {counts[1]}"
        self.assertTrue(all(c > 0 for c in counts), "one worker did everything: " + report)
        self.assertEqual(sum(counts), self.total_tasks, report)

        # From the logs: every task started and ended exactly once, in the
        # worker that counted it.
        keys = ({f"w{i}" for i in range(self.N)}
                | {f"b{k}" for k in range(self.total_tasks - self.N - 1)} | {"total"})
        runs = {}  # key -> machine
        for m, count, p in zip((a, b), counts, workers):
            lines = m.log_lines()
            self.assertTrue(all(len(f) == 5 and f[2] == str(p.pid) and f[3] == str(m.worker_number)
                                for f in lines), f"{m.netns}'s log: {lines[:5]}")
            starts = [f[1] for f in lines if f[0] == "start"]
            ends = [f[1] for f in lines if f[0] == "end"]
            self.assertEqual(sorted(starts), sorted(ends), f"{m.netns}: a task did not end")
            self.assertEqual(len(starts), len(set(starts)), f"{m.netns} ran a task twice")
            self.assertEqual(len(starts), count, f"{m.netns} ran other than it says")
            for key in starts:
                self.assertNotIn(key, runs, f"{key} ran in both namespaces")
                runs[key] = m.name
        self.assertEqual(set(runs), keys)

        # Status from B: all done, nothing running or failed.
        st = self.status_json(b)
        self.assertEqual(st["totals"]["finished"], self.total_tasks)
        self.assertEqual(st["totals"]["running"], 0)
        self.assertEqual(st["totals"]["failed"], 0)
        self.assertEqual(st["abandoned"], [])
        # The values, as B reads them.
        out, _ = self.run_in(b, "status", "jugfile.cpp", "--short", "--jugdir", self.jugdir,
                             "--", str(self.N), "check")
        values = {}
        for line in out.splitlines():
            f = line.split()
            if f and f[0] in ("w", "b", "total"):
                values["".join(f[:-2])] = int(f[-2])
        expected = {f"w{i}": i * i + 1 for i in range(self.N)}
        for k in range(len(keys) - self.N - 1):
            expected[f"b{k}"] = sum(i * i + 1 for i in range(k * BLOCK, min(self.N, (k + 1) * BLOCK)))
        expected["total"] = sum(i * i + 1 for i in range(self.N))
        self.assertEqual(values, expected)
        # And `check` agrees, from A as from B.
        for m in (a, b):
            self.run_in(m, "check", "jugfile.cpp", "--jugdir", self.jugdir, "--", str(self.N))

        # Nothing on either disk but the jugfile, its log and its cache: the
        # store is the server.
        for m in (a, b):
            self.assertEqual(sorted(os.listdir(m.dir)), ["cache", "jugfile.cpp", "runs.log"])
        # Both jugfiles noted as users of the store, each by its own path.
        users = set(self.redis_cli_in(b, "SMEMBERS", "jug:users").split())
        self.assertEqual(users, {os.path.join(m.dir, "jugfile.cpp") for m in (a, b)})
        print(f"\nno shared disk: {report} of {self.total_tasks} tasks")


if __name__ == "__main__":
    jugtest.main()
