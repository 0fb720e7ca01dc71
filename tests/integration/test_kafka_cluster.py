"""The 3-node KRaft cluster (`stagepool dev up --brokers 3`, fixture `kafka_cluster`): topics are replicated
three times with min.insync.replicas 2, an acknowledged (acks=all) event survives a kill -9 of its partition's
leader while producing and consuming go on, and a node that lost its log dir is refused without harm.

One cluster for the whole session (about 20 s to start on two busy cores), shared with the cluster fault
modules: the leader kill restarts its node (about 10 s), and the lost-log-dir test gives its node the log dir
back at the end, so that any test may run after it.
"""

from __future__ import annotations

import shutil
import threading
import time
import uuid
from collections import Counter
from pathlib import Path
from typing import Iterator

import pytest

from stagepool_shared import topics
from stagepool_shared.devstack import KafkaStartError
from stagepool_shared.devstack.kafka_cluster import CLUSTER_PARTITIONS, KafkaCluster, KafkaNode
from stagepool_shared.devstack.kafka_server import new_cluster_id
from stagepool_shared.envelope import Envelope, new_envelope
from stagepool_shared.errors import PublishFailed
from stagepool_shared.kafka import ConsumerLoop, ConsumerOptions, EventPublisher, describe_topic, ensure_topics, read_log
from stagepool_shared.registry import decode
from stagepool_shared.testing import wait_until
from stagepool_shared.testing.samples import sample_payload

pytestmark = [pytest.mark.integration, pytest.mark.faults]

REGIONS = [f"reg-{i:02d}" for i in range(28)]


@pytest.fixture
def topic(kafka_cluster: KafkaCluster) -> str:
    name = f"test.cluster.{uuid.uuid4().hex[:8]}"
    ensure_topics(kafka_cluster.bootstrap, [name, topics.dlq(name)])
    return name


@pytest.fixture
def publisher(kafka_cluster: KafkaCluster) -> Iterator[EventPublisher]:
    publisher = EventPublisher(kafka_cluster.bootstrap, "cluster-test", timeout_s=10.0)
    yield publisher
    publisher.close()


def wish(i: int) -> Envelope:
    return new_envelope("wish.submitted", sample_payload("wish.submitted"), producer="test",
                        partition_key=REGIONS[i % len(REGIONS)])


def publish_acknowledged(publisher: EventPublisher, topic: str, count: int, start: int = 0) -> tuple[list[str], int]:
    """Publish `count` events one by one (acks=all); a publish that fails was not acknowledged and is retried,
    as a caller that got 503 would. Returns the acknowledged event ids and the number of failed attempts."""
    acked, failed = [], 0
    for i in range(start, start + count):
        for _ in range(5):
            envelope = wish(i)
            try:
                publisher.publish(envelope, topic=topic)
            except PublishFailed:
                failed += 1
                continue
            acked.append(envelope.event_id)
            break
    return acked, failed


def logged_ids(bootstrap: str, topic: str) -> list[str]:
    return [decode(m.value).event_id for m in read_log(bootstrap, [topic])]


def test_topics_get_three_replicas_min_insync_two_and_twelve_partitions(kafka_cluster: KafkaCluster) -> None:
    ensure_topics(kafka_cluster.bootstrap, [topics.WISHES, topics.ROUNDS])
    for name in (topics.WISHES, topics.ROUNDS):
        layout = describe_topic(kafka_cluster.bootstrap, name)
        assert len(layout.leaders) == CLUSTER_PARTITIONS == 12, name
        assert {len(r) for r in layout.replicas.values()} == {3}, layout.replicas
        assert layout.min_insync_replicas == 2, name
        assert set(Counter(layout.leaders.values())) == {1, 2, 3}, "leadership is spread over the three nodes"


