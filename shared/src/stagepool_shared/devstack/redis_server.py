"""A real Debian `redis-server` on 127.0.0.1 with AOF on and fsync on every write (reliability.md 3.0).

The server runs as a child in its own process group with its log in the data dir; `restart()` comes back
on the same port and dir, so the append-only file is replayed. Imports the standard library and redis-py.
"""

from __future__ import annotations

import contextlib
import logging
import os
import shutil
import subprocess
import time
from pathlib import Path

import redis

from . import _proc
from .errors import RedisStartError

logger = logging.getLogger(__name__)

START_TIMEOUT_S = 30.0
STOP_GRACE_S = 30.0
INSTALL_HINT = "apt-get install redis-server"


def redis_answers(port: int, host: str = _proc.HOST, timeout: float = 1.0) -> bool:
    """True when Redis answers PING on host:port."""
    client = redis.Redis(host=host, port=port, socket_connect_timeout=timeout, socket_timeout=timeout)
    try:
        return bool(client.ping())
    except redis.RedisError:
        return False
    finally:
        client.close()


def redis_server_binary() -> str:
    """Path of redis-server; as root, installs Debian's package when it is missing."""
    found = shutil.which("redis-server") or next(
        (p for p in ("/usr/bin/redis-server", "/usr/sbin/redis-server") if os.access(p, os.X_OK)), None
    )
    if found:
        return found
    if os.geteuid() != 0:
        raise RedisStartError(f"redis-server is not installed; run as root: {INSTALL_HINT}")
    logger.warning("redis-server missing; installing Debian's redis-server with apt-get")
    env = {**os.environ, "DEBIAN_FRONTEND": "noninteractive"}
    for cmd in (["apt-get", "update"], ["apt-get", "install", "-y", "--no-install-recommends", "redis-server"]):
        done = subprocess.run(cmd, env=env, capture_output=True, text=True)
        if done.returncode != 0:
            raise RedisStartError(f"`{' '.join(cmd)}` failed (exit {done.returncode}):\n{done.stderr[-2000:]}")
    found = shutil.which("redis-server") or "/usr/bin/redis-server"
    if not os.access(found, os.X_OK):
        raise RedisStartError(f"redis-server still missing after installing; {INSTALL_HINT} is needed")
    return found


class RedisServer:
    """One redis-server on 127.0.0.1 with `appendonly yes`, `appendfsync always` and no RDB snapshots."""

    def __init__(
        self,
        data_dir: str | os.PathLike[str],
        port: int | None = None,
        *,
        start_timeout: float = START_TIMEOUT_S,
        die_with_parent: bool = False,
    ) -> None:
        self.data_dir = Path(data_dir).resolve()
        self.port = port
        self.start_timeout = start_timeout
        self.die_with_parent = die_with_parent
        self.last_start_seconds: float | None = None
        self._proc: subprocess.Popen[bytes] | None = None

    @property
    def url(self) -> str:
        """`redis://127.0.0.1:PORT/0` for REDIS_URL."""
        if self.port is None:
            raise RedisStartError("redis has no port yet; call start() first")
        return f"redis://{_proc.HOST}:{self.port}/0"

    @property
    def pid(self) -> int | None:
        """PID of the server process (also its process-group id), None before the first start."""
        return self._proc.pid if self._proc else None

    @property
    def log_path(self) -> Path:
        """The server's stdout and stderr, appended to across restarts."""
        return self.data_dir / "redis.log"

    def is_running(self) -> bool:
        """True while the process this object started is alive."""
        return self._proc is not None and self._proc.poll() is None

    def answers(self) -> bool:
        """True when the server answers its protocol on its port (whoever started it)."""
        return self.port is not None and redis_answers(self.port)

    def start(self) -> "RedisServer":
        """Run redis-server (installing it first when root and missing) and wait for PING."""
        if self.is_running():
            return self
        started = time.monotonic()
        binary = redis_server_binary()
        self.data_dir.mkdir(parents=True, exist_ok=True)
        if self.port is None:
            self.port = _proc.free_ports(1)[0]
        elif not _proc.port_is_free(self.port):
            raise RedisStartError(f"redis port 127.0.0.1:{self.port} is already in use (data dir {self.data_dir})")
        self._spawn(binary)
        self._wait_ready()
        self.last_start_seconds = time.monotonic() - started
        logger.info("redis ready on %s in %.2f s (pid %s)", self.url, self.last_start_seconds, self.pid)
        return self

    def stop(self, grace: float = STOP_GRACE_S) -> None:
        """SIGTERM (redis fsyncs the AOF and exits), wait up to `grace` seconds, then SIGKILL."""
        if self._proc is not None:
            _proc.terminate(self._proc.pid, grace)
            self._reap()

    def kill(self) -> None:
        """kill -9 of redis-server (a crash, for fault tests). `restart()` replays the AOF."""
        if self._proc is not None:
            _proc.hard_kill(self._proc.pid)
            self._reap()

    def restart(self) -> "RedisServer":
        """Stop if running, then start again on the same port and dir; the AOF is replayed."""
        self.stop()
        return self.start()

    def __enter__(self) -> "RedisServer":
        return self.start()

    def __exit__(self, *exc: object) -> None:
        self.stop()

    def _command(self, binary: str) -> list[str]:
        return [
            binary,
            "--bind", _proc.HOST,
            "--port", str(self.port),
            "--appendonly", "yes",
            "--appendfsync", "always",
            "--save", "",
            "--dir", str(self.data_dir),
            "--daemonize", "no",
            "--logfile", "",
        ]  # fmt: skip

    def _spawn(self, binary: str) -> None:
        with open(self.log_path, "ab") as log:
            log.write(f"--- start redis on {self.url}\n".encode())
            log.flush()
            self._proc = subprocess.Popen(
                self._command(binary),
                stdin=subprocess.DEVNULL,
                stdout=log,
                stderr=subprocess.STDOUT,
                cwd=self.data_dir,
                start_new_session=True,
                preexec_fn=_proc.die_with_parent if self.die_with_parent else None,
            )

    def _wait_ready(self) -> None:
        deadline = time.monotonic() + self.start_timeout
        while True:
            assert self._proc is not None and self.port is not None
            if self._proc.poll() is not None:
                raise RedisStartError(
                    f"redis-server exited with code {self._proc.returncode} during start; "
                    f"log {self.log_path}:\n{_proc.log_tail(self.log_path)}"
                )
            if redis_answers(self.port, timeout=0.5):
                return
            if time.monotonic() > deadline:
                self.kill()
                raise RedisStartError(
                    f"redis-server did not answer PING on {self.url} after {self.start_timeout:.0f} s; "
                    f"log {self.log_path}:\n{_proc.log_tail(self.log_path)}"
                )
            time.sleep(0.05)

    def _reap(self) -> None:
        if self._proc is not None:
            with contextlib.suppress(subprocess.TimeoutExpired):
                self._proc.wait(timeout=5)

