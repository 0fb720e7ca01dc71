"""The matcher's composition root: Settings (+ optional doubles) -> `Wiring`, the ready parts of one process.

`Wiring` offers what `stagepool_shared.runtime.serve` runs: the Flask app, the Kafka consumer, the release
worker, the readiness checks and `close()`. Tests and `__main__` call the same `bootstrap`; `replay_deps`
builds the in-memory dependencies of `matcher replay`. Nothing connects here: the Redis client and the
Kafka producer connect on first use. The only module that imports the concrete adapters.
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
from stagepool_shared.lease import AbstractLease, lease_for, leased
from stagepool_shared.ports import Publisher
from stagepool_shared.runtime import Worker
from stagepool_shared.web.accounts import Accounts

from .adapters.intake_directory import HttpStudentDirectory
from .adapters.memory_store import InMemoryRoundStore
from .adapters.ortools_solver import OrToolsRoundSolver
from .adapters.redis_store import RedisRoundStore
from .adapters.scenario_store import RedisScenarioStore
from .config import Settings
from .entrypoints.consumer import make_consumer
from .entrypoints.http import create_app
from .metrics import NullMetrics, PrometheusRoundMetrics
from .ports import AbstractRoundStore, AbstractScenarioStore, AbstractStudentDirectory, Deps, RoundSolver
from .jobs import RELEASES_PER_STEP, release_due_rounds, request_queued_fast_tracks, run_queued_scenario
from .rounds.manifest import code_version as current_code_version
from .rounds.moments import utc_now

SCENARIO_POLL_S = 1.0


@dataclass
class Wiring:
    """Everything a matcher process runs, built once: the dependencies and the clients to close."""

    settings: Settings
    deps: Deps
    redis_client: redis.Redis
    publisher: Publisher
    tokens: TokenStore  # the API tokens (tests: a double with `lookup(token)`)
    accounts: Accounts  # the pages' sessions (tests: FakeAccounts)
    release_lease: AbstractLease  # the release worker runs on one instance at a time

    def app(self) -> Flask:
        return create_app(self)

    def consumer(self, stop: threading.Event, options: ConsumerOptions | None = None,
                 group: topics.ConsumerGroup | None = None) -> ConsumerLoop:
        """The consumer of the matcher's topics (tests pass their own group of topics and faster options)."""
        return make_consumer(self, stop, options, group)

    def workers(self) -> list[Worker]:
        """The release worker: every MATCHER_RELEASE_POLL_S, publish the rounds whose moment has come, on one
        instance at a time (under the release lease); the scenario worker: run queued what-if scenarios (looks
        again every SCENARIO_POLL_S when idle)."""
        release = leased(self.release_lease, lambda: len(release_due_rounds(self.deps, RELEASES_PER_STEP))
                         + request_queued_fast_tracks(self.deps))  # and the fast track's queue (issue 20.3)
        return [Worker("release-scheduler", release, self.settings.release_poll_s),
                Worker("scenarios", lambda: run_queued_scenario(self.deps), SCENARIO_POLL_S)]

    def ready(self) -> dict[str, bool]:
        return {"redis": shared_redis.redis_reachable(self.redis_client),
                "kafka": broker_reachable(self.settings.common.kafka_bootstrap_servers)}

    def close(self) -> None:
        self.release_lease.release()
        self.publisher.close()
        self.redis_client.close()


def bootstrap(settings: Settings, *, store: AbstractRoundStore | None = None, publisher: Publisher | None = None,
              solver: RoundSolver | None = None, clock: Callable[[], datetime] | None = None,
              redis_client: redis.Redis | None = None, tokens: TokenStore | None = None,
              accounts: Accounts | None = None, code_version: str | None = None,
              directory: AbstractStudentDirectory | None = None,
              scenarios: AbstractScenarioStore | None = None) -> Wiring:
    """Wire the matcher from its settings; tests may pass a store, publisher, solver, clock, Redis client,
    token store, accounts, code version, intake's student directory or scenario store instead."""
    client = redis_client or shared_redis.connect(settings.common.redis_url)
    prefix = settings.common.key_prefix
    publisher = publisher or EventPublisher(settings.common.kafka_bootstrap_servers, settings.service_name,
                                            settings.common.publish_timeout_s)
    deps = Deps(
        store=store or RedisRoundStore(client, prefix), publisher=publisher,
        solver=solver or OrToolsRoundSolver(settings.solver_workers), metrics=PrometheusRoundMetrics(),
        clock=clock or utc_now,
        code_version=current_code_version() if code_version is None else code_version,
        directory=directory or (HttpStudentDirectory(settings.intake_url, settings.service_token)
                                if settings.intake_url else None),
        scenarios=scenarios or RedisScenarioStore(client, prefix),
    )
    return Wiring(settings, deps, client, publisher, tokens or TokenStore(client), accounts or Accounts(client),
                  lease_for(client, f"{prefix}:lease:release"))


def replay_deps(publisher: Publisher, solver: RoundSolver | None = None, code_version: str | None = None) -> Deps:
    """The dependencies of `matcher replay`: a private in-memory store, no metrics, the given (null) publisher,
    and the production solver and code version unless a test passes its own."""
    return Deps(store=InMemoryRoundStore(), publisher=publisher, solver=solver or OrToolsRoundSolver(),
                metrics=NullMetrics(), code_version=current_code_version() if code_version is None else code_version)
