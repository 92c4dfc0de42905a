"""Python jug 2.5's command lines on this jug (issue 18), typed as a user
types them: `jug demo`, `jug test-jug` (also on a store of the user's, a
directory or Redis), user subcommands (`jug-NAME` on PATH), and the common
options jug 2.5 users have in their scripts: `--verbose LEVEL`,
`--will-cite`, `--version` after the subcommand."""

import os
import re
import select
import shutil
import stat
import subprocess
import time
import unittest

import jugtest
from redis_server import RedisServer

INTRO = os.path.join(jugtest.SOURCE_DIR, "examples", "intro", "jugfile.cpp")


class JugfileTest(jugtest.ScratchTest):
    """A scratch directory to write jugfiles in."""

    def write(self, name, text):
        with open(os.path.join(self.dir, name), "w") as f:
            f.write(text)

    def require_python_front_end(self):
        if not os.path.exists(os.path.join(jugtest.BUILD_DIR, "python", "jug", "__init__.py")):
            self.skipTest("this build has no Python front end")


class Demo(jugtest.ScratchTest):
    def jug(self, *args, cwd=None, check=0):
        return jugtest.run([jugtest.JUG, *args], cwd or self.dir, check=check)

    def test_demo_runs_as_it_says_with_two_workers(self):
        p = self.jug("demo")
        self.assertIn("cd jug-demo", p.stdout)
        self.assertIn("jug execute & jug execute", p.stdout)
        demo = os.path.join(self.dir, "jug-demo")
        self.assertTrue(os.path.exists(os.path.join(demo, "jugfile.cpp")))
        p = self.jug("status", "--short", cwd=demo)
        self.assertIn("0 of 101 tasks finished (99 ready, 2 waiting", p.stdout)
        outputs = jugtest.run_workers([jugtest.JUG, "execute"], 2, demo)
        counts = [jugtest.executed_count(out) for out in outputs]
        self.assertEqual(sum(counts), 101, counts)
        self.assertTrue(all(c > 10 for c in counts), f"the workers did not share: {counts}")
        self.jug("check", cwd=demo)
        with open(os.path.join(demo, "output.txt")) as f:
            self.assertEqual(f.read(), "Found 25 primes <= 100.\n")
        # Again: what is there is kept.
        with open(os.path.join(demo, "jugfile.cpp"), "a") as f:
            f.write("// mine\n")
        p = self.jug("demo")
        self.assertIn("jug-demo/ exists already", p.stdout)
        with open(os.path.join(demo, "jugfile.cpp")) as f:
            self.assertTrue(f.read().endswith("// mine\n"))

    def test_the_python_demo_runs_too(self):
        self.jug("demo")
        demo = os.path.join(self.dir, "jug-demo")
        if not os.path.exists(os.path.join(demo, "primes.py")):
            self.skipTest("this build has no Python front end")
        p = self.jug("execute", "primes.py", "-j", "4", cwd=demo)
        self.assertIn("101 of 101 done", p.stdout)
        with open(os.path.join(demo, "output.txt")) as f:
            self.assertEqual(f.read(), "Found 25 primes <= 100.\n")


