"""Composition root: Settings (+ optional fakes) -> the wired intake use cases, app and consumer.

Only this module picks concrete adapters. Nothing connects here: the Redis client connects on its first
command and the Kafka producer on its first publish, so building never fails while a server is down.
"""

from __future__ import annotations

import threading
from dataclasses import dataclass
from typing import Any, Callable

import redis

from stagepool_shared import kafka, topics
from stagepool_shared.auth import TokenStore
from stagepool_shared.redis import connect, redis_reachable

from .adapters.breaker import FailFastPublisher
from .adapters.redis_store import RedisIdempotencyStore, RedisIntakeStore
from .config import Settings
from .handlers import Intake
from .ports import AbstractIdempotencyStore, AbstractIntakeStore, Publisher


@dataclass
class Wiring:
    """The built pieces of one intake process."""

    settings: Settings
    intake: Intake
    redis_client: redis.Redis
    tokens: TokenStore
    idempotency: AbstractIdempotencyStore
    publisher: Publisher

    def ready_check(self) -> dict[str, bool]:
        """/readyz: Redis answers and Kafka answers a metadata request."""
        return {"redis": redis_reachable(self.redis_client),
                "kafka": kafka.broker_reachable(self.settings.common.kafka_bootstrap_servers)}

    def close(self) -> None:
        close: Callable[[], Any] | None = getattr(self.publisher, "close", None)
        if close is not None:
            close()
        self.redis_client.close()


def bootstrap(settings: Settings, *, publisher: Publisher | None = None, redis_client: redis.Redis | None = None,
              store: AbstractIntakeStore | None = None, idempotency: AbstractIdempotencyStore | None = None,
              key_prefix: str = "intake") -> Wiring:
    """Wire intake from its settings; tests pass fakes or a unique key prefix."""
    client = redis_client or connect(settings.common.redis_url)
    publisher = publisher or FailFastPublisher(kafka.EventPublisher(
        settings.common.kafka_bootstrap_servers, settings.service_name, timeout_s=settings.common.publish_timeout_s))
    store = store or RedisIntakeStore(client, prefix=key_prefix)
    idempotency = idempotency or RedisIdempotencyStore(client, settings.idempotency_ttl_s, prefix=key_prefix)
    intake = Intake(store, publisher, settings.pseudonym_secret)
    return Wiring(settings, intake, client, TokenStore(client), idempotency, publisher)


def consumer_loop(wiring: Wiring, stop: threading.Event, handle: Callable) -> kafka.ConsumerLoop:
    """The round.released consumer (group stagepool-intake) over the wired publisher for dead letters."""
    publisher = getattr(wiring.publisher, "inner", wiring.publisher)
    if not isinstance(publisher, kafka.EventPublisher):
        publisher = kafka.EventPublisher(wiring.settings.common.kafka_bootstrap_servers, "intake-dlq")
    return kafka.ConsumerLoop(wiring.settings.common.kafka_bootstrap_servers, topics.INTAKE.group_id,
                              topics.INTAKE.topics, handle, publisher, stop)
