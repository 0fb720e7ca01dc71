"""A real 3-node Apache Kafka 4.x cluster on 127.0.0.1 (KRaft, every node broker and controller).

The same jars as the single broker (`kafka_server.KafkaServer`); the recipe is scale.md section 3: a
static quorum (`controller.quorum.voters`), every node formatted with the cluster's one id and without
`--standalone`. Topics default to replication factor 3 (capped at the node count), `min.insync.replicas`
one less, and 12 partitions, so an acknowledged (acks=all) record survives the loss of any one node.

`KafkaCluster(data_dir, brokers=3).start()` picks all ports first (the voters list names every controller),
records them with the cluster id in <data_dir>/cluster.json, and starts the nodes together: a node only
logs "Kafka Server started" once a majority of the quorum is up. A node whose storage carries another
cluster id (its log dir was lost and formatted anew) is refused by the quorum; `KafkaNode` sees the
refusal in its log and raises KafkaStartError at once instead of waiting for the start timeout.

Imports only the standard library and the other devstack modules; never kafka-python.
"""

from __future__ import annotations

import json
import os
import re
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import Any, Self

from . import _proc
from .errors import KafkaStartError
from .kafka_server import KafkaServer, new_cluster_id

CLUSTER_PARTITIONS = 12
MAX_REPLICATION = 3
CLUSTER_FILE = "cluster.json"
#: What a quorum member logs when the other side's storage carries another cluster id.
_REFUSED = re.compile(r"INCONSISTENT_CLUSTER_ID|InconsistentClusterId|inconsistent cluster ?id", re.IGNORECASE)


def check_replication(brokers: int, replication_factor: int) -> None:
    """Refuse a replication factor the cluster cannot place (more replicas than brokers, or below 1).

    Without this check the broker accepts the setting and the first consumer group hangs: the offsets
    topic can never get its replicas, so the group coordinator is never found.
    """
    if brokers < 1:
        raise KafkaStartError(f"--brokers must be 1 or more, not {brokers}")
    if not 1 <= replication_factor <= brokers:
        raise KafkaStartError(
            f"replication factor {replication_factor} needs {replication_factor} brokers, but the cluster has "
            f"{brokers}; use a replication factor between 1 and {brokers}"
        )


def default_replication(brokers: int) -> int:
    """Replication factor 3 when there are 3 or more brokers, else one replica per broker."""
    return min(brokers, MAX_REPLICATION)


class KafkaNode(KafkaServer):
    """One node of a `KafkaCluster`: its node id, the shared voters list, the cluster id and topic defaults."""

    LOG_TAG = "node"

    def __init__(self, data_dir: str | os.PathLike[str], node_id: int, cluster: "KafkaCluster", **kwargs: Any) -> None:
        super().__init__(data_dir, flush_every_message=False, **kwargs)
        self.node_id = node_id
        self.cluster = cluster
        self.refused = False

    @property
    def meta_path(self) -> Path:
        """The storage's meta.properties (holds cluster.id and node.id once formatted)."""
        return self.log_dirs / "meta.properties"

    def stored_cluster_id(self) -> str | None:
        """The cluster id this node's storage was formatted with (None when it is not formatted)."""
        try:
            text = self.meta_path.read_text()
        except FileNotFoundError:
            return None
        found = re.search(r"^cluster\.id=(\S+)$", text, re.MULTILINE)
        return found.group(1) if found else None

    def format(self, cluster_id: str) -> None:
        """Format this node's storage with `cluster_id` (the cluster's own, or another to simulate a stranger)."""
        self.data_dir.mkdir(parents=True, exist_ok=True)
        self._write_config()
        self._format_with(self.fetch().libs_dir, cluster_id, standalone=False)

    def _choose_ports(self) -> None:
        """The cluster chose this node's ports (they are in the voters list); they must still be free."""
        for name, port in (("broker", self.port), ("controller", self.controller_port)):
            if not port or not _proc.port_is_free(port):
                raise KafkaStartError(f"node {self.node_id} {name} port 127.0.0.1:{port} is not free")

    def _format(self, libs: Path) -> None:
        """Format a new node; refuse to quietly re-format a node of a running cluster that lost its log dir
        (a static-quorum voter with an empty log could help elect a leader that misses committed records)."""
        if self.cluster.formatted:
            raise KafkaStartError(
                f"kafka node {self.node_id} has no storage in {self.log_dirs}, but cluster {self.cluster.cluster_id} "
                "was formatted before: its log dir was lost. Start the cluster anew (`stagepool dev up --fresh`) "
                "instead of formatting one node again"
            )
        self._format_with(libs, self.cluster.cluster_id, standalone=False)

    def _properties(self) -> dict[str, str]:
        props = super()._properties()
        props.pop("controller.quorum.bootstrap.servers", None)
        rf = self.cluster.replication_factor
        props.update({
            "node.id": str(self.node_id),
            "controller.quorum.voters": self.cluster.voters,
            "advertised.listeners": f"PLAINTEXT://{_proc.HOST}:{self.port}",
            "num.partitions": str(CLUSTER_PARTITIONS),
            "default.replication.factor": str(rf),
            "min.insync.replicas": str(max(1, rf - 1)),
            "offsets.topic.replication.factor": str(rf),
            "offsets.topic.num.partitions": "3",
            "transaction.state.log.replication.factor": str(rf),
            "transaction.state.log.min.isr": str(max(1, rf - 1)),
            "share.coordinator.state.topic.replication.factor": str(rf),
            "share.coordinator.state.topic.min.isr": str(max(1, rf - 1)),
        })  # fmt: skip
        return props

    def _is_ready(self, log_offset: int) -> bool:
        """Ready as a single broker is; a cluster-id refusal in this start's log fails the start at once."""
        if _REFUSED.search(self._read_log_from(log_offset)):
            self.refused = True
            self.kill()
            raise KafkaStartError(
                f"kafka node {self.node_id} was refused by the cluster: its storage has cluster id "
                f"{self.stored_cluster_id()}, the cluster is {self.cluster.cluster_id} (a lost log dir formatted "
                f"anew); the node was stopped and the cluster left as it was. Log {self.log_path}"
            )
        return super()._is_ready(log_offset)


