"""The dev stack: Kafka (one broker, or a 3-node cluster with `brokers=3`) and Redis, started together and
recorded in <state_dir>/state.json.

`DevStack().up()` starts both as detached children (their own sessions, so they outlive the caller),
`down()` stops the processes recorded in state.json by PID (never by name), `status()` says whether each
one answers. The CLI (`stagepool dev ...`), the demo and the end-to-end tests use it.
Imports the standard library, redis-py and the other devstack modules; never kafka-python.
"""

from __future__ import annotations

import json
import os
import shutil
import time
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Callable

from . import _proc, paths
from .kafka_cluster import KafkaCluster, check_replication, default_replication
from .kafka_server import KafkaServer, kafka_answers
from .redis_sentinel import MASTER_NAME, RedisSentinelSet
from .redis_server import RedisServer, redis_answers

DEFAULT_STATE_DIR = ".stagepool/run"
STATE_FILE = "state.json"
# A recorded PID is only signalled while its command line still looks like the server we started there
# (keyed by the part of the recorded name before "-": "kafka-2" is a Kafka node).
_EXPECTED_CMDLINE = {"kafka": "kafka.Kafka", "redis": "redis-server", "sentinel": "redis-server"}
_PROBES: dict[str, Callable[[int], bool]] = {"kafka": kafka_answers, "redis": redis_answers, "sentinel": redis_answers}


def _kind(name: str) -> str:
    return name.split("-", 1)[0]


@dataclass(frozen=True)
class ServiceStatus:
    """One server's line in `stagepool dev status`."""

    name: str
    address: str
    pid: int | None
    running: bool
    answers: bool

    def describe(self) -> str:
        """A fixed-width line: name, address, pid, state."""
        state = "answers" if self.answers else ("running, not answering" if self.running else "down")
        return f"{self.name:<13} {self.address:<28} pid {self.pid or '-':<8} {state}"


def _resolve_state_dir(state_dir: str | os.PathLike[str]) -> Path:
    try:
        return paths.resolve_in_repo(state_dir).resolve()
    except FileNotFoundError:
        return Path(state_dir).resolve()


