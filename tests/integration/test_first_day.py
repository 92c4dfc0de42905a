"""A new user's first day (issue 21), through the jug command with .cpp
jugfiles as a user writes them: two generators given one name by a
copy-paste slip, jug::value before its task has run, a task made at
namespace scope."""

import os

import jugtest
import stored_results

SAME_NAME = """#include <jug/jug.hpp>

const jug::TaskGenerator sq("sq", [](int x) { return x * x; });
const jug::TaskGenerator cube("sq", [](int x) { return x * x * x; });

int main(int argc, char** argv) {
  return jug::main(argc, argv, [] {
    sq(2);
    cube(3);
  });
}
"""

# `-- value` reads a result with jug::value and no barrier before it;
# JUG_TEST_EARLY_TASK makes a task at namespace scope, JUG_TEST_EARLY_BARRIER
# calls jug::barrier() there.
MISTAKES = """#include <jug/jug.hpp>

#include <cstdio>
#include <cstdlib>
#include <optional>

const jug::TaskGenerator twice("twice", [](int x) { return 2 * x; });

const std::optional<jug::Task<int>> early =
    std::getenv("JUG_TEST_EARLY_TASK") ? std::optional(twice(1)) : std::nullopt;
const bool early_barrier = std::getenv("JUG_TEST_EARLY_BARRIER") && (jug::barrier(), true);

int main(int argc, char** argv) {
  return jug::main(argc, argv, [] {
    auto t = twice(21);
    if (!jug::arguments().empty() && jug::arguments()[0] == "value") {
      std::printf("value: %d\\n", jug::value(t));
    }
    if (!jug::arguments().empty() && jug::arguments()[0] == "bvalue") {
      std::printf("bvalue: %d\\n", jug::bvalue(t));
    }
  });
}
"""


# `{fields}`, `{serialize}` and `{sq_type}` change between two versions of
# the jugfile, as a user edits it: a field added to the result struct, and
# a return type widened, both without a {.version} bump.
CHANGING = """#include <jug/jug.hpp>

#include <fstream>
#include <vector>

struct Fit {{
  {fields}
  template <class Archive>
  void serialize(Archive& ar) {{ ar({serialize}); }}
}};

const jug::TaskGenerator fit("fit", [](int i) {{
  Fit f;
  f.slope = i * 0.5;
  return f;
}});
const jug::TaskGenerator total("total", [](const std::vector<Fit>& fits) {{
  double sum = 0;
  for (const Fit& f : fits) sum += f.slope;
  return sum;
}});
const jug::TaskGenerator sq("sq", [](int x) -> {sq_type} {{ return x * x; }});
const jug::TaskGenerator report("report", [](double first, double sum) {{
  std::ofstream("report.txt") << first << " " << sum << "\\n";
}});

int main(int argc, char** argv) {{
  return jug::main(argc, argv, [] {{
    std::vector<jug::Task<Fit>> fits;
    for (int i = 0; i < 10; ++i) fits.push_back(fit(i));
    auto sum = total(fits);
    for (int i = 0; i < 5; ++i) sq(i);
    const Fit first = jug::bvalue(fits[1]);
    report(first.slope, sum);
  }});
}}
"""
V1 = CHANGING.format(fields="double slope = 0;", serialize="slope", sq_type="int")
V2 = CHANGING.format(fields="double slope = 0;\n  int points = 0;", serialize="slope, points",
                     sq_type="long")


