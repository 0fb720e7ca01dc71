"""Composition root: Settings (plus optional test doubles) -> the `Wiring` of one reporting process: its `Deps`,
the HTTP app, the consumer, the metrics collector and the ready check. `__main__` and the tests call the same
`bootstrap`. The only module that picks concrete adapters. Nothing connects here: the Redis client and the
Kafka producer connect on first use.
"""

from __future__ import annotations

import functools
import logging
import threading
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Callable

import redis
from flask import Flask
from prometheus_client import REGISTRY
from prometheus_client.registry import CollectorRegistry

from stagepool_shared import kafka
from stagepool_shared.auth import TokenStore
from stagepool_shared.ports import Publisher
from stagepool_shared.redis import IdempotentApplier, connect, redis_reachable
from stagepool_shared.lease import AbstractLease, SoleLease, lease_for, leased
from stagepool_shared.runtime import Worker
from stagepool_shared.web.accounts import Accounts

from .adapters.aftercare_store import RedisAftercareStore
from .adapters.audit import RedisAuditLog
from .adapters.crypto import ContentCipher
from .adapters.desk_store import RedisDeskStore
from .adapters.intake_directory import HttpStudentDirectory
from .adapters.intake_lookups import HttpIntakeLookups
from .adapters.keys import Keys
from .adapters.planning_board import RedisPlanningBoard
from .adapters.projections import RedisProjections
from .adapters.views import RedisViews
from .commands.board import all_boards
from .commands.desk import count_cases_by_status, count_overdue_cases
from .commands.sbb import count_sbb_overdue
from .commands.followup import read_signals, signal_regions
from .commands.report import figures_of_all_periods
from .config import Settings
from .entrypoints.consumer import make_consumer
from .entrypoints.http import create_app
from .jobs import REMINDER_IDLE_S, REMINDER_LEASE, RETENTION_IDLE_S, aftercare_reminders, apply_retention
from .metrics import ReportingCollector
from .ports import (AbstractAftercareStore, AbstractAuditLog, AbstractDeskStore, AbstractProjections,
                    AbstractStudentDirectory, AbstractViews, Deps)
from .ports import AbstractIntakeLookups, AbstractPlanningBoard

logger = logging.getLogger(__name__)


@dataclass
class Wiring:
    """Everything one reporting process runs on, wired: the deps of the handlers and commands, the identity
    stores of the HTTP edge, and the clients and collector to close."""

    settings: Settings
    deps: Deps
    client: redis.Redis
    tokens: TokenStore
    accounts: Accounts
    collector: ReportingCollector | None = None
    registry: CollectorRegistry | None = field(default=None, repr=False)
    #: The contact-moment reminders run on one instance at a time (issue 20.4).
    reminder_lease: AbstractLease = field(default_factory=lambda: SoleLease(REMINDER_LEASE), repr=False)

    def app(self) -> Flask:
        """The HTTP API and the pages over this wiring."""
        return create_app(self)

    def consumer(self, stop: threading.Event, options: kafka.ConsumerOptions | None = None) -> kafka.ConsumerLoop:
        """The REPORTING group's consumer loop (creating the topics it reads first)."""
        kafka.ensure_topics(self.settings.common.kafka_bootstrap_servers)
        return make_consumer(self, stop, options)

    def workers(self) -> list[Worker]:
        """Retention (R155): closed desk cases and ended follow-up anonymised after the region's period; contact
        moments (issue 20.4): reminders and escalations, and the end evaluations that opened (issue 20.5), on one
        instance at a time (a Redis lease)."""
        reminders = leased(self.reminder_lease, functools.partial(aftercare_reminders, self.deps))
        return [Worker("retention", functools.partial(apply_retention, self.deps), RETENTION_IDLE_S),
                Worker("contact-reminders", reminders, REMINDER_IDLE_S)]

    def ready(self) -> dict[str, bool]:
        """/readyz: Redis answers and Kafka answers a metadata request."""
        return {"redis": redis_reachable(self.client),
                "kafka": kafka.broker_reachable(self.settings.common.kafka_bootstrap_servers)}

    def close(self) -> None:
        """Unregister the collector and close clients (safe to call twice)."""
        if self.collector is not None and self.registry is not None:
            self.registry.unregister(self.collector)
            self.collector = None
        self.reminder_lease.release()
        self.deps.publisher.close()
        self.client.close()


