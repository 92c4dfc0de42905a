"""`jug webstatus` (issue 12), as a user runs it: the page in headless
Chromium (Debian's), read as a person reads it (its DOM) and looked at (a
screenshot), before tasks run and after; /status.json equal to `jug status
--json`; bad requests answered with errors while the page keeps working;
loopback by default, a port in use named, Ctrl-C ends it.

tests/integration/jugfiles/sleepy.cpp: `-- N MS`, N tasks of MS ms each.
Skipped under a sanitizer: the server is cpp-httplib's, the page a
browser's; the status is the `jug status` the other tests cover."""

import json
import os
import re
import shutil
import signal
import socket
import subprocess
import time
import unittest
import urllib.error
import urllib.request

import jugtest

CHROMIUM = shutil.which("chromium")
ARGS = ["--", "24", "150"]


def setUpModule():
    if os.environ.get("JUG_SANITIZED") == "1":
        raise unittest.SkipTest("the server and the page are not ours to sanitize")
    if CHROMIUM is None:
        raise AssertionError("chromium is missing: apt-get install chromium "
                             "(scripts/install-deps.sh)")


class Webstatus(jugtest.ScratchTest):
    def setUp(self):
        super().setUp()
        self.prog = self.program("sleepy")
        self.servers = []

    def tearDown(self):
        for server in self.servers:
            if server.poll() is None:
                server.kill()
                server.wait()
            server.stdout.close()
            server.stderr.close()
        super().tearDown()

    def start(self, *options, jugfile=None, args=ARGS):
        """Starts `jug webstatus`; returns (process, port)."""
        server = subprocess.Popen(
            [jugtest.JUG, "webstatus", jugfile or self.prog, "--port", "0", *options, *args],
            cwd=self.dir, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
            env=dict(os.environ, JUG_CACHE_DIR=jugtest.SHARED_CACHE))
        self.servers.append(server)
        line = server.stdout.readline()
        match = re.search(r"http://127\.0\.0\.1:(\d+)/", line)
        self.assertTrue(match, line + server.stderr.read() if server.poll() is not None else line)
        return server, int(match.group(1))

    def get(self, port, path):
        with urllib.request.urlopen(f"http://127.0.0.1:{port}{path}", timeout=20) as response:
            return response.status, response.headers.get("Content-Type"), response.read()

    def browse(self, port, *what):
        """Headless Chromium at the page, after the page has updated itself."""
        return subprocess.run([CHROMIUM, "--headless=new", "--no-sandbox", "--disable-gpu",
                               "--user-data-dir=" + os.path.join(self.dir, "chromium"),
                               "--virtual-time-budget=2500", *what,
                               f"http://127.0.0.1:{port}/"],
                              capture_output=True, text=True, timeout=120)

    def dom(self, port):
        return self.browse(port, "--dump-dom").stdout

    def screenshot(self, port, name):
        path = os.path.join(self.dir, name)
        self.browse(port, "--window-size=1000,700", "--screenshot=" + path)
        with open(path, "rb") as f:
            data = f.read()
        self.assertTrue(data.startswith(b"\x89PNG\r\n\x1a\n"), name)
        self.assertGreater(len(data), 5000, "a page, not a blank")
        return data

    def status(self):
        return jugtest.status_json(self.prog, self.dir, extra=ARGS)

    def wait_for(self, port, condition, timeout=60):
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            page = json.loads(self.get(port, "/page.json")[2])
            if condition(page):
                return page
            time.sleep(0.2)
        raise AssertionError("the page never showed it: " + json.dumps(page)[:2000])

    def test_the_page_before_and_after_the_tasks_run(self):
        server, port = self.start("--interval", "0.2")
        code, kind, body = self.get(port, "/status.json")
        self.assertEqual((code, kind), (200, "application/json"))
        self.assertEqual(json.loads(body), self.status())

        before = self.dom(port)
        self.assertIn('<div id="summary">0 of 24 tasks finished (0%), 0 running, 24 ready, '
                      '0 waiting, 0 failed', before)
        self.assertRegex(before, r'<tr data-name="nap"><td>nap</td>.*<td class="n">0</td>'
                                 r'<td class="n">24</td>')
        first = self.screenshot(port, "before.png")

        worker = subprocess.Popen([self.prog, "execute", "-j", "2", *ARGS], cwd=self.dir,
                                  stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        running = self.wait_for(port, lambda p: p["status"]["running"] and p["running"])
        self.assertEqual({r["hash"] for r in running["running"]},
                         {r["hash"] for r in running["status"]["running"]})
        self.assertEqual(worker.wait(timeout=60), 0)
        done = self.wait_for(port, lambda p: p["status"]["totals"]["finished"] == 24)
        self.assertEqual(done["status"], self.status())
        self.assertTrue(done["recent"], "recent finishes are listed")
        self.assertLessEqual(sum(r["count"] for r in done["recent"]), 24)

        after = self.dom(port)
        self.assertIn('<div id="summary">24 of 24 tasks finished (100%), 0 running, 0 ready, '
                      '0 waiting, 0 failed', after)
        self.assertRegex(after, r'<tbody id="recent"><tr><td>[^<]+</td><td>nap</td><td>\+\d+</td>')
        self.assertIn('<span class="finished" title="24 finished" style="width: 100%;">', after)
        self.assertNotEqual(self.screenshot(port, "after.png"), first)
        self.assertIn(b"<svg", self.get(port, "/graph.svg")[2])
        self.assertEqual(json.loads(self.get(port, "/status.json")[2]), self.status())

        server.send_signal(signal.SIGINT)
        self.assertEqual(server.wait(timeout=15), 0)

    def test_failures_and_the_barrier_are_shown(self):
        prog = self.program("pipeline")
        jugtest.run([prog, "execute", "--keep-going", "--", "3"], self.dir,
                    env={"JUG_TEST_FAIL": "1"}, check=1)
        server, port = self.start(jugfile=prog, args=["--", "3"])
        page = self.dom(port)
        self.assertRegex(page, r'<tbody id="failed"><tr><td>boom</td><td>[0-9a-f]{8}</td>'
                               r'<td>std::invalid_argument: boom was told to fail</td>')
        self.assertIn('<tr data-name="after_boom"><td>after_boom</td>', page)

    def test_bad_requests_get_errors_and_the_page_goes_on(self):
        server, port = self.start()
        with self.assertRaises(urllib.error.HTTPError) as missing:
            self.get(port, "/no/such/page")
        self.assertEqual(missing.exception.code, 404)
        self.assertIn(b"no such page here", missing.exception.read())
        request = urllib.request.Request(f"http://127.0.0.1:{port}/status.json", data=b"x",
                                         method="POST")
        with self.assertRaises(urllib.error.HTTPError) as posted:
            urllib.request.urlopen(request, timeout=20)
        self.assertGreaterEqual(posted.exception.code, 400)
        # A huge header, and many connections that say nothing.
        with socket.create_connection(("127.0.0.1", port), timeout=20) as s:
            s.sendall(b"GET / HTTP/1.1\r\nHost: x\r\nX-Big: " + b"a" * 100_000 + b"\r\n\r\n")
            answer = s.recv(100)
            self.assertTrue(answer == b"" or re.match(rb"HTTP/1\.1 4\d\d", answer), answer)
        idle = [socket.create_connection(("127.0.0.1", port), timeout=20) for _ in range(40)]
        try:
            start = time.monotonic()
            self.assertEqual(self.get(port, "/status.json")[0], 200)
            self.assertLess(time.monotonic() - start, 15)
        finally:
            for s in idle:
                s.close()
        self.assertIsNone(server.poll(), "still serving")
        self.assertEqual(self.get(port, "/")[0], 200)

    def test_options_and_mistakes(self):
        server, port = self.start()
        self.assertEqual(self.get(port, "/")[1], "text/html; charset=utf-8")
        # The port in use, named.
        p = jugtest.run([jugtest.JUG, "webstatus", self.prog, f"--port={port}", *ARGS], self.dir,
                        check=1)
        self.assertIn(f"cannot listen on 127.0.0.1:{port}", p.stderr)
        self.assertIn("--port 0", p.stderr)
        for bad in (["--port", "http"], ["--port=70000"], ["--interval", "0"], ["--port"]):
            p = jugtest.run([jugtest.JUG, "webstatus", self.prog, *bad], self.dir, check=2)
            self.assertIn("webstatus: ", p.stderr)
        # An address this machine does not have.
        p = jugtest.run([jugtest.JUG, "webstatus", self.prog, "--bind", "192.0.2.1", "--port",
                         "0", *ARGS], self.dir, check=1)
        self.assertIn("cannot listen on 192.0.2.1", p.stderr)
        # A jugfile that does not build is said at once, not served.
        with open(os.path.join(self.dir, "broken.cpp"), "w", encoding="utf-8") as f:
            f.write("this is not C++\n")
        p = jugtest.run([jugtest.JUG, "webstatus", "broken.cpp"], self.dir, check=1,
                        env={"JUG_CACHE_DIR": jugtest.SHARED_CACHE})
        self.assertIn("webstatus: jug status failed", p.stderr)
        server.send_signal(signal.SIGTERM)
        self.assertEqual(server.wait(timeout=15), 0)


if __name__ == "__main__":
    jugtest.main()
