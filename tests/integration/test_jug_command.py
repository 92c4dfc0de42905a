"""The book's first example end to end through the `jug` command, as the
chapter runs it: status, two workers at once, the result, a second execute
that runs nothing. Also: the compile cache, and mistakes on the command line."""

import os
import shutil
import subprocess

import jugtest

INTRO = os.path.join(jugtest.SOURCE_DIR, "examples", "intro", "jugfile.cpp")


class JugCommand(jugtest.ScratchTest):
    def setUp(self):
        super().setUp()
        self.env = {"JUG_CACHE_DIR": os.path.join(self.dir, "cache")}

    def jug(self, *args, check=None):
        return jugtest.run([jugtest.JUG, *args], self.dir, env=self.env, check=check)

    def test_book_example_end_to_end(self):
        shutil.copy(INTRO, self.dir)
        p = self.jug("status", check=0)
        self.assertIn("compiling jugfile.cpp", p.stderr)
        rows = {line.split()[0]: line.split()[1:] for line in p.stdout.splitlines()[2:]
                if line and not line.startswith("-")}
        # Waiting, Ready, Running, Finished, Failed
        self.assertEqual(rows["twice"], ["2", "2", "0", "0", "0"])
        self.assertEqual(rows["add"], ["1", "0", "0", "0", "0"])
        self.assertEqual(rows["print_final_result"], ["1", "0", "0", "0", "0"])
        self.assertEqual(rows["Total"], ["4", "2", "0", "0", "0"])

        outputs = jugtest.run_workers([jugtest.JUG, "execute"], 2, self.dir, env=self.env)
        counts = [jugtest.executed_count(out) for out in outputs]
        self.assertEqual(sum(counts), 6)
        # Two workers share the four 4-second tasks (about 8 s instead of 16).
        self.assertTrue(all(c > 0 for c in counts), f"one worker did everything: {counts}")
        with open(os.path.join(self.dir, "output.txt")) as f:
            self.assertEqual(f.read(), "Final result: 36\n")
        self.assertTrue(os.path.isdir(os.path.join(self.dir, "jugfile.jugdata")))

        p = self.jug("status", "--short", check=0)
        self.assertIn("6 of 6 tasks finished", p.stdout)
        self.assertNotIn("compiling", p.stderr)  # cached
        p = self.jug("execute", check=0)
        self.assertEqual(jugtest.executed_count(p.stdout), 0)
        self.jug("check", check=0)

    def test_concurrent_invocations_compile_once(self):
        source = os.path.join(self.dir, "analysis.cpp")
        with open(source, "w") as f:
            f.write('#include <jug/jug.hpp>\n'
                    'const jug::TaskGenerator one("one", [] { return 1; });\n'
                    'int main(int argc, char** argv) {\n'
                    '  return jug::main(argc, argv, [] { one(); });\n}\n')
        env = dict(os.environ, **self.env)
        procs = [subprocess.Popen([jugtest.JUG, "execute", "analysis.cpp"], cwd=self.dir, env=env,
                                  stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
                 for _ in range(2)]
        outputs = [p.communicate(timeout=300) for p in procs]
        for p, (out, err) in zip(procs, outputs):
            self.assertEqual(p.returncode, 0, out + err)
        compiles = sum(err.count("jug: compiling analysis.cpp") for _, err in outputs)
        self.assertEqual(compiles, 1)
        self.assertEqual(sum(jugtest.executed_count(out) for out, _ in outputs), 1)
        self.assertTrue(os.path.isdir(os.path.join(self.dir, "analysis.jugdata")))
        # Changing the source rebuilds.
        with open(source, "a") as f:
            f.write("// changed\n")
        p = self.jug("status", "analysis.cpp", check=0)
        self.assertIn("compiling", p.stderr)

    def test_the_jugfile_program_gets_huge_pages_for_big_allocations(self):
        # A task makes 64 MB and reports the tunables it ran with and how
        # much of its memory is in huge pages (the user's big results).
        with open(os.path.join(self.dir, "pages.cpp"), "w") as f:
            f.write('#include <jug/jug.hpp>\n#include <cstdlib>\n#include <fstream>\n'
                    '#include <sstream>\n#include <string>\n#include <vector>\n'
                    'const jug::TaskGenerator big("big", [](int n) {\n'
                    '  std::vector<char> v(std::size_t(n) << 20, 1);\n'
                    '  std::ifstream smaps("/proc/self/smaps_rollup");\n'
                    '  std::stringstream all; all << smaps.rdbuf();\n'
                    '  const char* t = std::getenv("GLIBC_TUNABLES");\n'
                    '  std::ofstream("report.txt") << (t ? t : "") << "\\n" << all.str();\n'
                    '  return int(v[1]);\n});\n'
                    'int main(int argc, char** argv) {\n'
                    '  return jug::main(argc, argv, [] { big(64); });\n}\n')

        def report(tunables):
            env = dict(self.env)
            if tunables is not None:
                env["GLIBC_TUNABLES"] = tunables
            shutil.rmtree(os.path.join(self.dir, "pages.jugdata"), ignore_errors=True)
            jugtest.run([jugtest.JUG, "execute", "pages.cpp"], self.dir, env=env, check=0)
            with open(os.path.join(self.dir, "report.txt")) as f:
                lines = f.read().splitlines()
            huge = [int(l.split()[1]) for l in lines if l.startswith("AnonHugePages:")]
            return lines[0], huge[0] if huge else None

        tunables, huge_kb = report(None)
        self.assertEqual(tunables, "glibc.malloc.hugetlb=1")
        # A sanitizer's allocator is not glibc's: it reads no tunables.
        sanitized = os.environ.get("JUG_SANITIZED") == "1"
        with open("/sys/kernel/mm/transparent_hugepage/enabled") as f:
            if "[madvise]" in f.read() and huge_kb is not None and not sanitized:
                self.assertGreaterEqual(huge_kb, 32 * 1024, "64 MB in small pages")
        self.assertEqual(report("glibc.malloc.check=3")[0],
                         "glibc.malloc.check=3:glibc.malloc.hugetlb=1")
        self.assertEqual(report("glibc.malloc.hugetlb=0")[0], "glibc.malloc.hugetlb=0",
                         "the user's own setting is kept")

    def test_a_library_is_found_by_its_package_name(self):
        # `// jug: pkg libjpeg` gives the jugfile libjpeg's flags: without
        # them it would not link (jpeg_std_error is in -ljpeg only).
        source = ('{directive}#include <jug/jug.hpp>\n#include <cstdio>\n'
                  '#include <jpeglib.h>\n'
                  'const jug::TaskGenerator version("version", [] {\n'
                  '  jpeg_error_mgr errors;\n'
                  '  return jpeg_std_error(&errors) == &errors ? JPEG_LIB_VERSION : -1;\n});\n'
                  'int main(int argc, char** argv) {\n'
                  '  return jug::main(argc, argv, [] { version(); });\n}\n')
        with open(os.path.join(self.dir, "images.cpp"), "w") as f:
            f.write(source.replace("{directive}", "// jug: pkg libjpeg\n"))
        p = self.jug("execute", "images.cpp", check=0)
        self.assertEqual(jugtest.executed_count(p.stdout), 1)

        with open(os.path.join(self.dir, "images.cpp"), "w") as f:
            f.write(source.replace("{directive}", "// jug: pkg libjpeg no-such-package-for-jug\n"))
        p = self.jug("execute", "images.cpp")
        self.assertEqual(p.returncode, 1, p.stdout + p.stderr)
        self.assertIn("jug: images.cpp: pkg-config knows no package 'no-such-package-for-jug' "
                      "(named in '// jug: pkg')", p.stderr)
        self.assertIn("PKG_CONFIG_PATH", p.stderr)
        self.assertNotIn("compiling", p.stderr, "found before any compiling")

    def test_eigen_matrices_are_results_and_arguments(self):
        # As a user writes it: Eigen found by its package name, its matrices
        # stored by including jug/eigen.hpp. A matrix made by one task is
        # read back by another, in the same run and in the next.
        with open(os.path.join(self.dir, "matrices.cpp"), "w") as f:
            f.write('// jug: pkg eigen3\n#include <jug/jug.hpp>\n#include <jug/eigen.hpp>\n'
                    '#include <Eigen/Dense>\n#include <fstream>\n'
                    # The return type said: `Identity(n, n) * 2.0` alone is an
                    # Eigen expression, not a matrix, and jug says it cannot
                    # store it.
                    'const jug::TaskGenerator make("make", [](int n) -> Eigen::MatrixXd {\n'
                    '  return Eigen::MatrixXd::Identity(n, n) * 2.0; });\n'
                    'const jug::TaskGenerator trace("trace", [](const Eigen::MatrixXd& m) {\n'
                    '  std::ofstream("trace.txt") << m.trace() << "\\n";\n'
                    '  return m.trace(); });\n'
                    'int main(int argc, char** argv) {\n'
                    '  return jug::main(argc, argv, [] { trace(make(300)); });\n}\n')
        p = self.jug("execute", "matrices.cpp", check=0)
        self.assertEqual(jugtest.executed_count(p.stdout), 2)
        with open(os.path.join(self.dir, "trace.txt")) as f:
            self.assertEqual(f.read(), "600\n")
        os.remove(os.path.join(self.dir, "trace.txt"))
        self.jug("invalidate", "matrices.cpp", "--target", "trace", check=0)
        p = self.jug("execute", "matrices.cpp", check=0)
        self.assertEqual(jugtest.executed_count(p.stdout), 1, "the stored matrix read back")
        with open(os.path.join(self.dir, "trace.txt")) as f:
            self.assertEqual(f.read(), "600\n")

    def test_a_type_jug_cannot_store_is_one_error_from_jug(self):
        # A result, then an argument, of a type with no serialize function,
        # then an Eigen expression returned by mistake: jug's own error
        # first and alone, the type named in the note under it, not pages of
        # cereal's template instantiations.
        cases = {
            "result": ("const jug::TaskGenerator make(\"make\", [](int x) { return Opaque{x}; });\n",
                       "make(1)", "jug cannot store this task's result type"),
            "argument": ("const jug::TaskGenerator use(\"use\", [](Opaque o) { return o.x; });\n",
                         "use(Opaque{2})", "jug cannot hash an argument of this task"),
        }
        cases["Eigen expression"] = (
            "#include <Eigen/Dense>\n"
            "const jug::TaskGenerator make(\"make\", [](int n) {\n"
            "  return Eigen::MatrixXd::Identity(n, n) * 2.0; });\n",
            "make(3)", "jug cannot store this task's result, an Eigen expression")
        cases["Armadillo matrix, its header not included"] = (
            "#include <armadillo>\n"
            "const jug::TaskGenerator make(\"make\", [](int n) { return arma::mat(n, n); });\n",
            "make(3)", "include <jug/eigen.hpp>, <jug/armadillo.hpp> or <jug/xtensor.hpp>")
        for what, (generator, call, message) in cases.items():
            with self.subTest(what):
                with open(os.path.join(self.dir, "opaque.cpp"), "w") as f:
                    f.write("// jug: pkg eigen3 armadillo\n"
                            "#include <jug/jug.hpp>\nstruct Opaque { int x = 0; };\n" + generator +
                            "int main(int argc, char** argv) {\n"
                            "  return jug::main(argc, argv, [] { " + call + "; });\n}\n")
                p = self.jug("execute", "opaque.cpp")
                self.assertEqual(p.returncode, 1, p.stderr)
                errors = [line for line in p.stderr.splitlines() if " error: " in line]
                self.assertEqual(len(errors), 1, "\n".join(errors))
                self.assertIn(message, errors[0])
                self.assertIn('docs/codec.md, "', errors[0])
                after = p.stderr.split(errors[0], 1)[1].splitlines()
                notes = [line for line in after if " note: " in line]
                named = {"Eigen expression": "Eigen::",
                         "Armadillo matrix, its header not included": "arma::Mat"}
                self.assertIn(named.get(what, "Opaque"), notes[0],
                              "the type named in the note under the error")

    def test_compile_error_is_reported(self):
        with open(os.path.join(self.dir, "jugfile.cpp"), "w") as f:
            f.write("this is not C++\n")
        p = self.jug("execute")
        self.assertEqual(p.returncode, 1)
        self.assertIn("could not compile jugfile.cpp", p.stderr)

    def test_usage_errors_exit_2(self):
        p = self.jug("frobnicate")
        self.assertEqual(p.returncode, 2)
        self.assertIn("unknown subcommand", p.stderr)
        p = self.jug("status")  # no jugfile.cpp here
        self.assertEqual(p.returncode, 2)
        self.assertIn("jugfile.cpp does not exist", p.stderr)
        p = self.jug()
        self.assertEqual(p.returncode, 2)
        shutil.copy(INTRO, self.dir)
        p = self.jug("status", "--no-such-option")
        self.assertEqual(p.returncode, 2)
        self.assertIn("--no-such-option", p.stderr)
        p = self.jug("execute", "--help", check=0)
        self.assertIn("--keep-going", p.stdout)

    def test_arguments_after_double_dash_reach_the_jugfile(self):
        prog = self.program("pipeline")
        p = jugtest.run([jugtest.JUG, "count", prog, "--", "7"], self.dir, env=self.env, check=0)
        self.assertIn("7  load", p.stdout)


if __name__ == "__main__":
    jugtest.main()
