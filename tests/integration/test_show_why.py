"""`jug show` and `jug why` (issue 12), as a user runs them, and the metadata
jug keeps with each result that they read (when, where, how long, with
which arguments it ran).

tests/integration/jugfiles/inputs.cpp: read_data(input_file("data.txt")) ->
scale(data, factor) -> total; the factor and scale's code version come from
JUG_TEST_FACTOR and JUG_TEST_SCALE_VERSION, so that a test changes each kind
of input between runs and asks why a task runs again."""

import csv
import json
import os
import shutil
import socket
import time

import jugtest
import stored_results

SOURCE = os.path.join(jugtest.SOURCE_DIR, "tests", "integration", "jugfiles", "inputs.cpp")


class ShowAndWhy(jugtest.ScratchTest):
    def setUp(self):
        super().setUp()
        self.prog = self.program("inputs")
        self.write_data("1 2 3\n")

    def write_data(self, text, mtime=None):
        path = os.path.join(self.dir, "data.txt")
        with open(path, "w", encoding="utf-8") as f:
            f.write(text)
        if mtime is not None:
            os.utime(path, (mtime, mtime))

    def run_prog(self, *args, env=None, check=0):
        return jugtest.run([self.prog, *args], self.dir, env=env, check=check)

    def show(self, *patterns, env=None):
        return json.loads(self.run_prog("show", "--json", *patterns, env=env).stdout)

    def why(self, *patterns, env=None):
        lines = self.run_prog("why", *patterns, env=env).stdout.splitlines()
        return [line for line in lines if line]

    def test_show_before_and_after_a_run(self):
        shown = self.show("scale")
        self.assertEqual(shown["matched"], 1)
        [scale] = shown["tasks"]
        self.assertEqual(scale["state"], "waiting")
        self.assertEqual([a["kind"] for a in scale["arguments"]], ["task", "value"])
        self.assertEqual(scale["arguments"][0]["tasks"], scale["dependencies"])
        self.assertEqual([t["name"] for t in scale["dependencies"]], ["read_data"])
        self.assertEqual([t["name"] for t in scale["dependents"]], ["total"])
        self.assertIsNone(scale["stored_bytes"])
        self.assertIsNone(scale["run"])
        [read] = self.show("read_data")["tasks"]
        self.assertEqual(read["state"], "ready")
        self.assertEqual(read["arguments"][0]["kind"], "input file")
        self.assertRegex(read["arguments"][0]["text"],
                         r"^input file data\.txt \(6 bytes, modified 20\d\d-\d\d-\d\d "
                         r"\d\d:\d\d:\d\d UTC\)$")

        before = time.time()
        self.run_prog("execute")
        after = time.time()
        [scale] = self.show("scale")["tasks"]
        self.assertEqual(scale["state"], "finished")
        # A small result is a frame in a segment: its record is where show
        # says, as long as it says.
        self.assertIn(scale["file"], scale["location"])
        store = os.path.dirname(os.path.dirname(scale["file"]))
        stored = stored_results.stored_results(store)[scale["hash"]]
        self.assertTrue(stored.in_segment())
        self.assertEqual((stored.path, stored.offset, stored.size),
                         (scale["file"], scale["offset"], scale["stored_bytes"]))
        run = scale["run"]
        self.assertEqual(run["host"], socket.gethostname())
        self.assertGreater(run["pid"], 1)
        self.assertLessEqual(before - 1, run["started_ns"] / 1e9)
        self.assertLessEqual(run["started_ns"], run["finished_ns"])
        self.assertLessEqual(run["finished_ns"] / 1e9, after + 1)
        self.assertGreater(run["peak_rss_bytes"], 1 << 20)
        self.assertEqual(run["code_version"], 0)

        text = self.run_prog("show", "scale").stdout
        self.assertIn("scale " + scale["hash"], text)
        self.assertIn("  state        Finished", text)
        self.assertIn("  arguments    1. task read_data " + scale["dependencies"][0]["hash"][:8],
                      text)
        self.assertIn("               2. a value of 8 bytes", text)
        self.assertIn("  needed by    total ", text)
        self.assertIn("  result       " + scale["location"], text)
        self.assertRegex(text, r"  ran          20\d\d-\d\d-\d\d \d\d:\d\d:\d\d UTC for "
                               r"\d+\.\d\d s on [^,]+, pid \d+; peak memory [\d.]+ MiB; jug ")

    def test_patterns_hashes_and_limits(self):
        everything = self.show("/./")
        self.assertEqual(everything["matched"], 3)
        self.assertEqual([t["name"] for t in everything["tasks"]], ["read_data", "scale", "total"])
        total_hash = everything["tasks"][2]["hash"]
        self.assertEqual([t["name"] for t in self.show(total_hash[:10])["tasks"]], ["total"])
        self.assertEqual(self.show("total", "--target", "scale")["matched"], 2)
        self.assertEqual(self.show("--target=scale")["matched"], 1)
        limited = self.run_prog("show", "/./", "--max-tasks", "1").stdout
        self.assertIn("... and 2 more tasks matching (--max-tasks 3 tells of all).", limited)
        self.assertEqual(len(self.show("/./", "--max-tasks=2")["tasks"]), 2)

        p = self.run_prog("show", "fit", check=1)
        self.assertIn("no task matches fit (jug count lists the names", p.stderr)
        p = self.run_prog("why", check=2)
        self.assertIn("why: which tasks? Give a PATTERN", p.stderr)
        p = self.run_prog("show", "scale", "--max-tasks", "0", check=2)
        self.assertIn("--max-tasks", p.stderr)

    def test_why_names_the_input_that_changed(self):
        t0 = 1_700_000_000
        self.write_data("1 2 3\n", mtime=t0)
        self.assertEqual(self.why("read_data"), [
            "read_data {}: its result is not stored, and no other result of a task named "
            "read_data is (with the metadata jug keeps): it has not run with these "
            "inputs".format(self.show("read_data")["tasks"][0]["hash"][:8])])
        self.run_prog("execute")
        for line in self.why("/./"):
            self.assertRegex(line, r"^\w+ [0-9a-f]{8}: up to date \(its result is stored\)$")

        # A value: another factor.
        [line] = self.why("scale", env={"JUG_TEST_FACTOR": "3"})
        self.assertRegex(line, r"^scale [0-9a-f]{8}: argument 2 changed since [0-9a-f]{8} "
                               r"\(stored 20\S+ \S+ UTC\): another value of 8 bytes$")
        total = self.why("total", env={"JUG_TEST_FACTOR": "3"})
        self.assertEqual(len(total), 2, total)
        self.assertRegex(total[0], r"^total [0-9a-f]{8}: it needs scale [0-9a-f]{8}, not done yet$")
        self.assertRegex(total[1], r"argument 1 changed since [0-9a-f]{8} \(stored .*\): the "
                                   r"result of scale [0-9a-f]{8} it reads is new \(not computed "
                                   r"yet: jug why scale says why\)$")

        # The code: a new version of scale.
        [line] = self.why("scale", env={"JUG_TEST_SCALE_VERSION": "2"})
        self.assertIn("scale", line)
        self.assertRegex(line, r": its code version changed since [0-9a-f]{8} \(stored .*\): "
                               r"0 → 2$")

        # An input file: new contents, a new size and time.
        self.write_data("1 2 3 4 5\n", mtime=t0 + 3600)
        [line] = self.why("read_data")
        self.assertRegex(line, r": argument 1 changed since [0-9a-f]{8} \(stored .*\): input "
                               r"file data\.txt: size 6 → 10 bytes, modified 2023-11-14 22:13:20 "
                               r"UTC → 2023-11-14 23:13:20 UTC$")
        scale = self.why("scale")
        self.assertRegex(scale[0], r"^scale [0-9a-f]{8}: it needs read_data [0-9a-f]{8}, "
                                   r"not done yet$")
        self.run_prog("execute", "--target", "read_data")
        self.assertRegex(self.why("scale")[0],
                         r"argument 1 changed since [0-9a-f]{8} \(stored .*\): the result of "
                         r"read_data [0-9a-f]{8} it reads is new \(computed since, with other "
                         r"inputs\)$")
        reasons = json.loads(self.run_prog("why", "--json", "scale").stdout)
        self.assertEqual(reasons["matched"], 1)
        [task] = reasons["tasks"]
        self.assertFalse(task["up_to_date"])
        self.assertEqual(len(task["reasons"]), 1)
        self.assertIn("computed since, with other inputs", task["reasons"][0])

    def test_execute_explain_says_why_each_task_runs(self):
        p = self.run_prog("execute", "--explain")
        self.assertRegex(p.stdout, r"Running read_data \([0-9a-f]{12}\): its result is not "
                                   r"stored, and no other result of a task named read_data is")
        self.assertEqual(p.stdout.count("Running "), 3, p.stdout)
        p = self.run_prog("execute", "--explain", env={"JUG_TEST_FACTOR": "7"})
        lines = [line for line in p.stdout.splitlines() if line.startswith("Running ")]
        self.assertEqual(len(lines), 2, p.stdout)
        self.assertRegex(lines[0], r"^Running scale \([0-9a-f]{12}\): argument 2 changed since "
                                   r"[0-9a-f]{8} \(stored .*\): another value of 8 bytes$")
        self.assertRegex(lines[1], r"^Running total \([0-9a-f]{12}\): argument 1 changed since "
                                   r"[0-9a-f]{8} \(stored .*\): the result of scale [0-9a-f]{8} "
                                   r"it reads is new \(computed since, with other inputs\)$")
        p = self.run_prog("execute", "--explain")
        self.assertNotIn("Running ", p.stdout, "nothing runs: nothing to explain")

    def test_a_missing_input_file_is_named(self):
        self.run_prog("execute")
        os.remove(os.path.join(self.dir, "data.txt"))
        p = self.run_prog("why", "read_data", check=1)
        self.assertIn("data.txt", p.stderr)

    def test_a_damaged_trailer_is_reported_and_the_result_recomputed(self):
        self.run_prog("execute")
        [total] = self.show("total")["tasks"]
        # The trailer is the record's end.
        with open(total["file"], "r+b") as f:
            f.seek(total["offset"] + total["stored_bytes"] - 3)
            byte = f.read(1)
            f.seek(total["offset"] + total["stored_bytes"] - 3)
            f.write(bytes([byte[0] ^ 0x40]))
        [damaged] = self.show("total")["tasks"]
        self.assertIsNone(damaged["run"])
        self.assertIn("its record is damaged", damaged["run_unknown_because"])
        self.assertIn("checksum", damaged["run_unknown_because"])
        p = self.run_prog("status", "--verify")
        self.assertIn("total", p.stdout)
        self.run_prog("execute", "--verify")
        [again] = self.show("total")["tasks"]
        self.assertIsNotNone(again["run"])


