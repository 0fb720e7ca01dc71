"""More instances than partitions, on the real broker (issue 18.2): four consumers in one group on a topic of
three partitions. The one without a partition idles and stays healthy: the watchdog looks at it several times
and never recreates it (no rebalance churn), and the three others consume every record.

The topic and group are the test's own; the watchdog looks after 3 s without progress instead of 45 s (so a
member still looking for the new group's coordinator may be recreated while the group forms; from the moment
the group is settled, none is).
"""

from __future__ import annotations

import threading
import uuid

import pytest

from stagepool_shared import topics
from stagepool_shared.envelope import Envelope, new_envelope
from stagepool_shared.kafka import ConsumerLoop, ConsumerOptions, EventPublisher, ensure_topics
from stagepool_shared.testing import wait_until
from stagepool_shared.testing.samples import sample_payload

pytestmark = pytest.mark.integration

PARTITIONS, CONSUMERS, RECORDS, STUCK_AFTER_S = 3, 4, 60, 3.0


class Member:
    """One instance's consumer loop in a thread."""

    def __init__(self, bootstrap: str, group: str, topic: str, seen: set[str], lock: threading.Lock,
                 publisher: EventPublisher):
        self.stop = threading.Event()

        def handle(envelope: Envelope) -> None:
            with lock:
                seen.add(envelope.event_id)

        options = ConsumerOptions(poll_timeout_ms=100, retry_backoff_s=0.05, stuck_after_s=STUCK_AFTER_S)
        self.loop = ConsumerLoop(bootstrap, group, [topic], handle, publisher, self.stop, options)
        self.thread = threading.Thread(target=self.loop.run, daemon=True)
        self.thread.start()

    def close(self) -> None:
        self.stop.set()
        self.thread.join(timeout=30)


def test_a_consumer_without_a_partition_idles_and_is_never_recreated(kafka_bootstrap):
    tag = uuid.uuid4().hex[:8]
    topic, group = f"test.instances.{tag}", f"test-instances-{tag}"
    ensure_topics(kafka_bootstrap, [topic, topics.dlq(topic)], partitions=PARTITIONS)
    publisher = EventPublisher(kafka_bootstrap, "instances-test")
    seen: set[str] = set()
    lock = threading.Lock()
    members = [Member(kafka_bootstrap, group, topic, seen, lock, publisher) for _ in range(CONSUMERS)]
    try:
        wait_until(lambda: sorted(m.loop.partitions for m in members) == [0, 1, 1, 1], timeout=60,
                   message="three members with a partition each and one without")
        settled = [m.loop.recreations for m in members]  # joining a new group may take a recreation
        sent = [new_envelope("wish.submitted", sample_payload("wish.submitted"), producer="test",
                             partition_key=f"reg-{i}") for i in range(RECORDS)]
        publisher.publish_all(sent, topic=topic)
        wait_until(lambda: len(seen) == RECORDS, timeout=60, message="every record consumed")
        checks = sum(m.loop.idle_checks for m in members)
        wait_until(lambda: sum(m.loop.idle_checks for m in members) >= checks + 3, timeout=60,
                   message="the watchdog looked at the member without a partition three more times")
        assert [m.loop.recreations for m in members] == settled
        assert sorted(m.loop.partitions for m in members) == [0, 1, 1, 1]
        assert all(m.thread.is_alive() for m in members)
    finally:
        for member in members:
            member.close()
        publisher.close()