class DevStack:
    """Kafka + Redis for development, demos and end-to-end tests.

    `brokers=1` (the default) is one broker with today's settings; `brokers=3` a KRaft cluster whose topics
    get `replication_factor` replicas (default 3, capped at the broker count), min.insync.replicas one less
    and 12 partitions. A replication factor above the broker count is refused here, before anything starts.
    `redis_sentinel=True` runs Redis as a primary, a replica and three Sentinels (redis_sentinel.py); that
    set starts empty on every `up`.
    """

    def __init__(self, state_dir: str | os.PathLike[str] = DEFAULT_STATE_DIR, brokers: int = 1,
                 replication_factor: int | None = None, redis_sentinel: bool = False) -> None:
        self.state_dir = _resolve_state_dir(state_dir)
        self.brokers = brokers
        rf = default_replication(brokers) if replication_factor is None else replication_factor
        check_replication(brokers, rf)
        self.kafka: KafkaServer | KafkaCluster = (
            KafkaServer(self.state_dir / "kafka") if brokers == 1
            else KafkaCluster(self.state_dir / "kafka-cluster", brokers, replication_factor=rf))
        self.redis_ha = RedisSentinelSet(self.state_dir / "redis-ha") if redis_sentinel else None
        self.redis = self.redis_ha.primary if self.redis_ha else RedisServer(self.state_dir / "redis")

    def processes(self) -> dict[str, _proc.ServerProcess]:
        """Every server process of this stack by its recorded name: kafka (or kafka-1..N), redis (with
        Sentinel also redis-replica and sentinel-1..3)."""
        kafka = ({"kafka": self.kafka} if isinstance(self.kafka, KafkaServer)
                 else {f"kafka-{n.node_id}": n for n in self.kafka.nodes})
        if self.redis_ha is None:
            return {**kafka, "redis": self.redis}
        sentinels = {f"sentinel-{i}": s for i, s in enumerate(self.redis_ha.sentinel_servers, start=1)}
        return {**kafka, "redis": self.redis, "redis-replica": self.redis_ha.replica, **sentinels}

    # ---- state file
    @property
    def state_path(self) -> Path:
        """<state_dir>/state.json, written by `up` and removed by `down`."""
        return self.state_dir / STATE_FILE

    def state(self) -> dict[str, Any] | None:
        """The recorded stack (addresses, pids, ports, data dirs, logs), or None when it is not up."""
        try:
            return json.loads(self.state_path.read_text())
        except FileNotFoundError:
            return None

    def _write_state(self) -> dict[str, Any]:
        procs = self.processes()
        state = {
            "kafka_bootstrap": self.kafka.bootstrap,
            "redis_url": self.redis.url,
            "brokers": self.brokers,
            "redis_sentinels": self.redis_ha.sentinels if self.redis_ha else "",
            "pids": {name: proc.pid for name, proc in procs.items()},
            "ports": {name: proc.port for name, proc in procs.items()},
            "data_dirs": {name: str(proc.data_dir) for name, proc in procs.items()},
            "logs": {name: str(proc.log_path) for name, proc in procs.items()},
            "started_at": time.strftime("%Y-%m-%dT%H:%M:%S%z"),
        }
        self.state_dir.mkdir(parents=True, exist_ok=True)
        tmp = self.state_path.with_suffix(".tmp")
        tmp.write_text(json.dumps(state, indent=2) + "\n")
        tmp.replace(self.state_path)
        return state

    # ---- addresses
    @property
    def kafka_bootstrap(self) -> str:
        """The running stack's KAFKA_BOOTSTRAP_SERVERS."""
        return self._require_state()["kafka_bootstrap"]

    @property
    def redis_url(self) -> str:
        """The running stack's REDIS_URL."""
        return self._require_state()["redis_url"]

    def env(self) -> dict[str, str]:
        """The environment variables that point services and tests at the running stack, and the dev-stack
        flag (STAGEPOOL_ENV=dev: short secrets tolerated, cookies without Secure on plain http)."""
        state = self._require_state()
        env = {"KAFKA_BOOTSTRAP_SERVERS": state["kafka_bootstrap"], "REDIS_URL": state["redis_url"],
               "STAGEPOOL_ENV": "dev"}
        if state.get("redis_sentinels"):
            env.update(STAGEPOOL_REDIS_SENTINELS=state["redis_sentinels"], STAGEPOOL_REDIS_MASTER=MASTER_NAME)
        return env

    def export_lines(self) -> list[str]:
        """`export NAME=value` lines for `eval "$(stagepool dev env)"`."""
        return [f"export {key}={value}" for key, value in self.env().items()]

    def _require_state(self) -> dict[str, Any]:
        state = self.state()
        if state is None:
            raise RuntimeError(f"the dev stack is not up (no {self.state_path}); run `stagepool dev up`")
        return state

    # ---- lifecycle
    def up(self, fresh: bool = False) -> dict[str, Any]:
        """Start Kafka and Redis (or reuse them when both already answer) and record them in state.json."""
        current = self.state()
        same_shape = current is not None and current.get("brokers", 1) == self.brokers and \
            bool(current.get("redis_sentinels")) == bool(self.redis_ha)
        if same_shape and not fresh and all(s.answers for s in self.status()):
            return current
        if current is not None:
            self.down()
        if fresh:
            shutil.rmtree(self.kafka.data_dir, ignore_errors=True)
            shutil.rmtree(self.redis.data_dir, ignore_errors=True)
        try:
            self.kafka.start()
            self._start_redis()
        except BaseException:
            self.kafka.stop()
            (self.redis_ha or self.redis).stop()
            raise
        return self._write_state()

    def _start_redis(self) -> None:
        if self.redis_ha is not None:
            shutil.rmtree(self.redis_ha.data_dir, ignore_errors=True)  # Sentinel configs name old ports
            self.redis_ha.start()
            return
        self.redis.port = self.redis.port or _saved_redis_port(self.redis.data_dir)
        self.redis.start()
        _save_redis_port(self.redis)

    def down(self) -> list[str]:
        """Stop the processes recorded in state.json, by PID; returns one line per process."""
        state = self.state()
        if state is None:
            return ["dev stack is not up (no state file)"]
        procs, pids = self.processes(), state.get("pids", {})
        # In parallel: the last Kafka node of a cluster cannot shut down in a controlled way once the others
        # are gone (no quorum) and would wait out the whole grace time.
        with ThreadPoolExecutor(max(1, len(pids))) as pool:
            report = list(pool.map(lambda item: self._stop_recorded(*item, procs.get(item[0])), pids.items()))
        self.state_path.unlink(missing_ok=True)
        return report

    def _stop_recorded(self, name: str, pid: int | None, server: _proc.ServerProcess | None) -> str:
        if not pid or not _proc.pid_alive(pid):
            return f"{name}: pid {pid} already gone"
        if _EXPECTED_CMDLINE[_kind(name)] not in _proc.cmdline(pid):
            return f"{name}: pid {pid} is no longer our {_kind(name)} server; left alone"
        started = time.monotonic()
        if server is not None and server.pid == pid:
            server.stop()
        else:
            _proc.terminate(pid)
        return f"{name}: stopped pid {pid} in {time.monotonic() - started:.1f} s"

    def status(self) -> list[ServiceStatus]:
        """Whether each recorded server runs and answers (Kafka: ApiVersions; Redis: PING)."""
        state = self.state() or {}
        if not state:
            return [ServiceStatus("kafka", "-", None, False, False), ServiceStatus("redis", "-", None, False, False)]
        return [_recorded_status(state, name) for name in state.get("pids", {})]

    def __enter__(self) -> "DevStack":
        self.up()
        return self

    def __exit__(self, *exc: object) -> None:
        self.down()


def _recorded_status(state: dict[str, Any], name: str) -> ServiceStatus:
    """The status of the server recorded under `name` in state.json: its pid runs, its port answers."""
    pid, port = state.get("pids", {}).get(name), state.get("ports", {}).get(name)
    address = state.get("redis_url", "-") if name == "redis" else f"{_proc.HOST}:{port}"
    return ServiceStatus(name, address, pid, _proc.pid_alive(pid), bool(port) and _PROBES[_kind(name)](port))


def _saved_redis_port(data_dir: Path) -> int | None:
    """The port a previous `up` used, so REDIS_URL stays the same across down/up (when still free)."""
    try:
        port = int((data_dir / "port").read_text())
    except (FileNotFoundError, ValueError):
        return None
    return port if _proc.port_is_free(port) else None


def _save_redis_port(server: RedisServer) -> None:
    (server.data_dir / "port").write_text(f"{server.port}\n")
