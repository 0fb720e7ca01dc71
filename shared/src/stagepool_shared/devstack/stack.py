"""The dev stack: one Kafka broker and one Redis, started together and recorded in <state_dir>/state.json.

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
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Callable

from . import _proc, paths
from .kafka_server import KafkaServer, kafka_answers
from .redis_server import RedisServer, redis_answers

DEFAULT_STATE_DIR = ".stagepool/run"
STATE_FILE = "state.json"
# A recorded PID is only signalled while its command line still looks like the server we started there.
_EXPECTED_CMDLINE = {"kafka": "kafka.Kafka", "redis": "redis-server"}


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
        return f"{self.name:<6} {self.address:<28} pid {self.pid or '-':<8} {state}"


def _resolve_state_dir(state_dir: str | os.PathLike[str]) -> Path:
    try:
        return paths.resolve_in_repo(state_dir).resolve()
    except FileNotFoundError:
        return Path(state_dir).resolve()


class DevStack:
    """Kafka + Redis for development, demos and end-to-end tests."""

    def __init__(self, state_dir: str | os.PathLike[str] = DEFAULT_STATE_DIR) -> None:
        self.state_dir = _resolve_state_dir(state_dir)
        self.kafka = KafkaServer(self.state_dir / "kafka")
        self.redis = RedisServer(self.state_dir / "redis")

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
        state = {
            "kafka_bootstrap": self.kafka.bootstrap,
            "redis_url": self.redis.url,
            "pids": {"kafka": self.kafka.pid, "redis": self.redis.pid},
            "ports": {"kafka": self.kafka.port, "kafka_controller": self.kafka.controller_port, "redis": self.redis.port},
            "data_dirs": {"kafka": str(self.kafka.data_dir), "redis": str(self.redis.data_dir)},
            "logs": {"kafka": str(self.kafka.log_path), "redis": str(self.redis.log_path)},
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
        return {"KAFKA_BOOTSTRAP_SERVERS": state["kafka_bootstrap"], "REDIS_URL": state["redis_url"],
                "STAGEPOOL_ENV": "dev"}

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
        if current is not None and not fresh and all(s.answers for s in self.status()):
            return current
        if current is not None:
            self.down()
        if fresh:
            shutil.rmtree(self.kafka.data_dir, ignore_errors=True)
            shutil.rmtree(self.redis.data_dir, ignore_errors=True)
        self.redis.port = self.redis.port or _saved_redis_port(self.redis.data_dir)
        try:
            self.kafka.start()
            self.redis.start()
        except BaseException:
            self.kafka.stop()
            self.redis.stop()
            raise
        _save_redis_port(self.redis)
        return self._write_state()

    def down(self) -> list[str]:
        """Stop the processes recorded in state.json, by PID; returns one line per process."""
        state = self.state()
        if state is None:
            return ["dev stack is not up (no state file)"]
        report = []
        for name, server in (("kafka", self.kafka), ("redis", self.redis)):
            pid = state.get("pids", {}).get(name)
            report.append(self._stop_recorded(name, pid, server))
        self.state_path.unlink(missing_ok=True)
        return report

    def _stop_recorded(self, name: str, pid: int | None, server: _proc.ServerProcess) -> str:
        if not pid or not _proc.pid_alive(pid):
            return f"{name}: pid {pid} already gone"
        if _EXPECTED_CMDLINE[name] not in _proc.cmdline(pid):
            return f"{name}: pid {pid} is no longer our {name} server; left alone"
        started = time.monotonic()
        if server.pid == pid:
            server.stop()
        else:
            _proc.terminate(pid)
        return f"{name}: stopped pid {pid} in {time.monotonic() - started:.1f} s"

    def status(self) -> list[ServiceStatus]:
        """Whether each recorded server runs and answers (Kafka: ApiVersions; Redis: PING)."""
        state = self.state() or {}
        return [_recorded_status(state, "kafka", state.get("kafka_bootstrap", "-"), kafka_answers),
                _recorded_status(state, "redis", state.get("redis_url", "-"), redis_answers)]

    def __enter__(self) -> "DevStack":
        self.up()
        return self

    def __exit__(self, *exc: object) -> None:
        self.down()


def _recorded_status(state: dict[str, Any], name: str, address: str,
                     answers: Callable[[int], bool]) -> ServiceStatus:
    """The status of the server recorded under `name` in state.json: its pid runs, its port answers."""
    pid, port = state.get("pids", {}).get(name), state.get("ports", {}).get(name)
    return ServiceStatus(name, address, pid, _proc.pid_alive(pid), bool(port) and answers(port))


def _saved_redis_port(data_dir: Path) -> int | None:
    """The port a previous `up` used, so REDIS_URL stays the same across down/up (when still free)."""
    try:
        port = int((data_dir / "port").read_text())
    except (FileNotFoundError, ValueError):
        return None
    return port if _proc.port_is_free(port) else None


def _save_redis_port(server: RedisServer) -> None:
    (server.data_dir / "port").write_text(f"{server.port}\n")