class InstallSkills(jugtest.ScratchTest):
    """`jug install-skills --output DIR [--force]`: the skill, whose example
    jugfiles run as it says."""

    def jug(self, *args, cwd=None, check=0):
        return jugtest.run([jugtest.JUG, *args], cwd or self.dir, check=check)

    def test_the_skill_is_installed_and_its_examples_run(self):
        skills = os.path.join(self.dir, "skills")
        p = self.jug("install-skills", "--output", skills)
        skill = os.path.join(skills, "jug")
        self.assertEqual(p.stdout, f"Installed jug's skill to {skill}\n")
        with open(os.path.join(skill, "SKILL.md")) as f:
            text = f.read()
        self.assertTrue(text.startswith("---\nname: jug\ndescription: >\n"), text[:80])
        self.assertTrue(os.path.isfile(os.path.join(skill, "agents", "openai.yaml")))
        for path in ("references/command-line.md", "references/troubleshooting.md",
                     "examples/jugfile.cpp", "examples/jugfile.py"):
            self.assertTrue(os.path.isfile(os.path.join(skill, path)), path)
            self.assertIn(f"`{path}`", text, "SKILL.md points to it")
        # The reference names every subcommand `jug --help` lists.
        with open(os.path.join(skill, "references", "command-line.md")) as f:
            reference = f.read()
        listed = set(re.findall(r"^  (?:jug )?([a-z][a-z-]+) ", self.jug("--help").stdout,
                                re.M)) - {"jug"}  # (from `  jug SUBCOMMAND --help`)
        self.assertGreater(len(listed), 10, listed)
        for subcommand in listed:
            self.assertIn(f"| `{subcommand}", reference, subcommand)
        if os.environ.get("JUG_SANITIZED") == "1":
            return  # running jugfiles under a sanitizer: covered by faster tests
        examples = os.path.join(skill, "examples")
        self.jug("execute", "jugfile.cpp", "-j", "2", cwd=examples)
        self.jug("check", "jugfile.cpp", cwd=examples)
        with open(os.path.join(examples, "report.txt")) as f:
            cpp_report = f.read()
        self.assertEqual(len(cpp_report.splitlines()), 20)
        if os.path.exists(os.path.join(jugtest.BUILD_DIR, "python", "jug", "__init__.py")):
            os.remove(os.path.join(examples, "report.txt"))
            self.jug("execute", "jugfile.py", "-j", "2", cwd=examples)
            with open(os.path.join(examples, "report.txt")) as f:
                python_report = [float(x) for x in f.read().split()]
            cpp_values = [float(x) for x in cpp_report.split()]  # (6 digits)
            self.assertEqual(len(python_report), len(cpp_values))
            for p, c in zip(python_report, cpp_values):
                self.assertAlmostEqual(p, c, delta=1e-5 * c, msg="the two examples differ")

    def test_an_installed_skill_is_replaced_only_with_force(self):
        skills = os.path.join(self.dir, "skills")
        self.jug("install-skills", f"--output={skills}")
        mine = os.path.join(skills, "jug", "SKILL.md")
        with open(mine, "a") as f:
            f.write("my notes\n")
        p = self.jug("install-skills", "--output", skills, check=1)
        self.assertIn(f"{skills}/jug exists already: it is left as it is (--force replaces it)",
                      p.stderr)
        with open(mine) as f:
            self.assertTrue(f.read().endswith("my notes\n"))
        self.jug("install-skills", "--output", skills, "--force")
        with open(mine) as f:
            self.assertFalse(f.read().endswith("my notes\n"))
        self.assertEqual(sorted(os.listdir(skills)), ["jug"], "nothing left aside")

    def test_mistakes_are_named(self):
        p = self.jug("install-skills", check=2)
        self.assertIn("install-skills needs --output DIR", p.stderr)
        p = self.jug("install-skills", "--outptu", "x", check=2)
        self.assertIn("'--outptu' is not either", p.stderr)
        a_file = os.path.join(self.dir, "a-file")
        with open(a_file, "w") as f:
            f.write("not a directory")
        p = self.jug("install-skills", "--output", a_file, check=1)
        self.assertIn(f"cannot make {a_file}", p.stderr)
        p = self.jug("install-skills", "--help")
        self.assertIn("usage: jug install-skills --output DIR [--force]", p.stdout)


