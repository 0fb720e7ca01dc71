"""Composition root: Settings (plus optional test doubles) -> a ready Reporting with its use cases, the
consumer's handler, the metrics collector and the ready check. `__main__` and the tests call the same function.
Nothing connects here: redis and Kafka clients connect on first use.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass, field
from datetime import datetime
from typing import Callable

import redis
from prometheus_client import REGISTRY
from prometheus_client.registry import CollectorRegistry

from stagepool_shared import kafka
from stagepool_shared.auth import TokenStore
from stagepool_shared.envelope import Envelope
from stagepool_shared.redis import IdempotentApplier, connect, redis_reachable

from . import handlers
from .adapters.audit import RedisAuditLog
from .adapters.crypto import ContentCipher
from .adapters.desk_store import RedisDeskStore
from .adapters.keys import PREFIX, Keys
from .adapters.projections import RedisProjections
from .adapters.views import RedisViews
from .config import Settings
from .desk import Desk
from .domain.figures import PeriodFigures, period_figures
from .followup import FollowUp
from .metrics import ReportingCollector

logger = logging.getLogger(__name__)


@dataclass
class Reporting:
    """Everything reporting runs on, wired."""

    settings: Settings
    client: redis.Redis
    publisher: object
    keys: Keys
    projections: RedisProjections
    views: RedisViews
    desk: Desk
    followup: FollowUp
    audit: RedisAuditLog
    tokens: TokenStore
    collector: ReportingCollector | None = None
    registry: CollectorRegistry | None = field(default=None, repr=False)

    def handle(self, envelope: Envelope) -> None:
        """The consumer's handler: project one event (idempotent per event id)."""
        handlers.handle(envelope, self.projections)

    def period_figures(self, region_id: str, period_id: str) -> PeriodFigures:
        """The figures of one region and period, from the projections and the desk store."""
        desk_counts = self.desk.counts_by_status(region_id)
        return period_figures(self.views.snapshot(region_id, period_id, desk_counts))

    def all_figures(self) -> list[PeriodFigures]:
        return [self.period_figures(region, period) for region, period in self.views.periods()]

    def ready_check(self) -> dict[str, bool]:
        return {"redis": redis_reachable(self.client),
                "kafka": kafka.broker_reachable(self.settings.common.kafka_bootstrap_servers)}

    def close(self) -> None:
        """Unregister the collector and close clients (safe to call twice)."""
        if self.collector is not None and self.registry is not None:
            self.registry.unregister(self.collector)
            self.collector = None
        close = getattr(self.publisher, "close", None)
        if close:
            close()
        self.client.close()


def bootstrap(settings: Settings, *, client: redis.Redis | None = None, publisher: object | None = None,
              key_prefix: str = PREFIX, clock: Callable[[], datetime] | None = None,
              registry: CollectorRegistry | None = REGISTRY) -> Reporting:
    """Wire reporting. Tests pass a key prefix, a FakePublisher, a clock, or registry=None (no metrics)."""
    client = client or connect(settings.common.redis_url)
    publisher = publisher or kafka.EventPublisher(settings.common.kafka_bootstrap_servers, settings.service_name,
                                                  settings.common.publish_timeout_s)
    keys = Keys(key_prefix)
    applier = IdempotentApplier(client, key_prefix)
    views = RedisViews(client, keys)
    audit = RedisAuditLog(client, keys)
    store = RedisDeskStore(client, ContentCipher(settings.desk_key), keys)
    desk = Desk(store, audit, publisher, views, settings.deadlines, clock)
    followup = FollowUp(views, publisher, settings.escalation_threshold)
    reporting = Reporting(settings, client, publisher, keys, RedisProjections(client, applier, keys), views, desk,
                          followup, audit, TokenStore(client))
    if registry is not None:
        reporting.collector = _collector(reporting)
        reporting.registry = registry
        registry.register(reporting.collector)
    return reporting


def _collector(reporting: Reporting) -> ReportingCollector:
    desk, followup = reporting.desk, reporting.followup
    return ReportingCollector(
        figures=reporting.all_figures, desk_regions=desk.store.regions, desk_counts=desk.counts_by_status,
        desk_overdue=desk.overdue_count, escalations=lambda region: followup.signals(region)["escalated"],
        signal_regions=reporting.views.signal_regions)