class KafkaCluster:
    """`brokers` combined broker+controller nodes on 127.0.0.1 under one data dir; `start()`, `stop()`."""

    def __init__(self, data_dir: str | os.PathLike[str], brokers: int = 3, *, replication_factor: int | None = None,
                 die_with_parent: bool = False, start_timeout: float = 120.0) -> None:
        self.replication_factor = default_replication(brokers) if replication_factor is None else replication_factor
        check_replication(brokers, self.replication_factor)
        self.data_dir = Path(data_dir).resolve()
        self.cluster_id = ""
        self.formatted = False
        self.nodes = [KafkaNode(self.data_dir / f"node-{i}", i, self, die_with_parent=die_with_parent,
                                start_timeout=start_timeout) for i in range(1, brokers + 1)]  # fmt: skip

    # ---- addresses
    @property
    def bootstrap(self) -> str:
        """Every node's `127.0.0.1:PORT`, comma-separated, for KAFKA_BOOTSTRAP_SERVERS."""
        return ",".join(node.bootstrap for node in self.nodes)

    @property
    def voters(self) -> str:
        """`controller.quorum.voters`: `id@127.0.0.1:controller_port` of every node."""
        return ",".join(f"{n.node_id}@{_proc.HOST}:{n.controller_port}" for n in self.nodes)

    def node(self, node_id: int) -> KafkaNode:
        """The node with `node_id` (1-based)."""
        return self.nodes[node_id - 1]

    # ---- lifecycle
    def start(self) -> Self:
        """Choose ports and the cluster id (or reuse the recorded ones), then start all nodes together."""
        self._load_or_create()
        launched: list[tuple[KafkaNode, tuple[float, int]]] = []
        try:
            for node in self.nodes:  # spawned from this thread: the parent-death signal follows the spawner
                if not node.is_running():
                    launched.append((node, node.launch()))
        except KafkaStartError:
            self.stop()
            raise
        with ThreadPoolExecutor(len(self.nodes)) as pool:
            results = list(pool.map(lambda item: _await(*item), launched))
        errors = [err for err in results if err is not None]
        if errors:
            self.stop()
            raise errors[0]
        self.formatted = True
        self._save([(n.port or 0, n.controller_port or 0) for n in self.nodes])
        return self

    def stop(self) -> None:
        """SIGTERM every node (controlled shutdown), SIGKILL after the grace time."""
        with ThreadPoolExecutor(len(self.nodes)) as pool:
            list(pool.map(lambda n: n.stop(), self.nodes))

    def answers(self) -> bool:
        """True when every node answers ApiVersions."""
        return all(node.answers() for node in self.nodes)

    def __enter__(self) -> Self:
        return self.start()

    def __exit__(self, *exc: object) -> None:
        self.stop()

    # ---- the cluster file
    def _load_or_create(self) -> None:
        """The recorded cluster id and ports (new ones when taken meanwhile), or a new cluster's."""
        if self.cluster_id and any(n.is_running() for n in self.nodes):
            return  # some nodes run: their ports and the cluster id stay as they are
        path = self.data_dir / CLUSTER_FILE
        saved = json.loads(path.read_text()) if path.is_file() else {}
        ports = saved.get("ports", [])
        reuse = len(ports) == len(self.nodes) and all(_proc.port_is_free(p) for pair in ports for p in pair)
        if not reuse:
            ports = _distinct_pairs(len(self.nodes))
        for node, (port, cport) in zip(self.nodes, ports):
            node.port, node.controller_port = port, cport
        self.cluster_id = saved.get("cluster_id") or new_cluster_id()
        self.formatted = bool(saved.get("formatted"))
        self._save(ports)

    def _save(self, ports: list[tuple[int, int]]) -> None:
        self.data_dir.mkdir(parents=True, exist_ok=True)
        record = {"cluster_id": self.cluster_id, "ports": [list(p) for p in ports],
                  "replication_factor": self.replication_factor, "formatted": self.formatted}
        (self.data_dir / CLUSTER_FILE).write_text(json.dumps(record, indent=2) + "\n")


def _distinct_pairs(count: int) -> list[tuple[int, int]]:
    """`count` (broker, controller) port pairs, all distinct and free now."""
    picked = _proc.free_ports(2 * count)
    return [(picked[2 * i], picked[2 * i + 1]) for i in range(count)]


def _await(node: KafkaNode, launched: tuple[float, int]) -> KafkaStartError | None:
    try:
        node.await_ready(*launched)
    except KafkaStartError as exc:
        return exc
    return None