class TestJug(JugfileTest):
    def jug(self, *args, check=None):
        # Its temporary directory in the scratch one: a failed check keeps
        # it for the user to look at, and the test must not leave it.
        return jugtest.run([jugtest.JUG, *args], self.dir, env={"TMPDIR": self.dir},
                           check=check, timeout=600)

    def assert_all_passed(self, p):
        self.assertEqual(p.returncode, 0, p.stdout + p.stderr)
        self.assertRegex(p.stdout, r"All \d+ checks passed")
        self.assertIn("two workers ran its 21 tasks, each once", p.stdout)
        self.assertNotIn("FAIL", p.stdout)

    def test_on_a_new_store(self):
        p = self.jug("test-jug")
        self.assert_all_passed(p)
        self.assertIn("compiler: ", p.stdout)
        # Its temporary directory is gone.
        where = re.search(r"runs on (\S+/jug-test-\w+)/", p.stdout).group(1)
        self.assertFalse(os.path.exists(where))

    def test_on_a_store_of_the_users_whose_results_stay(self):
        shutil.copy(INTRO, self.dir)
        self.jug("execute", check=0)
        store = os.path.join(self.dir, "jugfile.jugdata")
        p = self.jug("test-jug", "--jugdir", store)
        self.assert_all_passed(p)
        self.assertIn(f"runs on {store}", p.stdout)
        # The user's results are all there; the check's are gone.
        p = self.jug("status", "--short", check=0)
        self.assertIn("6 of 6 tasks finished", p.stdout)
        p = self.jug("cleanup", "--dry-run", "--also-other-jugfiles", check=0)
        self.assertIn("Would remove 0 results", p.stdout)

    def test_on_redis(self):
        redis = RedisServer()
        try:
            p = self.jug("test-jug", "--jugdir=" + redis.url())
            self.assert_all_passed(p)
            self.assertIn(f"runs on {redis.url()}", p.stdout)
        finally:
            redis.remove()

    def test_a_broken_store_is_named(self):
        self.write("not-a-directory", "a file")
        p = self.jug("test-jug", "--jugdir", os.path.join(self.dir, "not-a-directory"))
        self.assertEqual(p.returncode, 1, p.stdout + p.stderr)
        self.assertIn("  FAIL  a C++ jugfile does not build or run", p.stdout)
        self.assertIn("not-a-directory", p.stdout)
        self.assertIn("this installation is broken", p.stdout)

    def test_wrong_arguments(self):
        p = self.jug("test-jug", "--jobs", "3")
        self.assertEqual(p.returncode, 2)
        self.assertIn("test-jug takes only --jugdir STORE; '--jobs' is not that", p.stderr)


REPORT = """#!/bin/sh
echo "args: $*"
echo "jugfile: $JUG_JUGFILE"
echo "jugdir: $JUG_JUGDIR"
exec "$JUG_COMMAND" status "$JUG_JUGFILE" --jugdir "$JUG_JUGDIR" --short
"""


class UserSubcommands(jugtest.ScratchTest):
    def setUp(self):
        super().setUp()
        self.bin = os.path.join(self.dir, "bin")
        os.mkdir(self.bin)
        report = os.path.join(self.bin, "jug-report")
        with open(report, "w") as f:
            f.write(REPORT)
        os.chmod(report, os.stat(report).st_mode | stat.S_IXUSR)
        self.env = {"PATH": self.bin + os.pathsep + os.environ["PATH"]}
        shutil.copy(INTRO, self.dir)

    def jug(self, *args, check=None):
        return jugtest.run([jugtest.JUG, *args], self.dir, env=self.env, check=check)

    def test_jug_name_on_path_runs_with_the_jugfile_and_store(self):
        self.jug("execute", check=0)
        p = self.jug("report", "--verbose", check=0)
        self.assertIn("args: --verbose\n", p.stdout)
        self.assertIn(f"jugfile: {self.dir}/jugfile.cpp\n", p.stdout)
        self.assertIn(f"jugdir: {self.dir}/jugfile.jugdata\n", p.stdout)
        self.assertIn("6 of 6 tasks finished", p.stdout)
        p = self.jug("report", "jugfile.cpp", "--jugdir=elsewhere/%(jugfile)s.store", check=0)
        self.assertIn(f"jugdir: {self.dir}/elsewhere/jugfile.store\n", p.stdout)

    def test_an_unknown_name_says_where_it_looked(self):
        p = self.jug("reprot", check=2)
        self.assertIn("unknown subcommand 'reprot' (and no jug-reprot on PATH)", p.stderr)
        # A name that could be a path is no user subcommand.
        p = self.jug("../bin/report", check=2)
        self.assertIn("unknown subcommand", p.stderr)


