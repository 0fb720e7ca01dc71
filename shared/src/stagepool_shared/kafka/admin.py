"""Cluster administration: creating the topics, and whether the broker answers (for /readyz).

Imports kafka-python and stagepool_shared.topics.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from typing import Iterable

from kafka.admin import ConfigResource, ConfigResourceType, KafkaAdminClient
from kafka.errors import KafkaError, TopicAlreadyExistsError

from .. import topics
from .clients import RECONNECT_BACKOFF_MAX_MS, network_clients

# The package's one logger name (as before it was split into modules): log lines and filters keep it.
logger = logging.getLogger(__package__)


def ensure_topics(bootstrap: str, names: Iterable[str] = topics.ALL_TOPICS + topics.ALL_DLQ_TOPICS,
                  partitions: int | None = None, timeout_s: float = 30.0) -> None:
    """Create the topics that do not exist yet (idempotent; the broker does not auto-create topics).

    Partition count (unless given), replication factor and min.insync.replicas are the cluster's defaults
    (`num.partitions`, `default.replication.factor`, `min.insync.replicas`): 3, 1 and 1 on the single dev
    broker; 12, 3 and 2 on the 3-node cluster (`stagepool dev up --brokers 3`, docs/devstack.md).
    """
    admin = KafkaAdminClient(bootstrap_servers=bootstrap, client_id="stagepool-admin",
                             request_timeout_ms=int(timeout_s * 1000))
    try:
        existing = set(admin.list_topics())
        missing = {name: {"num_partitions": partitions or -1, "replication_factor": -1}
                   for name in names if name not in existing}
        if missing:
            try:
                admin.create_topics(missing, timeout_ms=int(timeout_s * 1000), wait_for_metadata=True)
            except TopicAlreadyExistsError:
                pass  # another service created them at the same moment
            logger.info("created topics %s", sorted(missing))
    finally:
        admin.close()


def broker_reachable(bootstrap: str, timeout_s: float = 2.0) -> bool:
    """True when the cluster answers a metadata request within the timeout (for /readyz)."""
    try:
        with network_clients() as network_client:
            admin = KafkaAdminClient(bootstrap_servers=bootstrap, client_id="stagepool-ready",
                                     request_timeout_ms=int(timeout_s * 1000),
                                     bootstrap_timeout_ms=int(timeout_s * 1000), kafka_client=network_client,
                                     reconnect_backoff_max_ms=RECONNECT_BACKOFF_MAX_MS)
    except KafkaError:
        return False
    try:
        admin.describe_cluster()
        return True
    except KafkaError:
        return False
    finally:
        admin.close()


@dataclass(frozen=True)
class TopicLayout:
    """Where a topic's partitions live: per partition its leader, replicas and in-sync replicas (broker ids),
    and the topic's effective min.insync.replicas."""

    leaders: dict[int, int]
    replicas: dict[int, tuple[int, ...]]
    in_sync: dict[int, tuple[int, ...]]
    min_insync_replicas: int


def describe_topic(bootstrap: str, topic: str, timeout_s: float = 10.0) -> TopicLayout:
    """The partition layout and min.insync.replicas of `topic` (for `stagepool dev` checks and cluster tests)."""
    admin = KafkaAdminClient(bootstrap_servers=bootstrap, client_id="stagepool-admin",
                             request_timeout_ms=int(timeout_s * 1000))
    try:
        parts = admin.describe_topics([topic])[0]["partitions"]
        configs = admin.describe_configs([ConfigResource(ConfigResourceType.TOPIC, topic, {"min.insync.replicas": None})],
                                         config_filter="All")
    finally:
        admin.close()
    found = [v for by_name in configs.values() for named in by_name.values() for k, v in named.items()
             if k == "min.insync.replicas"]
    value = found[0].get("value") if found and isinstance(found[0], dict) else found[0] if found else None
    return TopicLayout(leaders={p["partition_index"]: p["leader_id"] for p in parts},
                       replicas={p["partition_index"]: tuple(p["replica_nodes"]) for p in parts},
                       in_sync={p["partition_index"]: tuple(p["isr_nodes"]) for p in parts},
                       min_insync_replicas=int(value) if value is not None else -1)
