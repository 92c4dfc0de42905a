"""Several `execute` processes over 200 short tasks that each append to a
log: every task runs exactly once, never in two places at once, and the
reducer sees every result."""

import collections
import subprocess

import jugtest

N = 200


class ConcurrentWorkers(jugtest.ScratchTest):
    def run_workers(self, workers, jobs=1):
        prog = self.program("append_log")
        env = dict(jugtest.os.environ, JUG_TEST_LOG=self.log)
        procs = [subprocess.Popen([prog, "execute", "-j", str(jobs), "--", str(N)], cwd=self.dir,
                                  env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                                  text=True) for _ in range(workers)]
        outputs = [p.communicate(timeout=300) for p in procs]
        for p, (out, err) in zip(procs, outputs):
            self.assertEqual(p.returncode, 0, f"worker failed:\n{out}\n{err}")
        executed = sum(jugtest.executed_count(out) for out, _ in outputs)
        self.assertEqual(executed, N + 1, "tasks run across all workers")
        self.check_log(workers)

    def check_log(self, workers):
        lines = [l.split() for l in self.read_log()]
        work = [l for l in lines if l[0] == "work"]
        runs = collections.Counter(int(l[1]) for l in work)
        self.assertEqual(sorted(runs), list(range(N)), "every task ran")
        self.assertEqual(set(runs.values()), {1}, "no task ran twice")
        sums = [l for l in lines if l[0] == "sum"]
        self.assertEqual(len(sums), 1)
        self.assertEqual(int(sums[0][1]), sum(3 * i for i in range(N)))
        if workers > 1:
            pids = {l[2] for l in work}
            self.assertGreater(len(pids), 1, "the work was shared")
        status = jugtest.status_json(self.program("append_log"), self.dir, ["--", str(N)])
        self.assertEqual(status["totals"]["finished"], N + 1)

    def test_two_processes(self):
        self.run_workers(2)

    def test_eight_processes(self):
        self.run_workers(8)

    def test_threads_in_one_process(self):
        self.run_workers(1, jobs=4)

    def test_second_execute_runs_nothing(self):
        self.run_workers(2)
        p = jugtest.run([self.program("append_log"), "execute", "--", str(N)], self.dir,
                        env={"JUG_TEST_LOG": self.log}, check=0)
        self.assertEqual(jugtest.executed_count(p.stdout), 0)


if __name__ == "__main__":
    jugtest.main()