SIX_TASKS = """
#include <jug/jug.hpp>
const jug::TaskGenerator twice("twice", [](int x) { return 2 * x; });
const jug::TaskGenerator add("add", [](int a, int b) { return a + b; });
int main(int argc, char** argv) {
  return jug::main(argc, argv, [] {
    auto a = twice(1), b = twice(2), c = twice(3), d = twice(4);
    add(add(a, b), c);
  });
}
"""


# Tasks that break the rules `execute --debug` checks, each once, and two
# that keep them.
BREAKS_RULES = """
#include <jug/jug.hpp>

#include <atomic>
#include <vector>

struct Forgetful {  // serialize leaves out a field
  int kept = 0;
  int forgotten = 0;
  bool operator==(const Forgetful&) const = default;
  template <class Archive>
  void serialize(Archive& ar) { ar(kept); }
};

struct Stamped {  // its encoding is not a function of its value
  int value = 0;
  template <class Archive>
  void save(Archive& ar) const {
    static std::atomic<int> counter{0};
    ar(value, counter++);
  }
  template <class Archive>
  void load(Archive& ar) { int stamp = 0; ar(value, stamp); }
};

struct Garbled {  // no ==; load does not give back what save wrote
  int value = 0;
  template <class Archive>
  void save(Archive& ar) const { ar(value); }
  template <class Archive>
  void load(Archive& ar) { ar(value); value += 1; }
};

const jug::TaskGenerator make("make", [](int n) { return std::vector<int>(n, 1); });
const jug::TaskGenerator bump_own("bump_own", [](const std::vector<int>& v) {
  const_cast<std::vector<int>&>(v)[0] = 42;
  return v.size();
});
const jug::TaskGenerator bump_input("bump_input", [](const std::vector<int>& v) {
  const_cast<std::vector<int>&>(v).push_back(7);
  return v.size();
});
const jug::TaskGenerator forgetful("forgetful", [](int x) { return Forgetful{x, x + 1}; });
const jug::TaskGenerator stamped("stamped", [](int x) { return Stamped{x}; });
const jug::TaskGenerator garbled("garbled", [](int x) { return Garbled{x}; });
const jug::TaskGenerator copies("copies", [](std::vector<int> v) {  // its own copy: fine
  v.push_back(1);
  return v.size();
});
const jug::TaskGenerator nan_inside("nan_inside", [](int) {  // unequal to itself: fine
  return std::vector<double>{0.0 / 0.0, 1.0};
});

int main(int argc, char** argv) {
  return jug::main(argc, argv, [] {
    const auto ones = make(3);
    bump_own(std::vector<int>{1, 2, 3});
    bump_input(ones);
    forgetful(1);
    stamped(2);
    garbled(3);
    copies(ones);
    nan_inside(0);
  });
}
"""

PYTHON_BREAKS_RULES = """
from jug import TaskGenerator


@TaskGenerator
def make(n):
    return list(range(n))


@TaskGenerator
def append_to(values, extra):
    values.append(extra)
    return len(values)


@TaskGenerator
def add_to(seen, extra):
    seen.add(extra)
    return len(seen)


@TaskGenerator
def spawn(x):
    make(x + 10)
    return x


@TaskGenerator
def fine(values, scale=1):
    return sum(values) * scale


base = make(3)
append_to(base, extra=3)
add_to({1, 2}, 3)
spawn(2)
fine(base, scale=2)
"""


