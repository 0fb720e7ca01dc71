"""Redis without a single point of failure on 127.0.0.1: a primary, a replica and three Sentinels.

All are Debian's `redis-server` (a Sentinel is `redis-server <conf> --sentinel`, what `redis-sentinel` runs).
The Sentinels watch the master named `stagepool` and, when a majority (2 of 3) sees it down for
`DOWN_AFTER_MS`, promote the replica; clients that ask the Sentinels for the master (redis-py's
`Sentinel.master_for`, see `stagepool_shared.redis.connect`) then reconnect to it. Replication is
asynchronous (docs/reliability.md: what an acknowledged write is guaranteed across a failover).

Imports the standard library, redis-py and the other devstack modules.
"""

from __future__ import annotations

import os
import time
from pathlib import Path
from typing import Callable, Self

import redis

from . import _proc
from .errors import RedisStartError
from .redis_server import RedisServer, redis_answers, redis_server_binary

MASTER_NAME = "stagepool"
SENTINELS = 3
QUORUM = 2
DOWN_AFTER_MS = 1000
FAILOVER_TIMEOUT_MS = 5000
READY_TIMEOUT_S = 30.0


class DataServer(RedisServer):
    """A data server of the set. It starts as a replica of the server the Sentinels name master at that moment
    (`master_port()`; the primary's port before the Sentinels run, for the replica), as the deployment's start
    script does (deploy/k8s/base/redis.yaml). So a restarted old primary rejoins as a replica at once, instead of
    serving as a second master until the Sentinels convert it: they notice its role only at their INFO period
    (10 s) and convert it after another 8 s, about 20 s in all, a race with any caller's patience."""

    LABEL = "redis data server"

    def __init__(self, data_dir: str | os.PathLike[str], master_port: Callable[[], int | None],
                 **kwargs: object) -> None:
        super().__init__(data_dir, **kwargs)  # type: ignore[arg-type]
        self.master_port = master_port

    def _prepare(self) -> list[str]:
        command = super()._prepare()
        master = self.master_port()
        return command if master in (None, self.port) else [*command, "--replicaof", _proc.HOST, str(master)]


class SentinelServer(_proc.ServerProcess):
    """One Redis Sentinel; its config file is its own (Sentinel rewrites it with what it learns)."""

    LABEL = "redis sentinel"
    LOG_TAG = "sentinel"
    START_ERROR = RedisStartError
    POLL_S = 0.05
    LOG_NAME = "sentinel.log"

    def __init__(self, data_dir: str | os.PathLike[str], primary: RedisServer, *, die_with_parent: bool = False) -> None:
        super().__init__(data_dir, None, start_timeout=READY_TIMEOUT_S, die_with_parent=die_with_parent)
        self.primary = primary

    @property
    def address(self) -> str:
        return f"{_proc.HOST}:{self.port}"

    @property
    def config_path(self) -> Path:
        return self.data_dir / "sentinel.conf"

    def answers(self) -> bool:
        return self.port is not None and redis_answers(self.port)

    def _prepare(self) -> list[str]:
        binary = redis_server_binary()
        self.data_dir.mkdir(parents=True, exist_ok=True)
        self.port = self.port or _proc.free_ports(1)[0]
        if not self.config_path.is_file():  # written once: afterwards Sentinel keeps it up to date
            self.config_path.write_text("\n".join([
                f"port {self.port}", f"bind {_proc.HOST}", f"dir {self.data_dir}", "sentinel resolve-hostnames no",
                f"sentinel monitor {MASTER_NAME} {_proc.HOST} {self.primary.port} {QUORUM}",
                f"sentinel down-after-milliseconds {MASTER_NAME} {DOWN_AFTER_MS}",
                f"sentinel failover-timeout {MASTER_NAME} {FAILOVER_TIMEOUT_MS}",
                f"sentinel parallel-syncs {MASTER_NAME} 1", "",
            ]))  # fmt: skip
        return [binary, str(self.config_path), "--sentinel", "--daemonize", "no", "--logfile", ""]

    def _is_ready(self, log_offset: int) -> bool:
        assert self.port is not None
        return redis_answers(self.port)

    def _not_ready(self) -> str:
        return f"did not answer PING on {self.address} after {self.start_timeout:.0f} s"

    def _announce_ready(self) -> None:
        pass


