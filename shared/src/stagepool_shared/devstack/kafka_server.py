"""A real single-node Apache Kafka 4.x broker (KRaft, broker+controller) from Maven Central jars.

The jars come from `kafka_jars.fetch_kafka_jars()`; `KafkaServer` writes server.properties
(infra.md 3.3 plus reliability.md 3.0), formats the storage once and runs `java ... kafka.Kafka` as a
child in its own process group, bound to 127.0.0.1 only.

Imports only the standard library: never kafka-python (readiness is the broker's "Kafka Server started"
log line plus a TCP connect; `kafka_answers()` is a raw ApiVersions probe).
"""

from __future__ import annotations

import base64
import json
import logging
import os
import shutil
import socket
import struct
import subprocess
import time
import uuid
from pathlib import Path
from typing import Mapping

from . import _proc, paths
from .errors import KafkaStartError
from .kafka_jars import FetchResult, fetch_kafka_jars

logger = logging.getLogger(__name__)

STARTED_LINE = "Kafka Server started"
DEFAULT_HEAP = ("-Xms256m", "-Xmx768m")
START_TIMEOUT_S = 90.0


# --------------------------------------------------------------------------- probe


def kafka_answers(port: int, host: str = _proc.HOST, timeout: float = 2.0) -> bool:
    """True when a Kafka broker answers an ApiVersions request (v0) on host:port with our correlation id."""
    client_id = b"stagepool-devstack"
    correlation = int(time.time() * 1000) & 0x7FFFFFFF
    header = struct.pack(">hhih", 18, 0, correlation, len(client_id)) + client_id
    try:
        with socket.create_connection((host, port), timeout=timeout) as sock:
            sock.sendall(struct.pack(">i", len(header)) + header)
            size = struct.unpack(">i", _recv_exact(sock, 4))[0]
            body = _recv_exact(sock, min(size, 8))
    except (OSError, struct.error):
        return False
    return len(body) >= 4 and struct.unpack(">i", body[:4])[0] == correlation


def _recv_exact(sock: socket.socket, n: int) -> bytes:
    buf = b""
    while len(buf) < n:
        chunk = sock.recv(n - len(buf))
        if not chunk:
            raise OSError("connection closed")
        buf += chunk
    return buf


# --------------------------------------------------------------------------- server


def new_cluster_id() -> str:
    """A random Kafka cluster id (22 base64url characters), never starting with '-' (StorageTool would read
    a leading '-' as an option)."""
    cluster_id = "-"
    while cluster_id.startswith("-"):
        cluster_id = base64.urlsafe_b64encode(uuid.uuid4().bytes).decode().rstrip("=")
    return cluster_id


def _java() -> str:
    home = os.environ.get("JAVA_HOME")
    candidate = Path(home) / "bin" / "java" if home else None
    if candidate and candidate.is_file():
        return str(candidate)
    found = shutil.which("java")
    if not found:
        raise KafkaStartError("`java` (17 or newer) is not on PATH; the Kafka broker needs it")
    return found


