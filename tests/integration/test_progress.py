"""`jug execute`'s progress (issue 12), as a user sees it: on a terminal
(a pseudo-terminal here, read as the screen shows it), one line redrawn in
place that never scrolls, fits the width and is gone before the summary; in
a log (a pipe, or TERM=dumb), a plain line every --progress-every seconds
with no control characters; nothing with --quiet. And `--trace FILE`: a
row per task run, as Nextflow's trace.

tests/integration/jugfiles/sleepy.cpp: `-- N MS`, N tasks of MS ms each."""

import fcntl
import os
import re
import select
import socket
import struct
import subprocess
import termios
import time

import jugtest

COLUMNS = 60


def run_in_terminal(args, cwd, env=None, columns=COLUMNS):
    """Runs `args` with a pseudo-terminal `columns` wide as its stdout and
    stderr; returns (exit status, every byte it wrote, as text)."""
    master, slave = os.openpty()
    fcntl.ioctl(slave, termios.TIOCSWINSZ, struct.pack("HHHH", 24, columns, 0, 0))
    full_env = dict(os.environ, TERM="xterm")
    full_env.update(env or {})
    process = subprocess.Popen(args, cwd=cwd, stdin=slave, stdout=slave, stderr=slave,
                               env=full_env, start_new_session=True)
    os.close(slave)
    output = b""
    deadline = time.monotonic() + 120
    while time.monotonic() < deadline:
        ready = select.select([master], [], [], 1)[0]
        if not ready:
            if process.poll() is not None:
                break
            continue
        try:
            chunk = os.read(master, 65536)
        except OSError:  # the other end is closed: the command ended
            break
        if not chunk:
            break
        output += chunk
    code = process.wait(timeout=60)
    os.close(master)
    return code, output.decode()


def screen_lines(output):
    """The lines left on a screen that shows `output`: a carriage return goes
    back to the start of the line, ESC[K erases to its end."""
    lines, line, column = [], [], 0
    for token in re.findall(r"\x1b\[[0-9;]*[A-Za-z]|\r\n|\r|\n|[^\x1b\r\n]", output):
        if token in ("\n", "\r\n"):
            lines.append("".join(line))
            line, column = [], 0
        elif token == "\r":
            column = 0
        elif token == "\x1b[K":
            del line[column:]
        elif token.startswith("\x1b"):
            pass
        else:
            if column < len(line):
                line[column] = token
            else:
                line.append(token)
            column += 1
    if line:
        lines.append("".join(line))
    return lines


def drawn_lines(output):
    """Each progress line as it was drawn (between a \\r and the next ESC[K)."""
    return re.findall(r"\r(\[[^\r\n\x1b]*)\x1b\[K", output)


class Progress(jugtest.ScratchTest):
    def setUp(self):
        super().setUp()
        self.prog = self.program("sleepy")

    def test_one_line_redrawn_on_a_terminal(self):
        code, output = run_in_terminal([self.prog, "execute", "-j", "2", "--", "24", "150"],
                                       self.dir)
        self.assertEqual(code, 0, output)
        drawn = drawn_lines(output)
        self.assertGreater(len(drawn), 5, output)
        done = [int(re.match(r"\[(\d+)/24\]", line).group(1)) for line in drawn]
        self.assertEqual(done, sorted(done), "the count only grows")
        self.assertLess(done[0], 24)
        self.assertTrue(all(len(line) <= COLUMNS - 1 for line in drawn),
                        [line for line in drawn if len(line) >= COLUMNS])
        self.assertTrue(any("running" in line for line in drawn), drawn)
        # The screen: the summary alone, no line per task, no progress left.
        screen = [line for line in screen_lines(output) if line.strip()]
        self.assertLess(len(screen), 8, screen)
        self.assertFalse(any(line.startswith("[") for line in screen), screen)
        self.assertTrue(any("24" in line for line in screen), screen)

    def test_the_time_left_and_the_longest_task(self):
        # A first run times the tasks; the second, with new ones of the
        # same name, estimates the time left from the first one's metadata
        # at once, and names the task running longest.
        run_in_terminal([self.prog, "execute", "--", "4", "300"], self.dir)
        code, output = run_in_terminal([self.prog, "execute", "--", "10", "300"], self.dir,
                                       columns=200)
        self.assertEqual(code, 0, output)
        drawn = drawn_lines(output)
        with_time = [line for line in drawn if " left" in line and "unknown" not in line]
        self.assertTrue(with_time, drawn)
        self.assertRegex(with_time[0], r"^\[\d+/10\] \d+% · 1 running · [\d.]+/s · [\d.]+ s left "
                                       r"· longest: nap [0-9a-f]{8} \([\d.]+ s\)$")
        seconds = float(re.search(r"· ([\d.]+) s left", with_time[0]).group(1))
        self.assertLess(seconds, 10 * 0.3 * 2, with_time[0])

    def test_a_log_gets_plain_lines(self):
        p = jugtest.run([self.prog, "execute", "--progress-every", "0.3", "--", "12", "100"],
                        self.dir, check=0)
        lines = [line for line in p.stdout.splitlines() if line.startswith("jug: ")]
        self.assertGreaterEqual(len(lines), 2, p.stdout)
        self.assertRegex(lines[0], r"^jug: \d+ of 12 tasks done \(\d+%\), 1 running, [\d.]+ per "
                                   r"second")
        self.assertNotIn("\r", p.stdout)
        self.assertNotIn("\x1b", p.stdout)
        # The other form of the option; six more tasks, the twelve done.
        p = jugtest.run([self.prog, "execute", "--progress-every=0.2", "--", "18", "100"],
                        self.dir, check=0)
        lines = [line for line in p.stdout.splitlines() if line.startswith("jug: ")]
        self.assertTrue(lines, p.stdout)
        self.assertRegex(lines[0], r"^jug: 1[2-7] of 18 tasks done")

    def test_a_dumb_terminal_gets_plain_lines(self):
        code, output = run_in_terminal(
            [self.prog, "execute", "--progress-every", "0.3", "--", "8", "100"], self.dir,
            env={"TERM": "dumb"})
        self.assertEqual(code, 0, output)
        self.assertNotIn("\x1b", output)
        self.assertIn("jug: ", output)
        self.assertIn(" of 8 tasks done", output)

    def test_quiet_prints_the_summary_only(self):
        code, output = run_in_terminal([self.prog, "execute", "--quiet", "--", "8", "150"],
                                       self.dir)
        self.assertEqual(code, 0, output)
        self.assertEqual(drawn_lines(output), [])
        self.assertNotIn("\x1b", output)
        self.assertIn("8", output)
        code, output = run_in_terminal([self.prog, "execute", "-q", "--", "9", "1"], self.dir)
        self.assertEqual(code, 0, output)
        self.assertEqual(drawn_lines(output), [])

    def test_a_quick_run_draws_nothing(self):
        code, output = run_in_terminal([self.prog, "execute", "--", "5", "1"], self.dir)
        self.assertEqual(code, 0, output)
        self.assertEqual(drawn_lines(output), [], "first drawn after half a second")