class DebugMode(JugfileTest):
    """`execute --debug` names each task that breaks a rule, and what it did."""

    def jug(self, *args, check=None):
        return jugtest.run([jugtest.JUG, *args], self.dir, check=check)

    def failures(self, output):
        return dict(re.findall(r"^  (\w+(?:\.\w+)?) \(\w+\): (.*)$", output, re.M))

    def test_cpp_tasks_that_change_their_inputs_or_lose_their_results(self):
        self.write("jugfile.cpp", BREAKS_RULES)
        p = self.jug("execute", "--debug", "--keep-going", check=1)
        failed = self.failures(p.stdout)
        self.assertEqual(sorted(failed), ["bump_input", "bump_own", "forgetful", "garbled",
                                          "stamped"], p.stdout)
        self.assertTrue(failed["bump_own"].startswith("it changed its argument 1 (of 1) while "
                                                      "it ran: a task must not modify"))
        self.assertRegex(failed["bump_input"], r"^it changed the result of task make \(\w+\)")
        self.assertTrue(failed["forgetful"].startswith(
            "its result, a Forgetful, read back from its encoding is not == to what it "
            "returned"))
        self.assertTrue(failed["stamped"].startswith(
            "its result, a Stamped, encodes to other bytes each time (first at byte 4"))
        self.assertTrue(failed["garbled"].startswith(
            "its result, a Garbled, read back from its encoding and encoded again gives other "
            "bytes"))
        self.assertIn("3 of 8 done", p.stdout)
        # Not retried: the same check would fail again.
        p = self.jug("execute", "--debug", "--retries", "2", check=1)
        self.assertNotIn("retry", p.stdout + p.stderr)
        # --pdb implies --debug; a broken rule threw nothing to stop at.
        p = self.jug("execute", "--pdb", check=1)
        self.assertIn("3 of 8 done (3 before this run", p.stdout)
        self.assertRegex(p.stderr, r"jug: --pdb: task bump_own \(\w+\) broke a rule that "
                                   r"--debug checks")
        # Without --debug, nothing is checked: all run (as they would, wrongly).
        p = self.jug("execute", check=0)
        self.assertIn("8 of 8 done", p.stdout)

    def test_python_tasks_that_change_their_inputs_or_make_tasks(self):
        self.require_python_front_end()
        self.write("jugfile.py", PYTHON_BREAKS_RULES)
        p = self.jug("execute", "--debug", "--keep-going", check=1)
        failed = self.failures(p.stdout)
        self.assertEqual(sorted(failed), ["jugfile.add_to", "jugfile.append_to",
                                          "jugfile.spawn"], p.stdout)
        self.assertTrue(failed["jugfile.add_to"].startswith("it changed its argument 1 (of 2)"))
        self.assertRegex(failed["jugfile.append_to"],
                         r"^it changed the result of task jugfile\.make \(\w+\)")
        self.assertIn("made 1 task(s) while it ran (execute --debug)", failed["jugfile.spawn"])
        self.assertIn("2 of 5 done", p.stdout)
        p = self.jug("execute", "jugfile.py", check=0)
        self.assertIn("5 of 5 done", p.stdout)


