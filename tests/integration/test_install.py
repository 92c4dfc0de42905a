"""After `cmake --install`: the jug command compiles jugfiles against the
installed library, find_package(jug) gives jug::jug, and pkg-config works."""

import os
import subprocess

import jugtest
import stored_results

JUGFILE = """#include <jug/jug.hpp>
#include <map>
#include <string>
const jug::TaskGenerator word_length("word_length", [](const std::string& w) { return w.size(); });
const jug::TaskGenerator total("total", [](const std::map<std::string, std::size_t>& lengths) {
  std::size_t sum = 0;
  for (const auto& [word, n] : lengths) sum += n;
  return sum;
});
int main(int argc, char** argv) {
  return jug::main(argc, argv, [] {
    std::map<std::string, jug::Task<std::size_t>> lengths;
    for (const char* w : {"jug", "in", "C++"}) lengths.emplace(w, word_length(w));
    auto t = total(lengths);
    if (!jug::arguments().empty()) jug::value(t);
  });
}
"""


class Install(jugtest.ScratchTest):
    @classmethod
    def setUpClass(cls):
        import tempfile
        cls.prefix = tempfile.mkdtemp(prefix="jug-install-")
        jugtest.run(["cmake", "--install", jugtest.BUILD_DIR, "--prefix", cls.prefix], "/", check=0)

    @classmethod
    def tearDownClass(cls):
        import shutil
        shutil.rmtree(cls.prefix, ignore_errors=True)

    def write_jugfile(self, name="jugfile.cpp"):
        with open(os.path.join(self.dir, name), "w") as f:
            f.write(JUGFILE)

    def test_installed_layout(self):
        for path in ["bin/jug", "include/jug/jug.hpp", "lib/libjug.a", "share/jug/compile.conf",
                     "lib/cmake/jug/jugConfig.cmake", "lib/pkgconfig/jug.pc"]:
            self.assertTrue(os.path.exists(os.path.join(self.prefix, path)), path)

    def test_installed_jug_command_compiles_and_runs(self):
        self.write_jugfile()
        env = {"JUG_CACHE_DIR": os.path.join(self.dir, "cache")}
        jug = os.path.join(self.prefix, "bin", "jug")
        p = jugtest.run([jug, "execute"], self.dir, env=env, check=0)
        self.assertEqual(jugtest.executed_count(p.stdout), 4)
        with open(os.path.join(self.prefix, "share", "jug", "compile.conf")) as f:
            self.assertIn("${confdir}", f.read())  # relocatable

    def test_installed_jug_runs_a_python_jugfile(self):
        # The package is installed under lib/jug/python with its engine, and
        # found from the installed compile.conf, not from the build tree.
        with open(os.path.join(self.prefix, "share", "jug", "compile.conf")) as f:
            if "pythonpath=" not in f.read():
                self.skipTest("built without the Python front end")
        with open(os.path.join(self.dir, "jugfile.py"), "w") as f:
            f.write("from jug import TaskGenerator\n\n@TaskGenerator\ndef double(x):\n"
                    "    return 2 * x\n\ndouble(double(3))\n")
        jug = os.path.join(self.prefix, "bin", "jug")
        p = jugtest.run([jug, "execute", "jugfile.py"], self.dir, check=0)
        self.assertEqual(jugtest.executed_count(p.stdout), 2)
        engine = [name for name in os.listdir(os.path.join(self.prefix, "lib", "jug", "python",
                                                          "jug")) if name.startswith("_engine")]
        self.assertEqual(len(engine), 1)

    def test_find_package(self):
        self.write_jugfile("main.cpp")
        with open(os.path.join(self.dir, "CMakeLists.txt"), "w") as f:
            f.write("cmake_minimum_required(VERSION 3.20)\nproject(user CXX)\n"
                    "find_package(jug REQUIRED)\nadd_executable(analysis main.cpp)\n"
                    "target_link_libraries(analysis PRIVATE jug::jug)\n")
        build = os.path.join(self.dir, "build")
        flags = self.sanitizer_flags()
        jugtest.run(["cmake", "-S", self.dir, "-B", build, f"-DCMAKE_PREFIX_PATH={self.prefix}",
                     f"-DCMAKE_CXX_FLAGS={flags}", f"-DCMAKE_EXE_LINKER_FLAGS={flags}"],
                    self.dir, check=0)
        jugtest.run(["cmake", "--build", build], self.dir, check=0)
        # Run from another directory: the results go beside the source, not
        # into the build tree nor the working directory.
        elsewhere = os.path.join(self.dir, "elsewhere")
        os.mkdir(elsewhere)
        p = jugtest.run([os.path.join(build, "analysis"), "execute"], elsewhere, check=0)
        self.assertEqual(jugtest.executed_count(p.stdout), 4)
        self.assertEqual(len(stored_results.stored_results(os.path.join(self.dir, "main.jugdata"))),
                         4)
        self.assertEqual([d for d in os.listdir(build) if d.endswith(".jugdata")], [])
        self.assertEqual(os.listdir(elsewhere), [])
        p = jugtest.run([os.path.join(build, "analysis"), "status", "--short", "--", "value"],
                        self.dir, check=0)
        self.assertIn("4 of 4 tasks finished", p.stdout)
        p = jugtest.run([os.path.join(build, "analysis"), "status"], elsewhere, check=0)
        self.assertIn("Results are kept in the file store at "
                      + os.path.join(os.path.realpath(self.dir), "main.jugdata"), p.stdout)
        # The jug command on the same source uses the same store.
        env = {"JUG_CACHE_DIR": os.path.join(self.dir, "cache")}
        jug = os.path.join(self.prefix, "bin", "jug")
        p = jugtest.run([jug, "execute", "main.cpp"], self.dir, env=env, check=0)
        self.assertEqual(jugtest.executed_count(p.stdout), 0)
        p = jugtest.run([jug, "execute", os.path.join(build, "analysis")], elsewhere, env=env,
                        check=0)
        self.assertEqual(jugtest.executed_count(p.stdout), 0)
        self.assertEqual([d for d in os.listdir(build) if d.endswith(".jugdata")], [])
        # A clean rebuild keeps every result.
        import shutil
        shutil.rmtree(build)
        jugtest.run(["cmake", "-S", self.dir, "-B", build, f"-DCMAKE_PREFIX_PATH={self.prefix}",
                     f"-DCMAKE_CXX_FLAGS={flags}", f"-DCMAKE_EXE_LINKER_FLAGS={flags}"],
                    self.dir, check=0)
        jugtest.run(["cmake", "--build", build], self.dir, check=0)
        p = jugtest.run([os.path.join(build, "analysis"), "execute"], build, check=0)
        self.assertEqual(jugtest.executed_count(p.stdout), 0)

    def test_pkg_config(self):
        self.write_jugfile()
        env = dict(os.environ, PKG_CONFIG_PATH=os.path.join(self.prefix, "lib", "pkgconfig"))
        flags = subprocess.run(["pkg-config", "--cflags", "--libs", "jug"], env=env,
                               capture_output=True, text=True, check=True).stdout.split()
        jugtest.run(["g++", "jugfile.cpp", "-o", "jugfile", *self.sanitizer_flags().split(),
                     *flags], self.dir, check=0)
        p = jugtest.run(["./jugfile", "execute"], self.dir, check=0)
        self.assertEqual(jugtest.executed_count(p.stdout), 4)
        # Compiled from this directory: its source is found, and named the store.
        self.assertTrue(os.path.isdir(os.path.join(self.dir, "jugfile.jugdata")))

    def sanitizer_flags(self):
        """A sanitizer build's library needs the same flags in its users."""
        with open(os.path.join(self.prefix, "share", "jug", "compile.conf")) as f:
            for line in f:
                if line.startswith("cxxflags="):
                    return " ".join(w for w in line.split("=", 1)[1].split()
                                    if w.startswith("-fsanitize") or w.startswith("-fno-"))
        return ""


if __name__ == "__main__":
    jugtest.main()