def bootstrap(settings: Settings, *, client: redis.Redis | None = None, publisher: Publisher | None = None,
              projections: AbstractProjections | None = None, views: AbstractViews | None = None,
              desk_store: AbstractDeskStore | None = None, audit: AbstractAuditLog | None = None,
              accounts: Accounts | None = None, key_prefix: str | None = None, clock: Callable[[], datetime] | None = None,
              registry: CollectorRegistry | None = REGISTRY, aftercare: AbstractAftercareStore | None = None,
              directory: AbstractStudentDirectory | None = None,
              lookups: AbstractIntakeLookups | None = None, planning: AbstractPlanningBoard | None = None) -> Wiring:
    """Wire reporting. Tests pass doubles of the ports (tests/fakes), a key prefix (by default
    REPORTING_KEY_PREFIX, see CommonSettings), a clock, or registry=None (no metrics collector)."""
    key_prefix = key_prefix or settings.common.key_prefix
    client = client or connect(settings.common.redis_url)
    keys = Keys(key_prefix)
    cipher = ContentCipher(settings.desk_key)
    deps = Deps(
        projections=projections or RedisProjections(client, IdempotentApplier(client, key_prefix), keys),
        views=views or RedisViews(client, keys),
        desk_store=desk_store or RedisDeskStore(client, cipher, keys),
        audit=audit or RedisAuditLog(client, keys),
        publisher=publisher or kafka.EventPublisher(settings.common.kafka_bootstrap_servers, settings.service_name,
                                                    settings.common.publish_timeout_s),
        clock=clock or (lambda: datetime.now(UTC)),
        deadlines=settings.deadlines,
        escalation_threshold=settings.escalation_threshold,
        contact_remind_days=settings.contact_remind_days,
        evaluation_open_days=settings.evaluation_open_days,
        aftercare=aftercare or RedisAftercareStore(client, IdempotentApplier(client, key_prefix), cipher, keys),
        directory=directory or _directory(settings),
        lookups=lookups or (HttpIntakeLookups(settings.intake_url, settings.service_token)
                            if settings.intake_url else None),
        planning=planning or RedisPlanningBoard(client, IdempotentApplier(client, key_prefix), key_prefix),
    )
    wiring = Wiring(settings, deps, client, TokenStore(client), accounts or Accounts(client),
                    reminder_lease=lease_for(client, f"{key_prefix}:{REMINDER_LEASE}"))
    if registry is not None:
        wiring.collector = _collector(deps)
        wiring.registry = registry
        registry.register(wiring.collector)
    return wiring


def _directory(settings: Settings) -> AbstractStudentDirectory | None:
    """Intake's student names for the printed POK, when INTAKE_URL is set (docs/aftercare.md)."""
    if not getattr(settings, "intake_url", ""):
        return None
    return HttpStudentDirectory(settings.intake_url, settings.service_token)


def _collector(deps: Deps) -> ReportingCollector:
    """The scrape-time collector of the figures, desk counts and signals."""
    return ReportingCollector(
        figures=functools.partial(figures_of_all_periods, deps), desk_regions=deps.desk_store.regions,
        desk_counts=functools.partial(count_cases_by_status, deps),
        desk_overdue=functools.partial(count_overdue_cases, deps),
        escalations=lambda region: read_signals(deps, region)["escalated"],
        signal_regions=functools.partial(signal_regions, deps),
        boards=functools.partial(all_boards, deps), sbb_overdue=functools.partial(count_sbb_overdue, deps))
