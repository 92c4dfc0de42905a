"""`jug graph` (issue 12), as a user runs it: the graph of task names with
each one's states and the dependencies between them, or of tasks
(`--tasks`), in dot, JSON, or what Graphviz renders (SVG, PNG); Python
jug's files (`<jugfile>.dot` and `.png`) by default; and clear refusals.

Most tests use tests/integration/jugfiles/pipeline.cpp: `-- N` makes N
load -> clean pairs, a summary of the cleans, a report of it, and boom ->
after_boom (boom fails when JUG_TEST_FAIL is set)."""

import json
import os
import re

import jugtest


class Graph(jugtest.ScratchTest):
    def setUp(self):
        super().setUp()
        self.prog = self.program("pipeline")

    def graph(self, *args, n="4", env=None, check=0):
        return jugtest.run([self.prog, "graph", *args, "--", n], self.dir, env=env, check=check)

    def run_jug(self, *args, env=None, check=0):
        return jugtest.run([self.prog, *args, "--", "4"], self.dir, env=env, check=check)

    def test_names_with_their_states_and_dependencies_in_dot(self):
        dot = self.graph("--format", "dot").stdout
        self.assertTrue(dot.startswith("digraph jug {\n"), dot)
        self.assertIn('"load" [label="load\\n4 ready", fillcolor="#ffe599"];', dot)
        self.assertIn('"clean" [label="clean\\n4 waiting", fillcolor="#e0e0e0"];', dot)
        self.assertIn('"load" -> "clean" [label="4"];', dot)
        self.assertIn('"clean" -> "summarize" [label="4"];', dot)
        self.assertIn('"summarize" -> "report" [label="1"];', dot)
        self.assertEqual(len(re.findall(r" -> ", dot)), 4, dot)

        self.run_jug("execute", env={"JUG_TEST_FAIL": "1"}, check=1)
        dot = self.graph("--format=dot").stdout
        self.assertIn('"load" [label="load\\n4 finished", fillcolor="#b6d7a8"];', dot)
        self.assertIn('"boom" [label="boom\\n1 failed", fillcolor="#f4a6a6"];', dot)
        self.assertIn('"after_boom" [label="after_boom\\n1 waiting"', dot)

    def test_json_counts_are_status_counts(self):
        self.run_jug("execute", "--target", "clean", env={"JUG_MAX_TASKS": "3"})
        drawn = json.loads(self.graph("--format", "json").stdout)
        status = jugtest.status_json(self.prog, self.dir, extra=["--", "4"])
        self.assertEqual(drawn["tasks"], status["tasks"])
        self.assertEqual([dict(node) for node in drawn["nodes"]],
                         [{k: row[k] for k in ("name", "waiting", "ready", "running", "finished",
                                               "failed")} for row in status["by_name"]])
        self.assertIn({"from": "load", "to": "clean", "dependencies": 4}, drawn["edges"])

    def test_one_node_per_task(self):
        self.run_jug("execute", "--target", "load")
        drawn = json.loads(self.graph("--tasks", "--format", "json").stdout)
        self.assertEqual(drawn["tasks"], 12)
        states = {(node["name"], node["state"]) for node in drawn["nodes"]}
        self.assertEqual(states, {("load", "finished"), ("clean", "ready"),
                                  ("summarize", "waiting"), ("report", "waiting"),
                                  ("boom", "ready"), ("after_boom", "waiting")})
        self.assertEqual(len(drawn["edges"]), 4 + 4 + 1 + 1)
        ids = {node["id"]: node["name"] for node in drawn["nodes"]}
        self.assertEqual(sorted(ids[e["to"]] for e in drawn["edges"] if ids[e["from"]] == "clean"),
                         ["summarize"] * 4)
        dot = self.graph("--tasks", "--format", "dot").stdout
        self.assertEqual(len(re.findall(r"^  t\d+ \[label=", dot, re.M)), 12)
        self.assertRegex(dot, r'label="load\\n[0-9a-f]{8}", fillcolor="#b6d7a8"')

    def test_target_and_the_limit_of_tasks(self):
        drawn = json.loads(self.graph("--tasks", "--target", "summarize", "--format",
                                      "json").stdout)
        self.assertEqual(sorted({node["name"] for node in drawn["nodes"]}),
                         ["clean", "load", "summarize"])
        self.assertEqual(drawn["tasks"], 9)
        p = self.graph("--tasks", "--max-tasks", "8", "--format", "dot", check=1)
        self.assertIn("graph --tasks would draw 12 tasks, more than a drawing can show "
                      "(--max-tasks 8)", p.stderr)
        self.assertIn("--target PATTERN", p.stderr)
        p = self.graph("--tasks", "--max-tasks=9", "--target=summarize", "--format", "dot")
        self.assertEqual(len(re.findall(r"^  t\d+ \[", p.stdout, re.M)), 9)
        p = self.graph("--target", "no_such_task", "--format", "dot", check=1)
        self.assertIn("no task matches --target no_such_task", p.stderr)

    def test_no_status_draws_the_names_alone(self):
        dot = self.graph("--no-status", "--format", "dot").stdout
        self.assertNotIn("fillcolor", dot)
        self.assertNotIn("ready", dot)
        self.assertIn('  "load";\n', dot)
        drawn = json.loads(self.graph("--no-status", "--format", "json").stdout)
        self.assertEqual(drawn["nodes"][0], {"name": "load"})

    def test_svg_and_png_through_graphviz(self):
        svg = self.graph("--format", "svg").stdout
        self.assertIn("<svg", svg)
        self.assertIn("<title>load&#45;&gt;clean</title>", svg)
        out = os.path.join(self.dir, "pipeline-graph.png")
        self.graph("--format=png", "-o", out)
        with open(out, "rb") as f:
            self.assertEqual(f.read(8), b"\x89PNG\r\n\x1a\n")
        self.assertEqual(sorted(n for n in os.listdir(self.dir) if "graph" in n),
                         ["pipeline-graph.png"], "nothing left aside")

    def test_python_jugs_files_by_default(self):
        for args in ([], ["--file-format"]):
            p = self.graph(*args)
            stem = os.path.join(self.dir, "pipeline")  # the jugfile, as the program names it
            self.assertEqual(p.stdout, f"Wrote {stem}.dot and {stem}.png.\n", args)
            with open(os.path.join(self.dir, "pipeline.dot")) as f:
                self.assertIn('"load" -> "clean"', f.read())
            with open(os.path.join(self.dir, "pipeline.png"), "rb") as f:
                self.assertEqual(f.read(4), b"\x89PNG")
            os.remove(os.path.join(self.dir, "pipeline.png"))

    def test_without_graphviz_says_so(self):
        no_dot = {"PATH": os.path.join(self.dir, "empty")}
        p = self.graph(env=no_dot)
        stem = os.path.join(self.dir, "pipeline")
        self.assertIn(f"Wrote {stem}.dot. Graphviz's dot is not installed (Debian, Ubuntu: "
                      f"apt-get install graphviz), so there is no {stem}.png", p.stdout)
        self.assertFalse(os.path.exists(os.path.join(self.dir, "pipeline.png")))
        p = self.graph("--format", "svg", env=no_dot, check=1)
        self.assertIn("graph --format svg needs Graphviz", p.stderr)
        self.assertIn('"load" -> "clean"', self.graph("--format", "dot", env=no_dot).stdout)

    def test_a_format_graphviz_does_not_know_is_its_message(self):
        p = self.graph("--format", "nonsense", check=1)
        self.assertIn("Graphviz's dot could not render", p.stderr)
        self.assertIn("nonsense", p.stderr)


class GraphThroughJug(jugtest.ScratchTest):
    def test_a_cpp_jugfile(self):
        with open(os.path.join(self.dir, "jugfile.cpp"), "w") as f:
            f.write("""
#include <jug/jug.hpp>
const jug::TaskGenerator twice("twice", [](int x) { return 2 * x; });
const jug::TaskGenerator add("add", [](int a, int b) { return a + b; });
int main(int argc, char** argv) {
  return jug::main(argc, argv, [] { add(twice(1), twice(2)); });
}
""")
        p = jugtest.run([jugtest.JUG, "graph", "--format", "dot"], self.dir, check=0)
        self.assertIn('"twice" [label="twice\\n2 ready"', p.stdout)
        self.assertIn('"twice" -> "add" [label="2"];', p.stdout)
        p = jugtest.run([jugtest.JUG, "graph", "jugfile.cpp"], self.dir, check=0)
        self.assertEqual(p.stdout, "Wrote jugfile.dot and jugfile.png.\n")


if __name__ == "__main__":
    jugtest.main()