# A chain of arrays, each also summarised after the whole chain (as
# bench/unload_jugfile.cpp), and a report of every summary in a file.
CHAIN_OF_ARRAYS = """
#include <jug/jug.hpp>

#include <cstdio>
#include <fstream>
#include <numeric>
#include <span>
#include <vector>

const jug::TaskGenerator first("first", [](int n) {
  std::vector<double> values(n);
  std::iota(values.begin(), values.end(), 1.0);
  return values;
});
const jug::TaskGenerator step("step", [](const std::vector<double>& previous) {
  std::vector<double> next(previous);
  for (double& v : next) v = v * 0.5 + 3.0;
  return next;
});
const jug::TaskGenerator viewed_sum("viewed_sum", [](std::span<const double> values) {
  return std::accumulate(values.begin(), values.end(), 0.0);
});
const jug::TaskGenerator report("report", [](const std::vector<double>& sums) {
  std::ofstream out("report.txt");
  for (double s : sums) out << std::hexfloat << s << "\\n";
  return sums.size();
});

int main(int argc, char** argv) {
  return jug::main(argc, argv, [] {
    std::vector<jug::Task<std::vector<double>>> chain{first(300000)};
    for (int i = 1; i < 6; ++i) chain.push_back(step(chain.back()));
    std::vector<jug::Task<double>> sums;
    for (const auto& array : chain) sums.push_back(viewed_sum(array));
    report(sums);
  });
}
"""


class AggressiveUnload(JugfileTest):
    def test_the_same_results_with_and_without(self):
        self.write("jugfile.cpp", CHAIN_OF_ARRAYS)
        reports = []
        for args in ([], ["--aggressive-unload"], ["--aggressive-unload", "-j", "2"]):
            store = os.path.join(self.dir, "store-%d" % len(reports))
            p = jugtest.run([jugtest.JUG, "execute", "--jugdir", store, *args], self.dir,
                            check=0)
            self.assertIn("13 of 13 done", p.stdout)
            with open(os.path.join(self.dir, "report.txt")) as f:
                reports.append(f.read())
            os.remove(os.path.join(self.dir, "report.txt"))
        self.assertEqual(len(reports[0].split()), 6)
        self.assertEqual(reports[1], reports[0])
        self.assertEqual(reports[2], reports[0])


THROWS = """
#include <jug/jug.hpp>
#include <stdexcept>
#include <string>

int parse_setting(const std::string& text) {
  if (text.empty()) throw std::invalid_argument("no setting given");
  return std::stoi(text);
}

const jug::TaskGenerator setting("setting", [](const std::string& text) {
  return parse_setting(text);
});
const jug::TaskGenerator fine("fine", [](int x) { return x + 1; });

int main(int argc, char** argv) {
  return jug::main(argc, argv, [] {
    fine(1);
    setting("");
  });
}
"""

PYTHON_THROWS = """
from jug import TaskGenerator


@TaskGenerator
def parse_setting(text):
    return int(text)


parse_setting('x')
"""


class Pdb(JugfileTest):
    """`execute --pdb` where no one can answer a debugger's prompt: the
    backtrace where the task failed, and the command ends."""

    def jug(self, *args, env=None, check=None):
        return jugtest.run([jugtest.JUG, *args], self.dir, env=env, check=check, timeout=180)

    def test_a_cpp_task_runs_again_in_gdb_which_prints_where_it_throws(self):
        if shutil.which("gdb") is None:
            self.skipTest("gdb is not installed (scripts/install-deps.sh installs it)")
        self.write("jugfile.cpp", THROWS)
        p = self.jug("execute", "--pdb", check=1)
        self.assertRegex(p.stderr, r"jug: --pdb: no terminal to debug in, so gdb runs task "
                                   r"setting \(\w+\) again and prints where it throws")
        self.assertIn("hit Catchpoint 1 (exception thrown)", p.stdout)
        self.assertRegex(p.stdout, r"#1 .* in parse_setting \(text=.*\) at jugfile.cpp:7")
        self.assertIn("1 task failed", p.stdout)
        # The task ran again alone: the other one's result was there already.
        self.assertEqual(p.stdout.count("Executed 1 task"), 1, p.stdout)

    def test_without_gdb_the_message_says_how_to_get_it(self):
        self.write("jugfile.cpp", THROWS)
        self.jug("status", check=0)  # compiled, with the compiler on PATH
        p = self.jug("execute", "--pdb", env={"PATH": os.path.join(self.dir, "nothing")},
                     check=1)
        self.assertRegex(p.stderr, r"jug: --pdb: gdb is not on PATH, so task setting \(\w+\) "
                                   r"cannot run again in a debugger; .*apt-get install gdb")
        self.assertIn("invalid_argument: no setting given", p.stdout)

    def test_a_python_task_prints_its_traceback(self):
        self.require_python_front_end()
        self.write("jugfile.py", PYTHON_THROWS)
        p = self.jug("execute", "jugfile.py", "--pdb", check=1)
        self.assertIn("jug: --pdb: no terminal to debug in; task jugfile.parse_setting failed "
                      "here:", p.stderr)
        self.assertIn('line 7, in parse_setting\n    return int(text)', p.stderr)
        self.assertNotIn("gdb", p.stderr + p.stdout)


