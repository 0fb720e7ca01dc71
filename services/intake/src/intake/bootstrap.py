"""Composition root: Settings (+ optional doubles) -> the `Wiring` of one intake process: its `deps`, the
HTTP app, the round.released consumer, the readiness answer and the clients to close.

Only this module picks concrete adapters. Nothing connects here: the Redis client connects on its first
command and the Kafka producer on its first publish, so building never fails while a server is down.
"""

from __future__ import annotations

import threading
from dataclasses import dataclass

import redis
from flask import Flask

from stagepool_shared import kafka
from stagepool_shared.auth import TokenStore
from stagepool_shared.net import Resolver, TargetPolicy, system_resolver
from stagepool_shared.ports import Publisher
from stagepool_shared.redis import connect, redis_reachable
from stagepool_shared.runtime import Worker
from stagepool_shared.web.accounts import Accounts

from .adapters.breaker import FailFastPublisher
from .adapters.redis_store import RedisIdempotencyStore, RedisIntakeStore
from .adapters.planning_store import RedisPlanningStore
from .config import Settings
from .entrypoints.consumer import make_consumer
from .entrypoints.http import create_app
from .ports import AbstractIdempotencyStore, AbstractIntakeStore, Deps


@dataclass
class Wiring:
    """The built pieces of one intake process (what `stagepool_shared.runtime.serve` runs)."""

    settings: Settings
    deps: Deps
    redis_client: redis.Redis
    tokens: TokenStore
    accounts: Accounts

    def app(self) -> Flask:
        """The intake API and pages over this wiring."""
        return create_app(self)

    def consumer(self, stop: threading.Event, options: kafka.ConsumerOptions | None = None) -> kafka.ConsumerLoop:
        """The round.released consumer (group stagepool-intake); dead letters go through the Kafka publisher."""
        return make_consumer(self, stop, options)

    def workers(self) -> list[Worker]:
        """Intake has no background workers: its commands publish before they answer (pattern A)."""
        return []

    def ready(self) -> dict[str, bool]:
        """/readyz: Redis answers and Kafka answers a metadata request."""
        return {"redis": redis_reachable(self.redis_client),
                "kafka": kafka.broker_reachable(self.settings.common.kafka_bootstrap_servers)}

    def close(self) -> None:
        self.deps.publisher.close()
        self.redis_client.close()

    def dead_letters(self) -> kafka.EventPublisher:
        """The wired Kafka publisher (without the fail-fast wrapper), or a new one when a double is wired."""
        publisher = getattr(self.deps.publisher, "inner", self.deps.publisher)
        if isinstance(publisher, kafka.EventPublisher):
            return publisher
        return kafka.EventPublisher(self.settings.common.kafka_bootstrap_servers, "intake-dlq")


def bootstrap(settings: Settings, *, publisher: Publisher | None = None, redis_client: redis.Redis | None = None,
              store: AbstractIntakeStore | None = None, idempotency: AbstractIdempotencyStore | None = None,
              key_prefix: str | None = None, resolver: Resolver = system_resolver) -> Wiring:
    """Wire intake from its settings; tests pass doubles (a fake DNS `resolver`) or a unique key prefix (by
    default INTAKE_KEY_PREFIX, see CommonSettings)."""
    key_prefix = key_prefix or settings.common.key_prefix
    client = redis_client or connect(settings.common.redis_url)
    publisher = publisher or FailFastPublisher(kafka.EventPublisher(
        settings.common.kafka_bootstrap_servers, settings.service_name, timeout_s=settings.common.publish_timeout_s))
    deps = Deps(
        store=store or RedisIntakeStore(client, prefix=key_prefix),
        publisher=publisher,
        idempotency=idempotency or RedisIdempotencyStore(client, settings.idempotency_ttl_s, prefix=key_prefix),
        pseudonym_secret=settings.pseudonym_secret,
        webhook_targets=TargetPolicy(allow_local=settings.webhook_allow_local, resolve=resolver),
        planning=RedisPlanningStore(client, prefix=key_prefix),
    )
    return Wiring(settings, deps, client, TokenStore(client, settings.links.sign_in.token_ttl_s), Accounts(client))
