"""Fixtures for the replicated servers (session scope): `kafka_cluster`, a 3-node KRaft cluster on 127.0.0.1,
and `redis_sentinel`, a Redis primary + replica + three Sentinels.

Only the cluster test modules ask for them, so the rest of the suite keeps the single servers and pays
nothing. They run in the session's tmp dir, their processes die with pytest (no JVM left behind), and they
are stopped at the end of the session (`running`, the plugin's single servers' too). Imports pytest and
stagepool_shared.devstack.
"""

from __future__ import annotations

from typing import Iterator, Protocol, TypeVar

import pytest

from stagepool_shared.devstack.kafka_cluster import KafkaCluster
from stagepool_shared.devstack.redis_sentinel import RedisSentinelSet

CLUSTER_BROKERS = 3


class Startable(Protocol):
    """A devstack server: a ServerProcess (one Kafka or Redis), a KafkaCluster or a RedisSentinelSet."""

    def start(self) -> object: ...

    def stop(self) -> None: ...


S = TypeVar("S", bound=Startable)


def running(server: S) -> Iterator[S]:
    """A session fixture's body for a devstack server (a node, a cluster, a Sentinel set): start it, yield it,
    and stop it at the end, also when the start failed half-way."""
    try:
        server.start()
        yield server
    finally:
        server.stop()


@pytest.fixture(scope="session")
def kafka_cluster(tmp_path_factory: pytest.TempPathFactory) -> Iterator[KafkaCluster]:
    """Three Kafka nodes (broker+controller each) with RF 3, min.insync.replicas 2 and 12 partitions per topic:
    `.bootstrap`, `.node(i)` with `.kill()`, `.stop()`, `.restart()`, and `.stop()` for the whole cluster."""
    yield from running(KafkaCluster(tmp_path_factory.mktemp("kafka-cluster"), CLUSTER_BROKERS, die_with_parent=True))


@pytest.fixture(scope="session")
def redis_sentinel(tmp_path_factory: pytest.TempPathFactory) -> Iterator[RedisSentinelSet]:
    """A Redis primary, a replica and three Sentinels (master name `stagepool`): `.url` (the
    `redis+sentinel://` URL for stagepool_shared.redis.connect), `.master()`, `.primary`, `.replica`."""
    yield from running(RedisSentinelSet(tmp_path_factory.mktemp("redis-sentinel"), die_with_parent=True))