class Terminal:
    """A command run in a pseudo-terminal, as a user runs it: what it
    writes is read as the screen would show it, and lines are typed."""

    def __init__(self, args, cwd):
        master, slave = os.openpty()
        self.master = master
        self.process = subprocess.Popen(args, cwd=cwd, stdin=slave, stdout=slave, stderr=slave,
                                        start_new_session=True)
        os.close(slave)
        self.screen = ""

    def wait_for(self, text, timeout=120):
        deadline = time.monotonic() + timeout
        while text not in self.screen:
            left = deadline - time.monotonic()
            try:
                ready = left > 0 and select.select([self.master], [], [], left)[0]
                chunk = os.read(self.master, 65536).decode(errors="replace") if ready else ""
            except OSError:  # the command ended
                chunk = ""
            if not chunk:
                raise AssertionError(f"{text!r} did not appear; the screen:\n{self.screen}")
            # What the eye reads: without the escape sequences of colours and modes.
            self.screen += re.sub(r"\x1b\[[0-9;?]*[a-zA-Z]", "", chunk)

    def type(self, line):
        os.write(self.master, (line + "\n").encode())

    def finish(self, timeout=60):
        try:
            code = self.process.wait(timeout)
        finally:
            if self.process.poll() is None:
                self.process.kill()
            os.close(self.master)
        return code


class PdbInATerminal(JugfileTest):
    """`execute --pdb` in a terminal: the debugger, stopped where the task
    failed, answering the user."""

    def test_gdb_stops_a_cpp_task_where_it_throws(self):
        if shutil.which("gdb") is None:
            self.skipTest("gdb is not installed (scripts/install-deps.sh installs it)")
        self.write("jugfile.cpp", THROWS)
        jugtest.run([jugtest.JUG, "status"], self.dir, check=0)  # compiled first
        terminal = Terminal([jugtest.JUG, "execute", "--pdb"], self.dir)
        terminal.wait_for("running task setting")
        terminal.wait_for("(gdb)")
        terminal.type("bt 2")  # two frames: no pager to answer
        terminal.wait_for("in parse_setting (text=...) at jugfile.cpp:7")
        terminal.type("quit")
        terminal.wait_for("Quit anyway? (y or n)")
        terminal.type("y")
        self.assertEqual(terminal.finish(), 1, terminal.screen)

    def test_pdb_stops_a_python_task_where_it_fails(self):
        self.require_python_front_end()
        self.write("jugfile.py", PYTHON_THROWS)
        terminal = Terminal([jugtest.JUG, "execute", "jugfile.py", "--pdb"], self.dir)
        terminal.wait_for("(Pdb)")
        terminal.type("p text")
        terminal.wait_for("'x'")
        terminal.type("c")
        terminal.wait_for("1 task failed")
        self.assertEqual(terminal.finish(), 1, terminal.screen)


