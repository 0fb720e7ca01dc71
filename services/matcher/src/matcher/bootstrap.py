"""The matcher's composition root: Settings (+ optional fakes) -> ready services, app, consumer, scheduler.

Tests and `__main__` call the same `bootstrap`. Nothing connects here: the Redis client and the Kafka
producer connect on first use. Imports the concrete adapters (the only module that does).
"""

from __future__ import annotations

import threading
from dataclasses import dataclass
from datetime import datetime
from typing import Callable

import redis
from flask import Flask

from stagepool_shared import redis as shared_redis, topics
from stagepool_shared.auth import TokenStore
from stagepool_shared.kafka import ConsumerLoop, ConsumerOptions, EventPublisher, broker_reachable
from stagepool_shared.web.accounts import Accounts

from . import handlers
from .adapters.ortools_solver import OrToolsRoundSolver
from .adapters.prometheus import PrometheusRoundMetrics
from .adapters.redis_store import RedisRoundStore
from .adapters.store import AbstractRoundStore
from .config import Settings
from .entrypoints.consumer import make_consumer
from .entrypoints.http import create_app
from .entrypoints.scheduler import ReleaseScheduler
from .rounds import RoundSolver, code_version


@dataclass
class Matcher:
    """Everything a matcher process runs, built once."""

    settings: Settings
    svc: handlers.Services
    client: redis.Redis
    publisher: EventPublisher

    def ready(self) -> dict[str, bool]:
        return {"redis": shared_redis.redis_reachable(self.client),
                "kafka": broker_reachable(self.settings.common.kafka_bootstrap_servers)}

    def app(self) -> Flask:
        accounts = Accounts(self.client)
        return create_app(self.svc, lambda: TokenStore(self.client), self.ready, accounts=lambda: accounts,
                          links=self.settings.links)

    def consumer(self, stop: threading.Event, options: ConsumerOptions | None = None,
                 group: topics.ConsumerGroup | None = None) -> ConsumerLoop:
        group = group or topics.ConsumerGroup(self.settings.consumer_group, topics.MATCHER.topics)
        return make_consumer(self.settings.common.kafka_bootstrap_servers, self.svc, self.publisher, stop,
                             group=group, options=options)

    def scheduler(self, stop: threading.Event) -> ReleaseScheduler:
        return ReleaseScheduler(self.svc, stop, self.settings.release_poll_s)

    def close(self) -> None:
        self.publisher.close()
        self.client.close()


def bootstrap(settings: Settings, *, store: AbstractRoundStore | None = None,
              publisher: EventPublisher | None = None, solver: RoundSolver | None = None,
              clock: Callable[[], datetime] | None = None) -> Matcher:
    """Wire the matcher from its settings; tests may pass a store, publisher, solver or clock instead."""
    client = shared_redis.connect(settings.common.redis_url)
    publisher = publisher or EventPublisher(settings.common.kafka_bootstrap_servers, settings.service_name,
                                            settings.common.publish_timeout_s)
    svc = handlers.Services(
        store=store or RedisRoundStore(client, settings.service_name), publisher=publisher,
        solver=solver or OrToolsRoundSolver(), code_version=code_version(),
        clock=clock or handlers.utc_now, metrics=PrometheusRoundMetrics(),
    )
    return Matcher(settings, svc, client, publisher)
