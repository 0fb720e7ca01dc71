"""N instances and time (issue 18.2), on real Kafka and Redis: two matcher instances watch the same release
schedule; every round due at T is published once, and the released-rounds metric counts it once. And the
lease behind it (stagepool_shared.lease): one holder, a higher fencing token for every new holder.

The test's rounds are written through the matcher's own store (request, proposal, release schedule), its
region is its own, and both instances publish to the test's own topic.
"""

from __future__ import annotations

import threading
import time
import uuid
from collections import Counter
from typing import Iterator

import pytest
import redis
from prometheus_client import REGISTRY

from matcher.bootstrap import Wiring, bootstrap
from matcher.config import Settings
from matcher.rounds.compute import RoundResult
from matcher.rounds.summary import summarise
from stagepool_shared import topics
from stagepool_shared.events.rounds import Manifest, Outcome, RoundReleaseScheduled, RoundRequested
from stagepool_shared.kafka import EventPublisher, ensure_topics, read_log
from stagepool_shared.lease import Lease
from stagepool_shared.registry import decode
from stagepool_shared.runtime import start_workers
from stagepool_shared.testing.waiting import wait_until

pytestmark = pytest.mark.integration

ROUNDS, PERIOD, AT = 12, "2027-p1", "2027-01-10T09:00:00.000Z"


class OneTopic:
    """A publisher that sends everything to the test's own topic."""

    def __init__(self, real: EventPublisher, topic: str):
        self.real, self.topic = real, topic

    def publish_all(self, envelopes, topic=None):
        self.real.publish_all(list(envelopes), topic=self.topic)

    def publish(self, envelope, topic=None):
        self.publish_all([envelope])

    def publish_raw(self, topic, value, key=None):
        self.real.publish_raw(self.topic, value, key)

    def close(self):
        self.real.close()


class Instance:
    """One matcher instance of which only the release worker runs."""

    def __init__(self, kafka: str, redis_url: str, topic: str):
        settings = Settings.from_env({"KAFKA_BOOTSTRAP_SERVERS": kafka, "REDIS_URL": redis_url,
                                      "MATCHER_RELEASE_POLL_S": "0.01"})
        self.wiring: Wiring = bootstrap(settings, publisher=OneTopic(EventPublisher(kafka, "it-inst"), topic))
        self.stop, self.crashed = threading.Event(), threading.Event()
        release = [w for w in self.wiring.workers() if w.name == "release-scheduler"]
        self.threads = start_workers(release, self.stop, self.crashed)

    def close(self) -> None:
        if self.stop.is_set():
            return
        self.stop.set()
        for thread in self.threads:
            thread.join(timeout=30)
        self.wiring.close()


@pytest.fixture
def region() -> str:
    return f"reg-inst-{uuid.uuid4().hex[:8]}"


@pytest.fixture
def instances(kafka_bootstrap, redis_url, region) -> Iterator[tuple[str, list[Instance]]]:
    topic = f"test.instances.{region}.rounds"
    ensure_topics(kafka_bootstrap, names=(topic, topics.dlq(topic)))
    started = [Instance(kafka_bootstrap, redis_url, topic) for _ in range(2)]
    yield topic, started
    for instance in started:
        instance.close()
    assert not any(i.crashed.is_set() for i in started)


def propose(wiring: Wiring, region: str, n: int) -> str:
    """A proposed, published round of the region, as the consumer leaves it."""
    store, round_id = wiring.deps.store, f"rnd-{region}-{n}"
    store.note_requested(RoundRequested(round_id, region, PERIOD, 1, "usr-coord"), AT)
    outcomes = tuple(Outcome(f"stu-{n}-{i}", "sch-a", "unplaced", reason_code="NO_ELIGIBLE_PLACE") for i in range(3))
    result = RoundResult(outcomes, summarise(outcomes), Manifest("a" * 64, 1, "s", "1", "c", "b" * 64), ("sch-a",), ())
    store.save_proposal(str(uuid.uuid4()), round_id, result, AT)
    store.mark_proposal_published(round_id)
    return round_id


def released_count(region: str) -> float:
    return REGISTRY.get_sample_value("stagepool_matcher_rounds_released_total",
                                     {"region": region, "period": PERIOD}) or 0.0


def test_two_matchers_release_each_due_round_once_and_count_it_once(kafka_bootstrap, instances, region):
    topic, started = instances
    store = started[0].wiring.deps.store
    round_ids = [propose(started[0].wiring, region, n) for n in range(ROUNDS)]
    due = time.time() + 1.0  # all due at the same moment, while both instances poll
    for round_id in round_ids:
        release = RoundReleaseScheduled(round_id, region, "2027-01-15T09:00:00Z", "2027-01-22T09:00:00Z", "usr-c")
        store.schedule_release(str(uuid.uuid4()), release, due)
    wait_until(lambda: all(store.get_round(r).status == "released" for r in round_ids), timeout=60,
               message="the rounds were released")
    for instance in started:  # what one instance had begun is finished before the log is read
        instance.close()
    published = Counter(decode(m.value).payload.round_id for m in read_log(kafka_bootstrap, [topic]))
    assert published == Counter({r: 1 for r in round_ids})
    assert released_count(region) == ROUNDS


def test_a_lease_has_one_holder_and_each_new_holder_a_higher_fencing_token(redis_url):
    client = redis.Redis.from_url(redis_url)
    name = f"test:lease:{uuid.uuid4().hex[:8]}"
    first, second = Lease(client, name, ttl_s=30, owner="a"), Lease(client, name, ttl_s=30, owner="b")
    try:
        token = first.acquire()
        assert token > 0 and second.acquire() == 0
        assert first.acquire() == token  # renewing keeps the token
        first.release()
        assert second.acquire() > token and first.acquire() == 0
        client.delete(name)  # the holder's lease ran out (it stopped renewing)
        assert first.acquire() > second.token
    finally:
        client.delete(name, f"{name}:fence")
        client.close()
