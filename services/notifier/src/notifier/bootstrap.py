"""Composition root: Settings (plus optional fakes) -> the notifier's ready parts.

Tests and `__main__` call the same function. Nothing connects here: Redis and Kafka clients connect on
first use. Imports the concrete adapters; nothing else does.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any, Callable

import redis

from stagepool_shared import redis as shared_redis
from stagepool_shared.auth import TokenStore
from stagepool_shared.kafka import EventPublisher
from stagepool_shared.web.accounts import Accounts

from .adapters.channels import InboxChannel, SmtpChannel, WebhookChannel
from .adapters.directory import HttpDirectory
from .adapters.redis_store import RedisStore
from .adapters.rendering import TemplateRenderer
from .adapters.sign_in import PersonalLinks
from .compose import Composer
from .config import Settings
from .dispatch import Dispatcher, DispatchOptions
from .domain.model import EMAIL, INBOX, WEBHOOK
from .domain.rules import RetryPolicy
from .handlers import Deps
from .ports import AbstractChannel, AbstractDirectory, AbstractStore


def utc_now() -> datetime:
    return datetime.now(UTC)


@dataclass
class Notifier:
    """The wired service: handler dependencies, the dispatcher and the clients to close."""

    settings: Settings
    deps: Deps
    dispatcher: Dispatcher
    tokens: TokenStore
    redis_client: redis.Redis | None
    publisher: Any
    channels: dict[str, AbstractChannel]
    accounts: Accounts | None = None  # the pages' sign-in (None when built without Redis: API only)

    def close(self) -> None:
        for channel in self.channels.values():
            close = getattr(channel, "close", None)
            if close:
                close()
        self.publisher.close()
        if self.redis_client is not None:
            self.redis_client.close()


def bootstrap(settings: Settings, *, store: AbstractStore | None = None, directory: AbstractDirectory | None = None,
              publisher: Any = None, channels: dict[str, AbstractChannel] | None = None,
              clock: Callable[[], datetime] = utc_now, redis_client: redis.Redis | None = None,
              tokens: Any = None, accounts: Accounts | None = None) -> Notifier:
    """Build the notifier from settings; any part may be replaced (fakes in tests)."""
    client = redis_client or (shared_redis.connect(settings.common.redis_url) if store is None else None)
    store = store or RedisStore(client, settings.key_prefix)  # type: ignore[arg-type]
    publisher = publisher or EventPublisher(settings.common.kafka_bootstrap_servers, "stagepool-notifier",
                                            settings.common.publish_timeout_s)
    directory = directory or HttpDirectory(settings.intake_url, settings.service_token)
    channels = channels or {
        EMAIL: SmtpChannel(settings.smtp_host, settings.smtp_port, settings.smtp_from, settings.smtp_timeout_s,
                           settings.smtp_username, settings.smtp_password, settings.smtp_starttls),
        WEBHOOK: WebhookChannel(settings.webhook_secret.encode(), settings.webhook_timeout_s),
    }
    channels.setdefault(INBOX, InboxChannel(store, clock))
    accounts = accounts or (Accounts(client) if client is not None else None)
    links = PersonalLinks(accounts, settings.public_url, settings.link_ttl_s).for_student if accounts else None
    composer = Composer(TemplateRenderer(), settings.public_url, links)
    policy = RetryPolicy(settings.max_attempts, settings.backoff_base_s, settings.backoff_cap_s)
    dispatcher = Dispatcher(store, directory, channels, composer, policy, clock,
                            DispatchOptions(settings.batch_size, settings.lease_s, settings.mark_batch))
    deps = Deps(store=store, publisher=publisher, clock=clock,
                reminder_lead=timedelta(seconds=settings.reminder_lead_s))
    tokens = tokens or (TokenStore(client) if client is not None else None)
    return Notifier(settings, deps, dispatcher, tokens, client, publisher, channels,  # type: ignore[arg-type]
                    accounts)