class JugfileCpp(jugtest.ScratchTest):
    """inputs.cpp as jugfile.cpp in the scratch directory, with data.txt
    holding DATA, run through the jug command (and the tests' shared build
    cache)."""

    DATA = ""

    def setUp(self):
        super().setUp()
        shutil.copy(SOURCE, os.path.join(self.dir, "jugfile.cpp"))
        with open(os.path.join(self.dir, "data.txt"), "w", encoding="utf-8") as f:
            f.write(self.DATA)
        self.env = {"JUG_CACHE_DIR": jugtest.SHARED_CACHE}

    def jug(self, *args, env=None, check=0):
        return jugtest.run([jugtest.JUG, *args], self.dir, env=dict(self.env, **(env or {})),
                           check=check)


class ValuesAndExport(JugfileCpp):
    """Results as JSON: `jug show` prints them, `jug export` writes them,
    through the jug command, which builds the jugfile a second time with
    cereal's JSON archive for these two (a program built otherwise says it
    cannot)."""

    DATA = "4 5 6\n"

    def test_show_prints_values_and_export_writes_them(self):
        self.jug("execute")
        [total] = json.loads(self.jug("show", "total", "--json").stdout)["tasks"]
        self.assertEqual(total["value"], 30.0)
        self.assertIn("  value        [8.0,10.0,12.0]\n", self.jug("show", "scale").stdout)

        exported = json.loads(self.jug("export", "/./").stdout)
        self.assertEqual([(row["name"], row["value"]) for row in exported],
                         [("read_data", [4.0, 5.0, 6.0]), ("scale", [8.0, 10.0, 12.0]),
                          ("total", 30.0)])
        hashes = {t["name"]: t["hash"] for t in
                  json.loads(self.jug("show", "/./", "--json").stdout)["tasks"]}
        self.assertEqual({row["name"]: row["hash"] for row in exported}, hashes)

        p = self.jug("export", "scale", "--target", "total", "--format", "csv", "-o", "out.csv")
        self.assertIn("Wrote the results of 2 tasks to out.csv.", p.stderr)
        with open(os.path.join(self.dir, "out.csv"), newline="", encoding="utf-8") as f:
            rows = list(csv.reader(f))
        self.assertEqual(rows, [["name", "hash", "value"],
                                ["scale", hashes["scale"], "[8.0,10.0,12.0]"],
                                ["total", hashes["total"], "30.0"]])
        self.jug("export", "total", "--format=json", "--output=one.json")
        with open(os.path.join(self.dir, "one.json"), encoding="utf-8") as f:
            self.assertEqual(json.load(f)[0]["value"], 30.0)
        self.assertEqual(sorted(os.listdir(self.dir)),
                         sorted(["data.txt", "jugfile.cpp", "jugfile.jugdata", "one.json",
                                 "out.csv"]), "no temporary file left")

    def test_export_of_unfinished_tasks_says_so(self):
        self.jug("execute", "--target", "read_data")
        p = self.jug("export", "/./", "-o", "part.json", check=1)
        self.assertIn("jug: export: 2 matching tasks are not finished, so not written", p.stderr)
        with open(os.path.join(self.dir, "part.json"), encoding="utf-8") as f:
            self.assertEqual([row["name"] for row in json.load(f)], ["read_data"])
        p = self.jug("export", "/./", "--format", "xml", check=2)
        self.assertIn("--format", p.stderr)

    def test_a_program_built_without_json_says_so(self):
        prog = self.program("inputs")
        jugtest.run([prog, "execute"], self.dir, check=0)
        [total] = json.loads(jugtest.run([prog, "show", "--json", "total"], self.dir,
                                         check=0).stdout)["tasks"]
        self.assertNotIn("value", total)
        self.assertIn("built without JSON output of results", total["value_not_shown_because"])
        p = jugtest.run([prog, "export", "total"], self.dir, check=1)
        self.assertIn("not written: total", p.stderr)
        self.assertIn("define JUG_RESULT_JSON", p.stderr)

    def test_types_without_a_json_form(self):
        # A cache of its own: a failed build is said once per cache.
        self.env = {"JUG_CACHE_DIR": os.path.join(self.dir, "cache")}
        with open(os.path.join(self.dir, "arrays.cpp"), "w", encoding="utf-8") as f:
            f.write(EIGEN_JUGFILE)
        self.jug("execute", "arrays.cpp")
        shown = json.loads(self.jug("show", "arrays.cpp", "/./", "--json").stdout)["tasks"]
        by_name = {t["name"]: t for t in shown}
        self.assertEqual(sorted(t["value"] for t in shown if t["name"] == "count"), [4, 9])
        self.assertIn("has no JSON form", by_name["matrix"]["value_not_shown_because"])
        self.assertIn("Eigen::Matrix", by_name["matrix"]["value_not_shown_because"])

        # A structure whose serialize reaches a matrix: the whole jugfile
        # does not build with the JSON archive. Said once; shown without.
        with open(os.path.join(self.dir, "held.cpp"), "w", encoding="utf-8") as f:
            f.write(EIGEN_JUGFILE.replace("// HELD TASK", "held(2);").replace("// HELD", HELD))
        self.jug("execute", "held.cpp")
        p = self.jug("show", "held.cpp", "count", "--json")
        self.assertIn("does not compile with cereal's JSON archive", p.stderr)
        self.assertIn("built without JSON output", json.loads(p.stdout)["tasks"][0][
            "value_not_shown_because"])
        p = self.jug("show", "held.cpp", "count", "--json")
        self.assertNotIn("compiling", p.stderr, "the failed build is not tried again")

    def test_python_values(self):
        with open(os.path.join(self.dir, "jugfile.py"), "w", encoding="utf-8") as f:
            f.write(PYTHON_JUGFILE)
        os.remove(os.path.join(self.dir, "jugfile.cpp"))
        self.jug("execute", "jugfile.py")
        shown = json.loads(self.jug("show", "jugfile.py", "/./", "--json").stdout)["tasks"]
        self.assertEqual({t["name"].split(".")[-1]: t["value"] for t in shown},
                         {"double": 42, "table": {"a": [1, 2], "b": "x"}})
        self.assertEqual(json.loads(self.jug("export", "jugfile.py", "/table/").stdout)[0]["value"],
                         {"a": [1, 2], "b": "x"})


