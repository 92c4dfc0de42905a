"""The image-classification example on all 90 photos, with LBP, run in
parallel from an empty store: once with `jug execute -j 2`, once with two
`jug execute` processes at once. Both must give the chapter's accuracies,
and every task must run exactly once. Skipped without the dataset."""

import os
import subprocess
import unittest

import jugtest
from test_image_classification import DATASET, EXAMPLE, WITH_LBP

ALL_TASKS = 90 * 3 + 3 + 5 + 2 + 1  # features, arrays, accuracies, hstacks, results


@unittest.skipUnless(os.path.isdir(DATASET), "no dataset at " + DATASET)
class ImageClassificationInParallel(jugtest.ScratchTest):
    def command(self, *extra):
        return [jugtest.JUG, "execute", EXAMPLE, "--jugdir", "store", *extra, "--", DATASET,
                "--with-lbp"]

    def env(self):
        return dict(os.environ, JUG_CACHE_DIR=jugtest.SHARED_CACHE)

    def results(self):
        with open(os.path.join(self.dir, "results.image.txt")) as f:
            return f.read().splitlines()

    def test_two_threads(self):
        p = subprocess.run(self.command("-j", "2"), cwd=self.dir, env=self.env(),
                           capture_output=True, text=True, timeout=900)
        self.assertEqual(p.returncode, 0, p.stdout + p.stderr)
        self.assertEqual(jugtest.executed_count(p.stdout), ALL_TASKS)
        self.assertEqual(self.results(), WITH_LBP)

    def test_two_processes(self):
        # Compile once first, so that both workers start together.
        jugtest.run([jugtest.JUG, "status", EXAMPLE, "--jugdir", "store", "--", DATASET],
                    self.dir, env={"JUG_CACHE_DIR": jugtest.SHARED_CACHE}, check=0)
        workers = [subprocess.Popen(self.command(), cwd=self.dir, env=self.env(),
                                    stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
                   for _ in range(2)]
        outputs = [w.communicate(timeout=900) for w in workers]
        for w, (out, err) in zip(workers, outputs):
            self.assertEqual(w.returncode, 0, out + err)
        counts = [jugtest.executed_count(out) for out, _ in outputs]
        self.assertEqual(sum(counts), ALL_TASKS, "each task ran once")
        self.assertTrue(all(c > 0 for c in counts), f"one worker did everything: {counts}")
        self.assertEqual(self.results(), WITH_LBP)


if __name__ == "__main__":
    jugtest.main()
