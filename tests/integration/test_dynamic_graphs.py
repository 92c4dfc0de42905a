"""Graphs that depend on results and on input files, through the `jug`
command as a user runs them: the barrier and mapreduce examples (two workers
through five barriers, status and check before and after, sleep-until
following barriers, cleanup refusing to guess), and a jugfile whose graph is
read from an input file, run again after the file changes."""

import os
import shutil
import subprocess
import time

import jugtest

EXAMPLES = os.path.join(jugtest.SOURCE_DIR, "examples")


class DynamicGraphs(jugtest.ScratchTest):
    def setUp(self):
        super().setUp()
        self.env = {"JUG_CACHE_DIR": jugtest.SHARED_CACHE}

    def jug(self, *args, cwd, check=None):
        return jugtest.run([jugtest.JUG, *args], cwd, env=self.env, check=check)

    def example(self, name):
        path = os.path.join(self.dir, name)
        shutil.copytree(os.path.join(EXAMPLES, name), path,
                        ignore=shutil.ignore_patterns("*.jugdata", "search.txt", "word_counts.txt"))
        return path

    def start(self, *args, cwd):
        return subprocess.Popen([jugtest.JUG, *args], cwd=cwd, env=dict(os.environ, **self.env),
                                stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)

    def test_barrier_example_with_two_workers(self):
        d = self.example("barrier")
        p = self.jug("status", cwd=d, check=0)
        self.assertIn("The jugfile stops at jug::bvalue(best_of) at jugfile.cpp:", p.stdout)
        self.assertIn("0 of 10 tasks finished", self.jug("status", "--short", cwd=d, check=0).stdout)
        self.jug("check", cwd=d, check=1)
        # Results of tasks after the barrier cannot be told from unused ones.
        p = self.jug("cleanup", cwd=d, check=1)
        self.assertIn("stops at jug::bvalue(best_of)", p.stderr)
        self.jug("cleanup", "--locks-only", cwd=d, check=0)

        # sleep-until, started first, must wait through every round.
        waiter = self.start("sleep-until", cwd=d)
        workers = [self.start("execute", cwd=d) for _ in range(2)]
        outputs = [w.communicate(timeout=300) for w in workers]
        for w, (out, err) in zip(workers, outputs):
            self.assertEqual(w.returncode, 0, out + err)
            self.assertIn("Passed jug::bvalue(best_of)", out)
        counts = [jugtest.executed_count(out) for out, _ in outputs]
        # 5 rounds of 9 points sharing 2 with the round before: 33
        # evaluations, 5 best_of, 1 write_result, each run once.
        self.assertEqual(sum(counts), 39, counts)
        self.assertTrue(all(c > 0 for c in counts), f"one worker did everything: {counts}")
        out, err = waiter.communicate(timeout=60)
        self.assertEqual(waiter.returncode, 0, out + err)

        with open(os.path.join(d, "search.txt")) as f:
            rounds = f.read().splitlines()
        self.assertEqual(len(rounds), 5)
        last_x = float(rounds[-1].split("best x = ")[1].split(",")[0])
        self.assertAlmostEqual(last_x, 1.2345, delta=0.01)

        self.jug("check", cwd=d, check=0)
        p = self.jug("status", "--short", cwd=d, check=0)
        self.assertIn("39 of 39 tasks finished", p.stdout)
        self.assertNotIn("more after", p.stdout)
        p = self.jug("execute", cwd=d, check=0)
        self.assertEqual(jugtest.executed_count(p.stdout), 0)
        self.assertNotIn("Passed", p.stdout, "a finished graph is built whole at once")
        self.jug("cleanup", cwd=d, check=0)

    def test_sleep_until_fails_when_a_task_before_the_barrier_fails(self):
        d = os.path.join(self.dir, "failing")
        os.mkdir(d)
        with open(os.path.join(d, "jugfile.cpp"), "w") as f:
            f.write("""#include <jug/jug.hpp>
#include <stdexcept>
const jug::TaskGenerator half("half", [](int x) {
  if (x % 2) throw std::invalid_argument("odd");
  return x / 2;
});
int main(int argc, char** argv) {
  return jug::main(argc, argv, [] {
    auto h = half(3);
    jug::barrier();
    half(jug::value(h));
  });
}
""")
        p = self.jug("execute", "--keep-going", cwd=d, check=1)
        self.assertIn("odd", p.stdout)
        self.assertIn("The jugfile stops at the barrier at jugfile.cpp:10", p.stdout)
        p = self.jug("sleep-until", cwd=d, check=1)
        self.assertIn("cannot finish", p.stdout)

    def test_mapreduce_example_recomputes_only_what_a_changed_file_touches(self):
        d = self.example("mapreduce")
        p = self.jug("execute", cwd=d, check=0)
        self.assertEqual(jugtest.executed_count(p.stdout), 9)
        with open(os.path.join(d, "word_counts.txt")) as f:
            first = f.read().splitlines()
        self.assertEqual(first[0], "614 words, 287 different")
        self.assertEqual(first[1], "66 the")

        time.sleep(0.01)  # a new modification time, whatever the clock's grain
        with open(os.path.join(d, "texts", "01-rivers.txt"), "a") as f:
            f.write("The river is long.\n")
        p = self.jug("execute", cwd=d, check=0)
        # Its map task, the two reduce tasks above it, the report.
        self.assertEqual(jugtest.executed_count(p.stdout), 4, p.stdout)
        with open(os.path.join(d, "word_counts.txt")) as f:
            second = f.read().splitlines()
        self.assertEqual(second[0], "618 words, 288 different")
        self.assertEqual(second[1], "67 the")
        self.assertEqual(jugtest.executed_count(self.jug("execute", cwd=d, check=0).stdout), 0)

        os.remove(os.path.join(d, "texts", "05-maps.txt"))
        p = self.jug("execute", cwd=d, check=0)
        # Files 6..9 shift into two new pairs: 2 map tasks, now 4 partial
        # counts merged by one reduce task, and the report.
        self.assertEqual(jugtest.executed_count(p.stdout), 2 + 1 + 1, p.stdout)

    def test_graph_read_from_an_input_file_follows_the_file(self):
        d = os.path.join(self.dir, "numbers")
        os.mkdir(d)
        with open(os.path.join(d, "jugfile.cpp"), "w") as f:
            f.write("""#include <jug/jug.hpp>
#include <fstream>
#include <string>
#include <vector>
const jug::TaskGenerator square("square", [](long x) { return x * x; });
const jug::TaskGenerator total("total", [](const std::vector<long>& xs, const std::string& out) {
  long t = 0;
  for (long x : xs) t += x;
  std::ofstream(out) << t << '\\n';
  return t;
});
int main(int argc, char** argv) {
  return jug::main(argc, argv, [] {
    // One task per line of numbers.txt: the file decides the graph's shape.
    std::ifstream in("numbers.txt");
    std::vector<jug::Task<long>> squares;
    for (long n; in >> n;) squares.push_back(square(n));
    total(squares, "total.txt");
  });
}
""")
        numbers = os.path.join(d, "numbers.txt")
        with open(numbers, "w") as f:
            f.write("1\n2\n3\n")
        self.assertIn("0 of 4 tasks", self.jug("status", "--short", cwd=d, check=0).stdout)
        p = self.jug("execute", cwd=d, check=0)
        self.assertEqual(jugtest.executed_count(p.stdout), 4)
        with open(os.path.join(d, "total.txt")) as f:
            self.assertEqual(f.read(), "14\n")

        with open(numbers, "w") as f:
            f.write("1\n2\n3\n10\n")
        p = self.jug("status", "--short", cwd=d, check=0)
        self.assertIn("3 of 5 tasks finished", p.stdout)
        p = self.jug("execute", cwd=d, check=0)
        self.assertEqual(jugtest.executed_count(p.stdout), 2, "square(10) and the new total")
        with open(os.path.join(d, "total.txt")) as f:
            self.assertEqual(f.read(), "114\n")


if __name__ == "__main__":
    jugtest.main()
