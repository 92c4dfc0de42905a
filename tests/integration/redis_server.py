"""A redis-server of a test's own, for the integration tests of the Redis
store: on a free port, in a scratch directory of its own, stopped by its pid
(never by name), killed with the test process however that dies.

    server = RedisServer()                          # 127.0.0.1, no persistence
    server = RedisServer(args=["--appendonly", "yes"])
    server = RedisServer(bind="10.231.7.1", prefix=["ip", "netns", "exec", ns])
    server.url()       # redis://127.0.0.1:PORT/
    server.cli("SMEMBERS", "jug:failures")
    server.kill()      # SIGKILL, as a crash; server.stop() is SIGTERM
    server.start()     # again, same port, same directory (an AOF is reloaded)
    server.remove()    # stopped, its directory removed

Readiness is asked through a unix socket in the server's directory, which
only this server makes: another server that took the port meanwhile cannot be
taken for ours, and a server in another network namespace is reached without
any network traffic (a path's socket is not per namespace)."""

import ctypes
import os
import shutil
import signal
import socket
import subprocess
import tempfile
import time

REDIS_SERVER = "/usr/bin/redis-server"
REDIS_CLI = "/usr/bin/redis-cli"


def die_with_parent():
    """In the child: killed when the test process dies, however it dies."""
    PR_SET_PDEATHSIG = 1
    ctypes.CDLL(None, use_errno=True).prctl(PR_SET_PDEATHSIG, signal.SIGKILL)


def free_port(host="127.0.0.1"):
    """A port nothing listens on at `host` now (a later bind may still lose it
    to another process: callers retry)."""
    with socket.socket() as s:
        s.bind((host, 0))
        return s.getsockname()[1]


class RedisServer:
    """A redis-server in its own scratch dir (see the module's comment).

    - args: more redis-server arguments, after the defaults (`--save ""`,
      `--appendonly no`), so that they win: ["--appendonly", "yes"].
    - bind: the address it listens on and that url() names.
    - prefix: a command to run it under, which must exec it (so that its pid
      is the server's): ["ip", "netns", "exec", "jugA-123"].
    - port: the port; by default a free one of 127.0.0.1 (for a server in a
      fresh network namespace, any port is free).
    - password: `requirepass` (which a server bound to other than loopback
      needs, or it refuses clients in protected mode); cli() gives it."""

    def __init__(self, args=(), bind="127.0.0.1", prefix=(), port=None, password=None):
        if not os.access(REDIS_SERVER, os.X_OK):
            raise AssertionError(f"{REDIS_SERVER} is missing: the Redis tests need it. "
                                 "Run scripts/install-deps.sh (it installs redis-server).")
        self.args = list(args)
        self.bind = bind
        self.prefix = list(prefix)
        self.password = password
        self.proc = None
        self.dir = tempfile.mkdtemp(prefix="jug-redis-")
        self.socket = os.path.join(self.dir, "redis.sock")
        self.log_path = os.path.join(self.dir, "redis.log")
        if port is not None:
            self.port = port
            self.start()
            return
        for _ in range(5):
            self.port = free_port()
            if self._start():
                return
        raise AssertionError("redis-server did not start: " + self._log_tail())

    def start(self):
        """Starts it again on the same port, with the same directory (after
        stop() or kill(), or a crash)."""
        if self.proc is not None and self.proc.poll() is None:
            raise AssertionError(f"redis-server (pid {self.proc.pid}) is still running")
        if not self._start():
            raise AssertionError(f"redis-server did not start on port {self.port}: "
                                 + self._log_tail())

    def restart(self):
        """stop(), then start() on the same port with the same directory."""
        self.stop()
        self.start()

    def _start(self):
        if os.path.exists(self.socket):
            os.unlink(self.socket)  # a killed server leaves it
        with open(self.log_path, "ab") as log:
            self.proc = subprocess.Popen(
                [*self.prefix, REDIS_SERVER, "--port", str(self.port), "--bind", self.bind,
                 "--dir", self.dir, "--save", "", "--appendonly", "no", "--daemonize", "no",
                 "--unixsocket", self.socket, "--unixsocketperm", "700",
                 *(["--requirepass", self.password] if self.password else []), *self.args],
                stdout=log, stderr=subprocess.STDOUT, preexec_fn=die_with_parent)
        if self._wait_until_answering():
            return True
        self.stop()
        return False

    def _wait_until_answering(self):
        """Until PING says PONG (not -LOADING: an AOF being read back)."""
        deadline = time.monotonic() + 20
        while time.monotonic() < deadline:
            if self.proc.poll() is not None:
                return False
            try:
                with socket.socket(socket.AF_UNIX) as s:
                    s.settimeout(1)
                    s.connect(self.socket)
                    if self.password:
                        s.sendall(b"AUTH " + self.password.encode() + b"\r\n")
                        if not s.recv(64).startswith(b"+OK"):
                            return False
                    s.sendall(b"PING\r\n")
                    if s.recv(64).startswith(b"+PONG"):
                        return True
            except OSError:
                pass
            time.sleep(0.02)
        return False

    def _log_tail(self):
        try:
            with open(self.log_path, errors="replace") as f:
                return "its log ends:\n" + "".join(f.readlines()[-15:])
        except OSError:
            return "see " + self.dir

    @property
    def pid(self):
        return self.proc.pid

    def running(self):
        return self.proc is not None and self.proc.poll() is None

    def url(self, db=""):
        host = f"[{self.bind}]" if ":" in self.bind else self.bind
        return f"redis://{host}:{self.port}/{db}"

    def cli(self, *args):
        """redis-cli through the server's unix socket; its stdout."""
        env = dict(os.environ, REDISCLI_AUTH=self.password) if self.password else None
        return subprocess.run([REDIS_CLI, "-s", self.socket, *args], check=True, env=env,
                              capture_output=True, text=True, timeout=60).stdout

    def stop(self):
        """SIGTERM by pid (SIGKILL after 10 s); waits for it."""
        if self.running():
            os.kill(self.proc.pid, signal.SIGTERM)
            try:
                self.proc.wait(timeout=10)
            except subprocess.TimeoutExpired:
                os.kill(self.proc.pid, signal.SIGKILL)
                self.proc.wait()

    def kill(self):
        """SIGKILL by pid, as a crash or a power cut would stop it; reaped."""
        if self.running():
            os.kill(self.proc.pid, signal.SIGKILL)
            self.proc.wait()

    def remove(self):
        self.stop()
        shutil.rmtree(self.dir, ignore_errors=True)
