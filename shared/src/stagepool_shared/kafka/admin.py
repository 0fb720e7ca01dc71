"""Cluster administration: creating the topics, and whether the broker answers (for /readyz).

Imports kafka-python and stagepool_shared.topics.
"""

from __future__ import annotations

import logging
from typing import Iterable

from kafka.admin import KafkaAdminClient
from kafka.errors import KafkaError, TopicAlreadyExistsError

from .. import topics
from .clients import RECONNECT_BACKOFF_MAX_MS, network_clients

# The package's one logger name (as before it was split into modules): log lines and filters keep it.
logger = logging.getLogger(__package__)


def ensure_topics(bootstrap: str, names: Iterable[str] = topics.ALL_TOPICS + topics.ALL_DLQ_TOPICS,
                  partitions: int = 3, timeout_s: float = 30.0) -> None:
    """Create the topics that do not exist yet (idempotent; the broker does not auto-create topics)."""
    admin = KafkaAdminClient(bootstrap_servers=bootstrap, client_id="stagepool-admin",
                             request_timeout_ms=int(timeout_s * 1000))
    try:
        existing = set(admin.list_topics())
        missing = {name: {"num_partitions": partitions, "replication_factor": 1,
                          "configs": {"min.insync.replicas": "1"}}
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