class FirstDay(jugtest.ScratchTest):
    def setUp(self):
        super().setUp()
        self.env = {"JUG_CACHE_DIR": jugtest.SHARED_CACHE}

    def jug(self, *args, env=None, check=None):
        full = dict(self.env)
        full.update(env or {})
        return jugtest.run([jugtest.JUG, *args], self.dir, env=full, check=check)

    def write(self, name, text):
        with open(os.path.join(self.dir, name), "w") as f:
            f.write(text)

    def stored_results(self, store):
        return list(stored_results.stored_results(os.path.join(self.dir, store)))

    def test_two_generators_with_one_name_stop_before_anything_runs(self):
        self.write("sweep.cpp", SAME_NAME)
        for command in (["execute", "sweep.cpp"], ["status", "sweep.cpp"]):
            p = self.jug(*command)
            self.assertEqual(p.returncode, 1, p.stdout + p.stderr)
            self.assertIn("two different task generators are both named 'sq'", p.stderr)
            # Both definitions, by file and line.
            self.assertIn("sweep.cpp:3 and sweep.cpp:4", p.stderr)
            self.assertNotIn("Executed", p.stdout)
        self.assertEqual(self.stored_results("sweep.jugdata"), [])

    def test_value_without_a_barrier_says_what_works(self):
        self.write("mistakes.cpp", MISTAKES)
        for command in ("status", "execute"):
            p = self.jug(command, "mistakes.cpp", "--", "value")
            self.assertEqual(p.returncode, 1, p.stdout + p.stderr)
            self.assertIn("jug::value was called on task twice", p.stderr)
            self.assertIn("jug::bvalue", p.stderr)
            self.assertIn("jug::barrier()", p.stderr)
            self.assertNotIn("run jug execute first", p.stderr)
        # What the message proposes works.
        p = self.jug("execute", "mistakes.cpp", "--", "bvalue", check=0)
        self.assertIn("bvalue: 42", p.stdout)
        p = self.jug("status", "mistakes.cpp", "--", "value", check=0)
        self.assertIn("value: 42", p.stdout)

    def test_task_made_at_namespace_scope_exits_1_with_the_message(self):
        self.write("mistakes.cpp", MISTAKES)
        p = self.jug("status", "mistakes.cpp", env={"JUG_TEST_EARLY_TASK": "1"})
        self.assertEqual(p.returncode, 1, p.stdout + p.stderr)
        self.assertIn("a task was created outside the build function", p.stderr)
        self.assertNotIn("terminate called", p.stderr)
        p = self.jug("status", "mistakes.cpp", env={"JUG_TEST_EARLY_BARRIER": "1"})
        self.assertEqual(p.returncode, 1, p.stdout + p.stderr)
        self.assertIn("jug::barrier was called outside the build function", p.stderr)
        self.assertNotIn("terminate called", p.stderr)

    def corrupt_names(self, *args):
        import json
        p = self.jug("status", "--json", *args, check=0)
        st = json.loads(p.stdout)
        return st, sorted(c["name"] for c in st["corrupt"])

    def test_changed_result_types_are_told_for_what_they_are(self):
        self.write("fits.cpp", V1)
        self.jug("execute", "fits.cpp", check=0)
        with open(os.path.join(self.dir, "report.txt")) as f:
            self.assertEqual(f.read(), "0.5 22.5\n")
        self.write("fits.cpp", V2)

        # Plain status reads only what the jugfile reads (fit 1, through
        # bvalue): that one is not counted finished, and says why.
        st, names = self.corrupt_names("fits.cpp")
        self.assertEqual(names, ["fit"])
        self.assertEqual(st["totals"]["finished"], st["tasks"] - 1)
        self.assertIn("type that changed", st["stopped_at"])
        p = self.jug("status", "fits.cpp", check=0)
        self.assertIn("does not decode as a Fit", p.stdout)
        # With --verify, one line for all ten fit results, not ten.
        p = self.jug("status", "--verify", "fits.cpp", check=0)
        self.assertEqual(p.stdout.count("does not decode as a Fit"), 1, p.stdout)
        self.assertIn("... and 9 more fit results", p.stdout)

        # --verify reads them all, and says what repairs them.
        st, names = self.corrupt_names("--verify", "fits.cpp")
        self.assertEqual(names, ["fit"] * 10 + ["sq"] * 5)
        whys = {c["name"]: c["why"] for c in st["corrupt"]}
        self.assertIn("does not decode as a Fit as the type is defined now", whys["fit"])
        self.assertIn("another type than the task now returns (long)", whys["sq"])
        for why in whys.values():
            self.assertIn("{.version = N}", why)
            self.assertIn("jug execute --verify", why)
            self.assertNotIn("corrupt", why)

        # execute recomputes what it reads, saying so once per task name,
        # not once per result as if the disk were damaged. (total is stored:
        # made to read every fit again.)
        self.jug("invalidate", "fits.cpp", "--target", "total", check=0)
        p = self.jug("execute", "fits.cpp", check=0)
        out = p.stdout + p.stderr
        self.assertEqual(out.count("said once for all fit tasks"), 1, out)
        self.assertNotIn("corrupt", out)
        with open(os.path.join(self.dir, "report.txt")) as f:
            self.assertEqual(f.read(), "0.5 22.5\n")
        # sq is read by nothing: still there, and status --verify says so.
        _, names = self.corrupt_names("--verify", "fits.cpp")
        self.assertEqual(names, ["sq"] * 5)

        # execute --verify removes exactly those and computes them again.
        p = self.jug("execute", "--verify", "fits.cpp", check=0)
        self.assertIn("5 unreadable, removed to be computed again", p.stdout)
        self.assertEqual(jugtest.executed_count(p.stdout), 5)
        _, names = self.corrupt_names("--verify", "fits.cpp")
        self.assertEqual(names, [])
        p = self.jug("execute", "--verify", "fits.cpp", check=0)
        self.assertIn("Verified 17 stored results: all good", p.stdout)
        self.assertEqual(jugtest.executed_count(p.stdout), 0)


if __name__ == "__main__":
    jugtest.main()
