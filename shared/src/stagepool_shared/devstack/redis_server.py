"""A real Debian `redis-server` on 127.0.0.1 with AOF on and fsync on every write (reliability.md 3.0).

The server runs as a child in its own process group with its log in the data dir; `restart()` comes back
on the same port and dir, so the append-only file is replayed. Imports the standard library and redis-py.
"""

from __future__ import annotations

import logging
import os
import shutil
import subprocess

import redis

from . import _proc
from .errors import RedisStartError

logger = logging.getLogger(__name__)

START_TIMEOUT_S = 30.0
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


class RedisServer(_proc.ServerProcess):
    """One redis-server on 127.0.0.1 with `appendonly yes`, `appendfsync always` and no RDB snapshots.

    SIGTERM makes redis fsync the AOF and exit; after a kill -9, `restart()` replays the AOF.
    """

    LABEL = "redis-server"
    LOG_TAG = "redis"
    START_ERROR = RedisStartError
    POLL_S = 0.05
    LOG_NAME = "redis.log"

    def __init__(
        self,
        data_dir: str | os.PathLike[str],
        port: int | None = None,
        *,
        start_timeout: float = START_TIMEOUT_S,
        die_with_parent: bool = False,
    ) -> None:
        super().__init__(data_dir, port, start_timeout=start_timeout, die_with_parent=die_with_parent)

    @property
    def url(self) -> str:
        """`redis://127.0.0.1:PORT/0` for REDIS_URL."""
        if self.port is None:
            raise RedisStartError("redis has no port yet; call start() first")
        return f"redis://{_proc.HOST}:{self.port}/0"

    @property
    def address(self) -> str:
        return self.url

    def answers(self) -> bool:
        """True when the server answers its protocol on its port (whoever started it)."""
        return self.port is not None and redis_answers(self.port)

    # ---- lifecycle (start, stop, kill, restart: _proc.ServerProcess)
    def _prepare(self) -> list[str]:
        """Find redis-server (installing it first when root and missing) and a free port; its command."""
        binary = redis_server_binary()
        self.data_dir.mkdir(parents=True, exist_ok=True)
        if self.port is None:
            self.port = _proc.free_ports(1)[0]
        elif not _proc.port_is_free(self.port):
            raise RedisStartError(f"redis port 127.0.0.1:{self.port} is already in use (data dir {self.data_dir})")
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

    def _is_ready(self, log_offset: int) -> bool:
        """Redis answers PING."""
        assert self.port is not None
        return redis_answers(self.port, timeout=0.5)

    def _not_ready(self) -> str:
        return f"did not answer PING on {self.url} after {self.start_timeout:.0f} s"

    def _announce_ready(self) -> None:
        logger.info("redis ready on %s in %.2f s (pid %s)", self.url, self.last_start_seconds, self.pid)
