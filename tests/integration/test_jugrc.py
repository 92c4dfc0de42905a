"""jugrc configuration files (issue 12), as Python jug reads them: the first
of ~/.config/jug/jugrc, ~/.config/jugrc, ~/.jug/configrc; then jugrc and
.jugrc from the git root down to the working directory (the working
directory alone without a git root), the closest weighing most; [main] for
every subcommand, [execute] and the others for one; the command line over
them all; `--print-options` says where each value came from.

tests/integration/jugfiles/sleepy.cpp: `-- N MS`, N tasks of MS ms each."""

import os
import shutil

import jugtest


class Jugrc(jugtest.ScratchTest):
    def setUp(self):
        super().setUp()
        self.home = os.path.join(self.dir, "home")
        self.project = os.path.join(self.dir, "project")
        self.work = os.path.join(self.project, "analysis", "run")
        os.makedirs(self.work)
        os.makedirs(self.home)
        os.symlink(jugtest.program("sleepy"), os.path.join(self.work, "sleepy"))

    def write(self, path, text):
        os.makedirs(os.path.dirname(path), exist_ok=True)
        with open(path, "w", encoding="utf-8") as f:
            f.write(text)

    def run_sleepy(self, *args, check=0):
        return jugtest.run(["./sleepy", *args, "--", "2", "1"], self.work,
                           env={"HOME": self.home}, check=check)

    def options(self, subcommand="execute", *args):
        """{option: (value, origin)} from --print-options."""
        out = self.run_sleepy(subcommand, "--print-options", *args).stdout
        table = {}
        for line in out.splitlines():
            name, value, origin = line.split(None, 2)
            table[name] = (value, origin.strip("()"))
        return table

    def test_the_files_and_their_weights(self):
        self.write(os.path.join(self.home, ".config", "jug", "jugrc"),
                   "[main]\njugdir = global.jugdata\n[execute]\nretries = 1\njobs = 2\n")
        self.write(os.path.join(self.home, ".config", "jugrc"),
                   "[execute]\nmax-crashes = 9\n")  # not read: the first file found wins
        self.write(os.path.join(self.project, "jugrc"),
                   "[execute]\nretries = 3\nwait_cycle_time = 4\n")
        self.write(os.path.join(self.work, "jugrc"), "[execute]\nwait-cycle-time: 5\n")
        self.write(os.path.join(self.work, ".jugrc"), "[EXECUTE]\nnr-wait-cycles = 7\n"
                   "[execute]\n# a comment\n; another\nWait-Cycle-Time = 6\n")

        # Without a git root, the working directory's files alone.
        table = self.options()
        self.assertEqual(table["--jugdir"], ("global.jugdata",
                                             self.home + "/.config/jug/jugrc:2"))
        self.assertEqual(table["--retries"][0], "1")
        self.assertEqual(table["--jobs"][0], "2")
        self.assertEqual(table["--max-crashes"], ("-", "the default"))
        self.assertEqual(table["--wait-cycle-time"], ("6", self.work + "/.jugrc:6"))
        self.assertEqual(table["--nr-wait-cycles"], ("-", "the default"),
                         "sections are named as written: [EXECUTE] is not [execute]")

        # With one, every directory up to it; the closest weighs most.
        os.mkdir(os.path.join(self.project, ".git"))
        table = self.options()
        self.assertEqual(table["--retries"], ("3", self.project + "/jugrc:2"))
        self.assertEqual(table["--wait-cycle-time"][0], "6")
        os.remove(os.path.join(self.work, ".jugrc"))
        self.assertEqual(self.options()["--wait-cycle-time"], ("5", self.work + "/jugrc:2"))

        # The command line over every file, in either form.
        table = self.options("execute", "--retries", "8", "--jugdir=cli.jugdata")
        self.assertEqual(table["--retries"], ("8", "the command line"))
        self.assertEqual(table["--jugdir"], ("cli.jugdata", "the command line"))

        # And the files really set the options: the store is global.jugdata.
        p = self.run_sleepy("status")
        self.assertIn("global.jugdata", p.stdout)

    def test_main_for_every_subcommand_and_booleans(self):
        self.write(os.path.join(self.work, "jugrc"),
                   "[main]\nshort = yes\n[execute]\nkeep-going = off\n"
                   "[status]\nshort = 0\n[cleanup]\ndry_run = TRUE\n")
        self.assertEqual(self.options("count")["--short"][0], "true")
        self.assertEqual(self.options("status")["--short"][0], "false",
                         "a subcommand's section over [main] in one file")
        self.assertEqual(self.options("execute")["--keep-going"][0], "false")
        self.assertEqual(self.options("cleanup")["--dry-run"][0], "true")
        p = self.run_sleepy("status")
        self.assertIn("Task name", p.stdout, "not --short: the table")
        self.write(os.path.join(self.work, "jugrc"), "[main]\nshort = yes\n")
        self.assertEqual(len(self.run_sleepy("status").stdout.splitlines()), 1,
                         "[main] short = yes: status in one line")

    def test_mistakes_are_named_with_their_line(self):
        self.write(os.path.join(self.work, "jugrc"), "[execute]\nretries = many\n")
        p = self.run_sleepy("execute", check=2)
        self.assertIn(self.work + "/jugrc:2: --retries = many:", p.stderr)
        self.write(os.path.join(self.work, "jugrc"), "[execute]\nretrys = 1\n")
        p = self.run_sleepy("execute")
        self.assertIn(self.work + "/jugrc:2: execute has no option --retrys (ignored)", p.stderr)
        self.write(os.path.join(self.work, "jugrc"), "retries = 1\n")
        p = self.run_sleepy("status", check=2)
        self.assertIn(self.work + "/jugrc:1: a setting before any [section]", p.stderr)
        self.write(os.path.join(self.work, "jugrc"), "[execute\n")
        p = self.run_sleepy("status", check=2)
        self.assertIn("a section header is written [name]", p.stderr)

    def test_through_the_jug_command(self):
        shutil.copy(os.path.join(jugtest.SOURCE_DIR, "tests", "integration", "jugfiles",
                                 "sleepy.cpp"), os.path.join(self.work, "jugfile.cpp"))
        self.write(os.path.join(self.work, ".jugrc"), "[main]\njugdir = shared.jugdata\n")
        env = {"HOME": self.home, "JUG_CACHE_DIR": os.path.join(self.dir, "cache")}
        p = jugtest.run([jugtest.JUG, "execute", "--print-options"], self.work, env=env, check=0)
        self.assertRegex(p.stdout, r"--jugdir +shared\.jugdata +\(" + self.work + r"/\.jugrc:2\)")
        jugtest.run([jugtest.JUG, "execute", "--", "2", "1"], self.work, env=env, check=0)
        self.assertTrue(os.path.isdir(os.path.join(self.work, "shared.jugdata")))


if __name__ == "__main__":
    jugtest.main()