class KafkaServer(_proc.ServerProcess):
    """One broker+controller on 127.0.0.1. `start()` is idempotent; `restart()` keeps ports and data."""

    LABEL = "kafka broker"
    LOG_TAG = "broker"
    START_ERROR = KafkaStartError
    POLL_S = 0.1
    LOG_NAME = "kafka.log"

    def __init__(
        self,
        data_dir: str | os.PathLike[str],
        port: int | None = None,
        controller_port: int | None = None,
        *,
        heap: tuple[str, ...] = DEFAULT_HEAP,
        start_timeout: float = START_TIMEOUT_S,
        flush_every_message: bool = True,
        extra_properties: Mapping[str, str] | None = None,
        die_with_parent: bool = False,
    ) -> None:
        super().__init__(data_dir, port, start_timeout=start_timeout, die_with_parent=die_with_parent)
        self.controller_port = controller_port
        self.heap = heap
        self.flush_every_message = flush_every_message
        self.extra_properties = dict(extra_properties or {})
        self._started_line_seen = False

    # ---- addresses and files
    @property
    def bootstrap(self) -> str:
        """`127.0.0.1:PORT` for KAFKA_BOOTSTRAP_SERVERS."""
        if self.port is None:
            raise KafkaStartError("the broker has no port yet; call start() first")
        return f"{_proc.HOST}:{self.port}"

    @property
    def address(self) -> str:
        return self.bootstrap

    @property
    def config_path(self) -> Path:
        return self.data_dir / "server.properties"

    @property
    def log_dirs(self) -> Path:
        return self.data_dir / "kafka-logs"

    @property
    def _ports_path(self) -> Path:
        return self.data_dir / "ports.json"

    def answers(self) -> bool:
        """True when the server answers its protocol on its port (whoever started it)."""
        return self.port is not None and kafka_answers(self.port)

    # ---- lifecycle (start, stop, kill, restart: _proc.ServerProcess)
    def fetch(self) -> FetchResult:
        """The Maven step: make sure the broker jars are in .stagepool/kafka/libs."""
        return fetch_kafka_jars()

    def _prepare(self) -> list[str]:
        """Fetch jars if needed, write the config and format the storage once; the broker's command."""
        libs = self.fetch().libs_dir
        self.data_dir.mkdir(parents=True, exist_ok=True)
        self._choose_ports()
        self._write_config()
        if not (self.log_dirs / "meta.properties").is_file():
            self._format(libs)
        self._started_line_seen = False
        return [*self._jvm(libs), "kafka.Kafka", str(self.config_path)]

    def _is_ready(self, log_offset: int) -> bool:
        """The broker logged that it started (in this start's part of the log) and accepts connections."""
        self._started_line_seen = self._started_line_seen or STARTED_LINE in self._read_log_from(log_offset)
        return self._started_line_seen and _proc.tcp_connects(self.port or 0)

    def _not_ready(self) -> str:
        return (f"not ready on {self.bootstrap} after {self.start_timeout:.0f} s "
                f"(log line seen: {self._started_line_seen})")

    def _announce_ready(self) -> None:
        logger.info("kafka broker ready on %s in %.1f s (pid %s)", self.bootstrap, self.last_start_seconds, self.pid)

    # ---- steps
    def _choose_ports(self) -> None:
        """Given or previous ports must be free; ports saved by an earlier run of this data dir are reused
        when free (so KAFKA_BOOTSTRAP_SERVERS stays the same across `dev down`/`dev up`), else new ones."""
        saved = json.loads(self._ports_path.read_text()) if self._ports_path.is_file() else {}
        if self.port is None and self.controller_port is None and saved:
            if all(_proc.port_is_free(p) for p in (saved["port"], saved["controller_port"])):
                self.port, self.controller_port = saved["port"], saved["controller_port"]
            else:
                logger.warning("saved Kafka ports %s are taken; picking new ones", saved)
        if self.port is None or self.controller_port is None:
            picked = iter(_proc.free_ports(2))
            self.port = self.port or next(picked)
            self.controller_port = self.controller_port or next(picked)
        for name, port in (("broker", self.port), ("controller", self.controller_port)):
            if not _proc.port_is_free(port):
                raise KafkaStartError(f"{name} port 127.0.0.1:{port} is already in use (data dir {self.data_dir})")
        self._ports_path.write_text(json.dumps({"port": self.port, "controller_port": self.controller_port}))

    def _properties(self) -> dict[str, str]:
        listen = f"PLAINTEXT://{_proc.HOST}:{self.port},CONTROLLER://{_proc.HOST}:{self.controller_port}"
        props = {
            "process.roles": "broker,controller",
            "node.id": "1",
            "controller.quorum.bootstrap.servers": f"{_proc.HOST}:{self.controller_port}",
            "listeners": listen,
            "advertised.listeners": listen,
            "inter.broker.listener.name": "PLAINTEXT",
            "controller.listener.names": "CONTROLLER",
            "listener.security.protocol.map": "CONTROLLER:PLAINTEXT,PLAINTEXT:PLAINTEXT",
            "log.dirs": str(self.log_dirs),
            "auto.create.topics.enable": "false",
            "num.partitions": "3",
            "offsets.topic.replication.factor": "1",
            "offsets.topic.num.partitions": "1",
            "transaction.state.log.replication.factor": "1",
            "transaction.state.log.min.isr": "1",
            "transaction.state.log.num.partitions": "1",
            "share.coordinator.state.topic.replication.factor": "1",
            "share.coordinator.state.topic.min.isr": "1",
            "min.insync.replicas": "1",
            "unclean.leader.election.enable": "false",
            "group.initial.rebalance.delay.ms": "0",
            "group.min.session.timeout.ms": "1000",
            # After a kill -9 the controller refuses the restarted broker's new registration until the old
            # session expires (default 9 s); 5 s brings a crash restart from ~13 s down to ~8 s.
            "broker.session.timeout.ms": "5000",
            "broker.heartbeat.interval.ms": "1000",
            "log.cleaner.dedupe.buffer.size": str(8 * 1024 * 1024),
        }
        if self.flush_every_message:  # single node: durability from fsync (reliability.md 3.0 / 3b-6)
            props["log.flush.interval.messages"] = "1"
        props.update(self.extra_properties)
        return props

    def _write_config(self) -> None:
        lines = ["# Written by stagepool_shared.devstack.kafka_server; rewritten on every start."]
        lines += [f"{key}={value}" for key, value in self._properties().items()]
        self.config_path.write_text("\n".join(lines) + "\n")

    def _jvm(self, libs: Path, *, short_lived: bool = False) -> list[str]:
        common = [
            "-Djava.awt.headless=true",
            f"-Dlog4j2.configurationFile={paths.log4j2_path()}",
            f"-Dkafka.logs.dir={self.data_dir / 'logs'}",
            "-cp",
            f"{libs}/*",
        ]
        if short_lived:
            return [_java(), "-Xmx256m", "-XX:TieredStopAtLevel=1", "-XX:+UseSerialGC", *common]
        return [_java(), *self.heap, "-XX:+UseG1GC", "-XX:MaxGCPauseMillis=20", "-XX:+ExitOnOutOfMemoryError", *common]

    def _format(self, libs: Path) -> None:
        self._format_with(libs, new_cluster_id(), standalone=True)

    def _format_with(self, libs: Path, cluster_id: str, *, standalone: bool) -> None:
        """Format the storage with `cluster_id`; `standalone` for a single node, not for a static quorum."""
        cmd = [*self._jvm(libs, short_lived=True), "kafka.tools.StorageTool", "format",
               *(["--standalone"] if standalone else []), "-t", cluster_id, "-c", str(self.config_path)]
        with open(self.log_path, "ab") as log:
            log.write(f"--- format storage: cluster id {cluster_id}\n".encode())
            log.flush()
            done = subprocess.run(cmd, stdout=log, stderr=subprocess.STDOUT, timeout=120)
        if done.returncode != 0:
            raise KafkaStartError(f"kafka storage format failed (exit {done.returncode}):\n{_proc.log_tail(self.log_path)}")

    def _read_log_from(self, offset: int) -> str:
        try:
            with open(self.log_path, "rb") as fh:
                fh.seek(offset)
                return fh.read().decode(errors="replace")
        except FileNotFoundError:
            return ""
