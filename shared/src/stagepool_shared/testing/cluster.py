"""Fixtures for the replicated servers (session scope): `kafka_cluster`, a 3-node KRaft cluster on 127.0.0.1,
and `redis_sentinel`, a Redis primary + replica + three Sentinels.

Only the cluster test modules ask for them, so the rest of the suite keeps the single servers and pays
nothing. They run in the session's tmp dir, their processes die with pytest (no JVM left behind), and they
are stopped at the end of the session. Imports pytest and stagepool_shared.devstack.
"""

from __future__ import annotations

from typing import Iterator

import pytest

from stagepool_shared.devstack.kafka_cluster import KafkaCluster
from stagepool_shared.devstack.redis_sentinel import RedisSentinelSet

CLUSTER_BROKERS = 3


@pytest.fixture(scope="session")
def kafka_cluster(tmp_path_factory: pytest.TempPathFactory) -> Iterator[KafkaCluster]:
    """Three Kafka nodes (broker+controller each) with RF 3, min.insync.replicas 2 and 12 partitions per topic:
    `.bootstrap`, `.node(i)` with `.kill()`, `.stop()`, `.restart()`, and `.stop()` for the whole cluster."""
    cluster = KafkaCluster(tmp_path_factory.mktemp("kafka-cluster"), CLUSTER_BROKERS, die_with_parent=True)
    try:
        cluster.start()
        yield cluster
    finally:
        cluster.stop()


@pytest.fixture(scope="session")
def redis_sentinel(tmp_path_factory: pytest.TempPathFactory) -> Iterator[RedisSentinelSet]:
    """A Redis primary, a replica and three Sentinels (master name `stagepool`): `.url` (the
    `redis+sentinel://` URL for stagepool_shared.redis.connect), `.master()`, `.primary`, `.replica`."""
    servers = RedisSentinelSet(tmp_path_factory.mktemp("redis-sentinel"), die_with_parent=True)
    try:
        servers.start()
        yield servers
    finally:
        servers.stop()