def test_nothing_acknowledged_is_lost_when_the_partition_leader_is_killed(
        kafka_cluster: KafkaCluster, topic: str, publisher: EventPublisher) -> None:
    received: set[str] = set()
    stop = threading.Event()
    options = ConsumerOptions(poll_timeout_ms=100, connect_timeout_s=5.0, reconnect_max_s=1.0, close_timeout_s=2.0)
    loop = ConsumerLoop(kafka_cluster.bootstrap, f"g-{topic}", [topic], lambda env: received.add(env.event_id),
                        publisher, stop, options)
    consumer = threading.Thread(target=loop.run, name="cluster-consumer", daemon=True)
    consumer.start()
    try:
        before, failed_before = publish_acknowledged(publisher, topic, 150)
        busiest = Counter(m.partition for m in read_log(kafka_cluster.bootstrap, [topic])).most_common(1)[0][0]
        victim = describe_topic(kafka_cluster.bootstrap, topic).leaders[busiest]
        wait_until(lambda: len(received) >= 50, timeout=60, message="the consumer did not start consuming")
        kafka_cluster.node(victim).kill()
        killed_at = time.monotonic()
        after, failed_after = publish_acknowledged(publisher, topic, 150, start=150)
        produced_s = time.monotonic() - killed_at
        acked = before + after
        wait_until(lambda: set(acked) <= received, timeout=60, message="the consumer missed acknowledged events")
    finally:
        stop.set()
        consumer.join(timeout=30)
    assert len(acked) == 300, (failed_before, failed_after)
    assert set(acked) <= set(logged_ids(kafka_cluster.bootstrap, topic)), "an acknowledged event is not in the log"
    assert describe_topic(kafka_cluster.bootstrap, topic).leaders[busiest] != victim
    print(f"\nleader node {victim} killed: 150 more acknowledged in {produced_s:.1f} s, "
          f"failed attempts {failed_after}, consumed {len(received)}")
    kafka_cluster.node(victim).restart()
    wait_until(lambda: all(len(isr) == 3 for isr in describe_topic(kafka_cluster.bootstrap, topic).in_sync.values()),
               timeout=60, message="the restarted node did not rejoin the in-sync replicas")


def test_a_node_that_lost_its_log_dir_is_refused_and_the_cluster_keeps_its_data(
        kafka_cluster: KafkaCluster, topic: str, publisher: EventPublisher) -> None:
    stored, _ = publish_acknowledged(publisher, topic, 60)
    node = kafka_cluster.node(3)
    node.kill()
    kept = node.log_dirs.with_name(node.log_dirs.name + ".kept")
    node.log_dirs.rename(kept)  # lost, as far as the node can tell; kept to give back afterwards
    try:
        with pytest.raises(KafkaStartError, match="log dir was lost"):
            node.start()  # the devstack does not quietly format a voter of a formatted cluster again
        node.format(new_cluster_id())  # as an operator running `kafka-storage format` with a new id would
        with pytest.raises(KafkaStartError, match="refused by the cluster"):
            node.start()

        assert node.refused and not node.is_running()
        assert [n.stored_cluster_id() for n in kafka_cluster.nodes[:2]] == [kafka_cluster.cluster_id] * 2
        more, failed = publish_acknowledged(publisher, topic, 30, start=60)  # acks=all on the two left (min ISR 2)
        assert len(more) == 30, failed
        assert set(stored + more) <= set(logged_ids(kafka_cluster.bootstrap, topic))
        assert 3 not in describe_topic(kafka_cluster.bootstrap, topic).leaders.values()
    finally:
        give_back_log_dir(node, kept)
    wait_until(lambda: all(len(isr) == 3 for isr in describe_topic(kafka_cluster.bootstrap, topic).in_sync.values()),
               timeout=90, message="the node with its own log dir back did not rejoin the in-sync replicas")


def give_back_log_dir(node: KafkaNode, kept: Path) -> None:
    """The node's own storage back and the node started: the session's cluster is whole again for the tests
    after this one (the cluster fault modules share it)."""
    node.kill()
    shutil.rmtree(node.log_dirs, ignore_errors=True)
    kept.rename(node.log_dirs)
    node.refused = False
    node.start()
