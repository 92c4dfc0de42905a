"""The lone worker (docs/store-layout.md, "The lone worker"): a `jug execute`
alone on a store takes its leases in one file, locks/lone-worker.lock, and no
lock file per task; a second worker started beside it gets its share of the
tasks once the first has made way, every task running once; a lone worker
killed mid-task has its crash recorded and its task taken over."""

import glob
import os
import signal
import subprocess
import time
import unittest

import jugtest


class LoneWorker(jugtest.ScratchTest):

    def setUp(self):
        super().setUp()
        self.prog = self.program("sleepy")
        self.store = os.path.join(self.dir, "sleepy.jugdata")
        self.env = dict(os.environ, JUG_TEST_LOG=self.log)

    def locks(self):
        return sorted(os.path.basename(p)
                      for p in glob.glob(os.path.join(self.store, "locks", "*")))

    def start(self, *args):
        return subprocess.Popen([self.prog, "execute", *args], cwd=self.dir, env=self.env,
                                stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)

    def wait_for(self, what, condition, timeout=30):
        deadline = time.monotonic() + timeout
        while not condition():
            if time.monotonic() > deadline:
                self.fail(f"waited {timeout} s for {what}")
            time.sleep(0.02)

    def starts(self):
        return [line.split() for line in self.read_log() if line.startswith("start ")]

    def test_alone_it_takes_no_lock_file_per_task(self):
        worker = self.start("--", "6", "300")
        self.wait_for("a task to start", lambda: self.starts())
        with open(os.path.join(self.store, "jugdata-format")) as f:
            self.assertEqual(f.read(), "jug-cpp file store 3\n")
        self.assertEqual(self.locks(), ["lone-worker.lock"])
        with open(os.path.join(self.store, "locks", "lone-worker.lock")) as f:
            content = f.read()
        self.assertIn(f"pid={worker.pid}\n", content)
        self.assertEqual(content.count("task="), 1, content)
        status = jugtest.status_json(self.prog, self.dir, extra=("--", "6", "300"))
        self.assertEqual(status["totals"]["running"], 1, status)
        out, _ = worker.communicate(timeout=60)
        self.assertEqual(worker.returncode, 0, out)
        self.assertEqual(jugtest.executed_count(out), 6)
        self.assertEqual(self.locks(), [], "given back on exit")

    def test_a_second_worker_gets_its_share_and_each_task_runs_once(self):
        first = self.start("--", "24", "150")
        self.wait_for("the first worker to start a task", lambda: self.starts())
        self.assertEqual(self.locks(), ["lone-worker.lock"])
        second = self.start("--", "24", "150")
        outs = [w.communicate(timeout=120)[0] for w in (first, second)]
        for w, out in zip((first, second), outs):
            self.assertEqual(w.returncode, 0, out)
        runs = [int(s[1]) for s in self.starts()]
        self.assertEqual(sorted(runs), list(range(24)), "every task once")
        by_pid = {int(s[2]) for s in self.starts()}
        self.assertEqual(by_pid, {first.pid, second.pid}, "both workers ran tasks")
        self.assertEqual(sum(jugtest.executed_count(o) for o in outs), 24)
        self.assertEqual(self.locks(), [])

    def test_a_lone_worker_killed_mid_task_has_its_crash_recorded(self):
        # lease_holder's `held` waits for the file JUG_TEST_RELEASE.
        self.prog = self.program("lease_holder")
        self.store = os.path.join(self.dir, "lease_holder.jugdata")
        release = os.path.join(self.dir, "release")
        self.env["JUG_TEST_RELEASE"] = release
        worker = self.start()
        self.wait_for("held to start", lambda: any(l.startswith("start ")
                                                    for l in self.read_log()))
        self.assertEqual(self.locks(), ["lone-worker.lock"])
        os.kill(worker.pid, signal.SIGKILL)
        worker.wait(timeout=30)
        self.assertEqual(self.locks(), ["lone-worker.lock"], "left as lock files would be")

        status = jugtest.status_json(self.prog, self.dir)
        self.assertEqual(len(status["abandoned"]), 1, status)
        open(release, "w").close()
        p = jugtest.run([self.prog, "execute"], self.dir, env=self.env, check=0)
        self.assertRegex(p.stdout + p.stderr,
                         rf"Taking over task held\b.*pid {worker.pid} .*no longer exists")
        self.assertEqual(self.locks(), [])
        self.assertEqual(jugtest.status_json(self.prog, self.dir)["totals"]["failed"], 0)

    def test_without_it_a_store_keeps_a_lock_file_per_task(self):
        self.env["JUG_LONE_WORKER"] = "0"
        worker = self.start("--", "4", "300")
        self.wait_for("a task to start", lambda: self.starts())
        with open(os.path.join(self.store, "jugdata-format")) as f:
            self.assertEqual(f.read(), "jug-cpp file store 2\n")
        self.assertEqual(len(self.locks()), 1)
        self.assertTrue(self.locks()[0].endswith(".lock"))
        self.assertNotEqual(self.locks()[0], "lone-worker.lock")
        out, _ = worker.communicate(timeout=60)
        self.assertEqual(worker.returncode, 0, out)


if __name__ == "__main__":
    jugtest.main()