class CommonOptions(JugfileTest):
    """Options every jug 2.5 subcommand takes, in both forms."""

    def setUp(self):
        super().setUp()
        self.write("jugfile.cpp", SIX_TASKS)

    def jug(self, *args, check=None):
        return jugtest.run([jugtest.JUG, *args], self.dir, check=check)

    def test_verbose_with_a_level(self):
        quiet = self.jug("execute", check=0).stdout
        for args in (["--verbose", "info"], ["--verbose=debug"], ["--verbose", "INFO",
                                                                    "jugfile.cpp"]):
            self.jug("invalidate", "--target", "twice", check=0)
            p = self.jug("execute", *args, check=0)
            self.assertGreater(len(p.stdout), len(quiet), args)
            self.assertIn("6 of 6 done", p.stdout)
        # A quieter level says no more than the default; a word that is no
        # level is refused, naming the levels.
        p = self.jug("status", "--verbose=critical", check=0)
        self.assertEqual(p.stdout, self.jug("status", check=0).stdout)
        p = self.jug("status", "--verbose=loud", check=2)
        self.assertIn("--verbose takes a level (debug, info, warning, error, critical)",
                      p.stderr)

    def test_short_and_invalid_as_python_jug_takes_them(self):
        p = self.jug("execute", "--short", check=0)
        self.assertEqual(p.stdout.splitlines()[-1].split(" in ")[0], "Executed 6 tasks")
        self.assertNotIn("Task name", p.stdout)
        for subcommand in ("check", "count", "sleep-until"):
            self.jug(subcommand, "--short", check=0)
        p = self.jug("invalidate", "--invalid", "add", check=0)
        self.assertIn("Invalidated 2 results", p.stdout)
        p = self.jug("invalidate", "--invalid=twice", check=0)
        self.assertIn("Invalidated 4 results", p.stdout)
        p = self.jug("status", "--short", check=0)
        self.assertIn("0 of 6 tasks finished", p.stdout)

    def test_status_cache_as_python_jug_takes_it(self):
        # More in test_status_cache.py.
        self.jug("execute", check=0)
        plain = self.jug("status", check=0).stdout
        for args, cache in ((["--cache"], ".jugstatus.jugcache"),
                            (["--cache", "--cache-file", "my.cache"], "my.cache"),
                            (["jugfile.cpp", "--cache-file=other.cache"], "other.cache")):
            self.assertEqual(self.jug("status", *args, check=0).stdout, plain, args)
            self.assertTrue(os.path.exists(os.path.join(self.dir, cache)), args)
            p = self.jug("status", *args, "-v", check=0)
            self.assertIn(f"6 of 6 tasks known finished from the status cache {cache}", p.stderr)
        self.jug("invalidate", "--target", "add", check=0)
        p = self.jug("status", "--cache", "--short", check=0)
        self.assertIn("4 of 6 tasks finished", p.stdout)
        p = self.jug("status", "--cache", "--cache-file=my.cache", "--clear", check=0)
        self.assertEqual(p.stdout, "Removed the status cache my.cache.\n")
        self.assertFalse(os.path.exists(os.path.join(self.dir, "my.cache")))

    def test_will_cite_and_version_after_the_subcommand(self):
        p = self.jug("status", "--will-cite", "--short", check=0)
        self.assertIn("6 tasks", p.stdout)
        p = self.jug("execute", "--will-cite", check=0)
        self.assertIn("6 of 6 done", p.stdout)
        for args in (["status", "--version"], ["execute", "jugfile.cpp", "--version"]):
            p = self.jug(*args, check=0)
            self.assertRegex(p.stdout, r"^jug \d+\.\d+\.\d+\n$")
        # Without a jugfile too, and from the jugfile's own program.
        empty = os.path.join(self.dir, "empty")
        os.mkdir(empty)
        p = jugtest.run([jugtest.JUG, "status", "--version"], empty, check=0)
        self.assertRegex(p.stdout, r"^jug \d+\.\d+\.\d+\n$")
        p = jugtest.run([jugtest.program("squares_total"), "status", "--version"], self.dir, check=0)
        self.assertRegex(p.stdout, r"^jug \d+\.\d+\.\d+\n$")


if __name__ == "__main__":
    jugtest.main()
