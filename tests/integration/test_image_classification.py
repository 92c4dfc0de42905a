"""The image-classification example (examples/image_classification) on the
book's 90 photos, through the `jug` command, as the chapter runs it: first
without LBP features, then with them added, when only the new work may run
(90 LBP tasks and the 5 tasks that use them). The accuracies must be the
chapter's; skipped when ../shared/data/SimpleImageDataset is missing. And
the message for a missing dataset, which needs none."""

import os
import unittest

import jugtest

EXAMPLE = os.path.join(jugtest.SOURCE_DIR, "examples", "image_classification", "jugfile.cpp")
DATASET = os.path.join(jugtest.SOURCE_DIR, "..", "shared", "data", "SimpleImageDataset")

WITHOUT_LBP = ["Accuracy [base]: 81.1%", "Accuracy [chists]: 90.0%",
               "Accuracy [combined]: 95.6%"]
WITH_LBP = ["Accuracy [base]: 81.1%", "Accuracy [chists]: 90.0%", "Accuracy [lbps]: 93.3%",
            "Accuracy [combined]: 95.6%", "Accuracy [combined_all]: 98.9%"]


def executed_per_name(stdout):
    """The execute summary's table: {task name: tasks run}."""
    rows = {}
    for line in stdout.splitlines():
        parts = line.split()
        if len(parts) == 2 and parts[1].isdigit():
            rows[parts[0]] = int(parts[1])
    return rows


class ImageClassification(jugtest.ScratchTest):
    def jug(self, *args, check=None):
        return jugtest.run([jugtest.JUG, args[0], EXAMPLE, "--jugdir", "store", *args[1:]],
                           self.dir, env={"JUG_CACHE_DIR": jugtest.SHARED_CACHE},
                           check=check, timeout=900)

    def results(self):
        with open(os.path.join(self.dir, "results.image.txt")) as f:
            return f.read().splitlines()

    @unittest.skipUnless(os.path.isdir(DATASET), "no dataset at " + DATASET)
    def test_adding_lbp_runs_only_the_new_work(self):
        p = self.jug("execute", "--", DATASET, check=0)
        self.assertEqual(executed_per_name(p.stdout),
                         {"texture": 90, "chist": 90, "to_array": 2, "accuracy": 3, "hstack": 1,
                          "print_results": 1})
        self.assertEqual(self.results(), WITHOUT_LBP)

        p = self.jug("execute", "--", DATASET, "--with-lbp", check=0)
        # The LBP features, their array, their accuracy, the combination of
        # all three and its accuracy, the new results; nothing else.
        self.assertEqual(executed_per_name(p.stdout),
                         {"lbp": 90, "to_array": 1, "accuracy": 2, "hstack": 1,
                          "print_results": 1})
        self.assertIn("(186 before this run", p.stdout)
        self.assertEqual(self.results(), WITH_LBP)

        p = self.jug("status", "--short", "--", DATASET, "--with-lbp", check=0)
        self.assertIn("281 of 281 tasks finished", p.stdout)

    def test_a_missing_dataset_is_explained(self):
        p = self.jug("status", "--", os.path.join(self.dir, "nowhere"), check=1)
        self.assertIn("no dataset directory", p.stderr)
        self.assertIn("nowhere", p.stderr)


if __name__ == "__main__":
    jugtest.main()