class Trace(jugtest.ScratchTest):
    COLUMNS = ["name", "hash", "host", "pid", "batch_job", "status", "failure", "start", "end",
               "seconds", "peak_rss"]

    def read_trace(self, name="trace.tsv"):
        with open(os.path.join(self.dir, name), encoding="utf-8") as f:
            rows = [line.rstrip("\n").split("\t") for line in f]
        self.assertEqual(rows[0], self.COLUMNS)
        for row in rows[1:]:
            self.assertEqual(len(row), len(self.COLUMNS), row)
        return [dict(zip(self.COLUMNS, row)) for row in rows[1:]]

    def test_a_row_per_task_run_shared_by_two_workers(self):
        prog = self.program("sleepy")
        jugtest.run_workers([prog, "execute", "--trace", "trace.tsv", "--", "16", "100"], 2,
                            self.dir)
        rows = self.read_trace()
        self.assertEqual(len(rows), 16)
        self.assertEqual({row["status"] for row in rows}, {"COMPLETED"})
        self.assertEqual(len({row["pid"] for row in rows}), 2, "both workers wrote")
        self.assertEqual({row["host"] for row in rows}, {socket.gethostname()})
        status = jugtest.status_json(prog, self.dir, extra=["--", "16", "100"])
        self.assertEqual(status["totals"]["finished"], 16)
        for row in rows:
            self.assertEqual(row["name"], "nap")
            self.assertRegex(row["hash"], r"^[0-9a-f]{64}$")
            self.assertRegex(row["start"], r"^20\d\d-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z$")
            self.assertLessEqual(row["start"], row["end"])
            self.assertGreaterEqual(float(row["seconds"]), 0.09)
            self.assertGreater(int(row["peak_rss"]), 1 << 20)
        self.assertEqual(len({row["hash"] for row in rows}), 16, "each task once")

    def test_failures_are_rows_too(self):
        prog = self.program("pipeline")
        p = jugtest.run([prog, "execute", "--trace=t.tsv", "--keep-going", "--", "2"], self.dir,
                        env={"JUG_TEST_FAIL": "1"}, check=1)
        rows = self.read_trace("t.tsv")
        failed = [row for row in rows if row["status"] == "FAILED"]
        self.assertEqual([row["name"] for row in failed], ["boom"], p.stdout)
        self.assertIn("boom was told to fail", failed[0]["failure"])
        self.assertEqual(len(rows), 1 + 2 + 2 + 1 + 1, [row["name"] for row in rows])

    def test_a_trace_that_cannot_be_opened_stops_before_running(self):
        prog = self.program("sleepy")
        p = jugtest.run([prog, "execute", "--trace", "no/such/dir/t.tsv", "--", "3", "1"],
                        self.dir, check=1)
        self.assertIn("--trace: cannot open no/such/dir/t.tsv", p.stderr)
        self.assertEqual(jugtest.status_json(prog, self.dir, extra=["--", "3", "1"])["totals"][
            "finished"], 0)


if __name__ == "__main__":
    jugtest.main()
