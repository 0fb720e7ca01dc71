"""N instances on one outbox, on real Kafka and Redis (issue 18.2): two notifier instances relay the same
outbox while events keep arriving in it; every entry reaches Kafka exactly once and none is lost.

Each test uses its own topic and Redis key prefix.
"""

from __future__ import annotations

import json
import threading
import uuid
from collections import Counter
from typing import Iterator

import pytest
import redis

from notifier import events
from notifier.adapters.redis_store import RedisStore
from notifier.bootstrap import Wiring, bootstrap
from notifier.config import Settings
from notifier.domain.model import Delivery, DeliveryId
from stagepool_shared import topics
from stagepool_shared.kafka import ensure_topics, read_log
from stagepool_shared.runtime import start_workers
from stagepool_shared.testing.waiting import wait_until

pytestmark = pytest.mark.integration

BATCHES, PER_BATCH = 6, 150


def notifier_env(kafka: str, redis_url: str, tag: str) -> dict[str, str]:
    return {"KAFKA_BOOTSTRAP_SERVERS": kafka, "REDIS_URL": redis_url, "INTAKE_URL": "http://127.0.0.1:9",
            "NOTIFIER_SERVICE_TOKEN": "svc-token", "NOTIFIER_WEBHOOK_SECRET": "hook-secret",
            "STAGEPOOL_ENV": "dev", "SMTP_HOST": "127.0.0.1", "SMTP_PORT": "9",
            "NOTIFIER_KEY_PREFIX": f"nt-inst-{tag}", "NOTIFIER_CONSUMER_GROUP": f"test-inst-{tag}",
            "NOTIFIER_IDLE_WAIT_S": "0.01", "HTTP_PORT": "0"}


class Instance:
    """One notifier instance of which only the outbox relay runs (its own publisher and Redis client)."""

    def __init__(self, settings: Settings):
        self.stop, self.crashed = threading.Event(), threading.Event()
        self.wiring: Wiring = bootstrap(settings)
        relay = [w for w in self.wiring.workers() if w.name == "outbox"]
        self.threads = start_workers(relay, self.stop, self.crashed)

    def close(self) -> None:
        self.stop.set()
        for thread in self.threads:
            thread.join(timeout=30)
        self.wiring.close()


@pytest.fixture
def tag() -> str:
    return uuid.uuid4().hex[:10]


@pytest.fixture
def client(redis_url) -> Iterator[redis.Redis]:
    client = redis.Redis.from_url(redis_url)
    yield client
    client.close()


def sent_event(topic: str, n: int) -> str:
    """An outbox entry as the senders write it: a notification.sent event for our own topic."""
    delivery = Delivery(DeliveryId(f"rnd-{n // 50}", "student", f"stu-{n}", "email"), state="sent", attempts=1)
    return RedisStore._outbox_json((topic, events.notification_sent(delivery, "reg-i")))


def test_two_relays_publish_every_outbox_entry_exactly_once_and_lose_none(kafka_bootstrap, redis_url, client, tag):
    topic = f"test.instances.{tag}.notifications"
    ensure_topics(kafka_bootstrap, names=(topic, topics.dlq(topic)))
    settings = Settings.from_env(notifier_env(kafka_bootstrap, redis_url, tag))
    outbox = f"{settings.common.key_prefix}:outbox"
    expected: list[str] = []
    instances = [Instance(settings), Instance(settings)]
    try:
        for batch in range(BATCHES):  # the senders keep writing while both relays run
            entries = [sent_event(topic, batch * PER_BATCH + i) for i in range(PER_BATCH)]
            expected += [json.loads(e)["event"]["event_id"] for e in entries]
            client.rpush(outbox, *entries)
            wait_until(lambda: client.llen(outbox) < PER_BATCH // 2, timeout=60, message="the relays run")
        wait_until(lambda: client.llen(outbox) == 0, timeout=60, message="the outbox drained")
    finally:
        for instance in instances:
            instance.close()
    assert not any(i.crashed.is_set() for i in instances)
    published = Counter(json.loads(m.value)["event_id"] for m in read_log(kafka_bootstrap, [topic]))
    assert set(published) == set(expected), f"lost: {len(set(expected) - set(published))}"
    assert [eid for eid, n in published.items() if n > 1] == []
    assert client.llen(outbox) == 0