class RedisSentinelSet:
    """Primary + replica + three Sentinels under one data dir: `start()`, `stop()`, `sentinels`, `master()`."""

    def __init__(self, data_dir: str | os.PathLike[str], *, die_with_parent: bool = False) -> None:
        self.data_dir = Path(data_dir).resolve()
        self.primary = DataServer(self.data_dir / "primary", lambda: self._master_port(None),
                                  die_with_parent=die_with_parent)
        self.replica = DataServer(self.data_dir / "replica", lambda: self._master_port(self.primary.port),
                                  die_with_parent=die_with_parent)
        self.sentinel_servers = [SentinelServer(self.data_dir / f"sentinel-{i}", self.primary,
                                                die_with_parent=die_with_parent) for i in range(1, SENTINELS + 1)]

    @property
    def sentinels(self) -> str:
        """`host:port,...` of the Sentinels, for STAGEPOOL_REDIS_SENTINELS."""
        return ",".join(s.address for s in self.sentinel_servers)

    @property
    def url(self) -> str:
        """The `redis+sentinel://` URL that `stagepool_shared.redis.connect` resolves through the Sentinels."""
        return f"redis+sentinel://{self.sentinels}/{MASTER_NAME}/0"

    @property
    def servers(self) -> list[RedisServer]:
        """The two data servers (whichever is master now)."""
        return [self.primary, self.replica]

    def master(self) -> RedisServer:
        """The data server the Sentinels name as master now."""
        port = self._named_master_port()
        return next(s for s in self.servers if s.port == port)

    def _named_master_port(self) -> int:
        return int(self._ask_sentinel("SENTINEL", "GET-MASTER-ADDR-BY-NAME", MASTER_NAME)[1])

    def _master_port(self, before_sentinels: int | None) -> int | None:
        """The port of the master the Sentinels name now; `before_sentinels` when none runs yet."""
        if not any(sentinel.is_running() for sentinel in self.sentinel_servers):
            return before_sentinels
        return self._named_master_port()

    def start(self) -> Self:
        """Start the primary, the replica (until in sync) and the Sentinels (until they see each other)."""
        try:
            self.primary.start()
            self.replica.start()
            _wait(lambda: _info(self.replica.port, "master_link_status") == "up", "the replica did not sync")
            for sentinel in self.sentinel_servers:
                sentinel.start()
            _wait(self._sentinels_agree, "the Sentinels did not find the replica and each other")
        except BaseException:
            self.stop()
            raise
        return self

    def stop(self) -> None:
        for server in (*self.sentinel_servers, self.replica, self.primary):
            server.stop()

    def _sentinels_agree(self) -> bool:
        for sentinel in self.sentinel_servers:
            client = _client(sentinel.port)
            try:
                if len(client.execute_command("SENTINEL", "REPLICAS", MASTER_NAME)) < 1:
                    return False
                if len(client.execute_command("SENTINEL", "SENTINELS", MASTER_NAME)) < SENTINELS - 1:
                    return False
            except redis.RedisError:
                return False
            finally:
                client.close()
        return True

    def _ask_sentinel(self, *command: str) -> list[str]:
        for sentinel in self.sentinel_servers:
            if sentinel.is_running():
                client = _client(sentinel.port)
                try:
                    return [v.decode() if isinstance(v, bytes) else v for v in client.execute_command(*command)]
                finally:
                    client.close()
        raise RedisStartError("no Sentinel runs")

    def __enter__(self) -> Self:
        return self.start()

    def __exit__(self, *exc: object) -> None:
        self.stop()


def _client(port: int | None) -> redis.Redis:
    return redis.Redis(host=_proc.HOST, port=port or 0, socket_connect_timeout=1, socket_timeout=2)


def _info(port: int | None, field: str) -> str | None:
    client = _client(port)
    try:
        value = client.info("replication").get(field)
        return None if value is None else str(value)
    except redis.RedisError:
        return None
    finally:
        client.close()


def _wait(predicate: object, message: str, timeout: float = READY_TIMEOUT_S) -> None:
    deadline = time.monotonic() + timeout
    while not predicate():  # type: ignore[operator]
        if time.monotonic() > deadline:
            raise RedisStartError(f"{message} within {timeout:.0f} s")
        time.sleep(0.1)