EIGEN_JUGFILE = """// jug: pkg eigen3
#include <jug/eigen.hpp>
#include <jug/jug.hpp>

// HELD

const jug::TaskGenerator matrix("matrix",
                                [](int n) -> Eigen::MatrixXd { return Eigen::MatrixXd::Ones(n, n); });
const jug::TaskGenerator count("count", [](const Eigen::MatrixXd& m) { return int(m.size()); });

int main(int argc, char** argv) {
  return jug::main(argc, argv, [] {
    count(matrix(2));
    count(matrix(3));
    // HELD TASK
  });
}
"""

HELD = """struct Held {
  Eigen::MatrixXd m;
  template <class Archive> void serialize(Archive& ar) { ar(m); }
};
const jug::TaskGenerator held("held", [](int n) { return Held{Eigen::MatrixXd::Ones(n, n)}; });
"""

PYTHON_JUGFILE = """from jug import TaskGenerator

@TaskGenerator
def double(x):
    return 2 * x

@TaskGenerator
def table():
    return {"a": [1, 2], "b": "x"}

double(21)
table()
"""


class ThroughTheJugCommand(JugfileCpp):
    """`jug show` and `jug why` with a C++ jugfile, as a user types them:
    the jugfile named or found, patterns where the jugfile would go."""

    DATA = "4 5\n"

    def test_show_and_why(self):
        self.jug("execute", "jugfile.cpp")
        named = json.loads(self.jug("show", "jugfile.cpp", "total", "--json").stdout)
        found = json.loads(self.jug("show", "total", "--json").stdout)
        self.assertEqual(named, found)
        self.assertEqual(found["tasks"][0]["state"], "finished")
        self.assertTrue(found["tasks"][0]["location"].startswith(
            os.path.join(self.dir, "jugfile.jugdata")), found["tasks"][0]["location"])
        text = self.jug("show", "scale", "--target", "total", "--max-tasks", "5").stdout
        self.assertIn("\nscale ", "\n" + text)
        self.assertIn("\ntotal ", text)
        self.assertRegex(self.jug("why", "scale", env={"JUG_TEST_FACTOR": "5"}).stdout,
                         r"^scale [0-9a-f]{8}: argument 2 changed since [0-9a-f]{8} "
                         r"\(stored .*\): another value of 8 bytes")
        self.assertRegex(self.jug("why", "jugfile.cpp", "--target=total").stdout,
                         r"^total [0-9a-f]{8}: up to date")
        p = self.jug("execute", "--explain", env={"JUG_TEST_FACTOR": "6"})
        self.assertIn("Running scale (", p.stdout)
        self.assertIn("another value of 8 bytes", p.stdout)
        p = self.jug("why", "nothing", check=1)
        self.assertIn("no task matches nothing", p.stderr)


if __name__ == "__main__":
    jugtest.main()
