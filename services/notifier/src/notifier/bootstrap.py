"""Composition root: Settings (plus optional doubles) -> the `Wiring` of one notifier process.

Tests and `__main__` call the same `bootstrap`. Nothing connects here: Redis and Kafka clients connect on
first use. The only module that imports the concrete adapters.
"""

from __future__ import annotations

import threading
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from functools import partial
from typing import Callable

import redis
from flask import Flask

from stagepool_shared import redis as shared_redis
from stagepool_shared.auth import TokenStore
from stagepool_shared.kafka import ConsumerLoop, ConsumerOptions, EventPublisher, broker_reachable
from stagepool_shared.lease import AbstractLease, lease_for, leased
from stagepool_shared.net import TargetPolicy
from stagepool_shared.ports import Publisher
from stagepool_shared.runtime import Worker
from stagepool_shared.web.accounts import Accounts

from . import jobs
from .adapters.channels import InboxChannel, SmtpChannel, WebhookChannel
from .adapters.directory import HttpDirectory, HttpTaskContacts, HttpWindows
from .adapters.redis_deadlines import RedisDeadlineMarks
from .adapters.redis_store import RedisStore
from .adapters.rendering import TemplateRenderer
from .adapters.sign_in import PersonalLinks
from .compose import Composer
from .contact_tasks import ContactTaskMailer
from .party_mails import EVALUATION_INVITE, INTRODUCTION_PROPOSED, POK_TO_SIGN, PartyMailer
from .mail_once import MailOnce
from .config import Settings
from .deadlines import DeadlineOptions, DeadlineReminders, leads_of
from .dispatch import Dispatcher, DispatchOptions
from .domain.model import EMAIL, INBOX, WEBHOOK
from .domain.rules import RetryPolicy
from .entrypoints.consumer import make_consumer
from .entrypoints.http import create_app
from .inbox import InboxReader
from .ports import (AbstractChannel, AbstractDeadlineMarks, AbstractDirectory, AbstractRenderer, AbstractStore,
                    AbstractTaskContacts, AbstractWindows, Deps)


def utc_now() -> datetime:
    return datetime.now(UTC)


@dataclass
class Wiring:
    """The wired notifier: the handlers' and commands' dependencies, the dispatcher, the sign-in and token
    stores, and the clients to close. `accounts` is None when built without Redis (unit tests of the API
    only): the app then has no pages."""

    settings: Settings
    deps: Deps
    dispatcher: Dispatcher
    tokens: TokenStore | None
    accounts: Accounts | None
    redis_client: redis.Redis | None
    channels: dict[str, AbstractChannel]
    leases: dict[str, AbstractLease]
    deadlines: DeadlineReminders | None = None  # issue 15.4; None without the marks' store (unit tests of the API)

    @property
    def renderer(self) -> AbstractRenderer:
        """The message templates; the pages word labels and hints the same way as the messages."""
        return self.dispatcher.composer.renderer

    def app(self) -> Flask:
        return create_app(self)

    def consumer(self, stop: threading.Event, options: ConsumerOptions | None = None) -> ConsumerLoop:
        """The consumer of the notifier's topics (tests pass faster options)."""
        return make_consumer(self, stop, options)

    def workers(self) -> list[Worker]:
        """The sender threads (on every instance: each claims its own batches), the reminder scheduler, the
        outbox relay and the deadline reminders (each on one instance at a time, under its lease)."""
        s = self.settings
        senders = [Worker(f"sender-{i}", self.dispatcher.run_once, s.idle_wait_s) for i in range(s.sender_threads)]
        remind = leased(self.leases["reminders"], partial(jobs.remind, self.deps))
        relay = leased(self.leases["outbox"], partial(jobs.relay_outbox, self.deps))
        retention = partial(jobs.forget_old_rounds, self.deps, s.retention_days)  # issue 20.7; idempotent
        workers = senders + [Worker("reminders", remind, s.reminder_interval_s), Worker("outbox", relay, s.idle_wait_s),
                             Worker("retention", retention, jobs.RETENTION_IDLE_S)]
        if self.deadlines is not None:
            deadlines = leased(self.leases["deadlines"], self.deadlines.run_once)
            workers.append(Worker("deadlines", deadlines, s.deadline_interval_s))
        return workers

    def ready(self) -> dict[str, bool]:
        """/readyz: Redis answers a ping and Kafka a metadata request."""
        redis_ok = self.redis_client is None or shared_redis.redis_reachable(self.redis_client)
        return {"redis": redis_ok, "kafka": broker_reachable(self.settings.common.kafka_bootstrap_servers)}

    def close(self) -> None:
        for lease in self.leases.values():
            lease.release()
        for channel in self.channels.values():
            close = getattr(channel, "close", None)
            if close:
                close()
        self.deps.publisher.close()
        if self.redis_client is not None:
            self.redis_client.close()


def bootstrap(settings: Settings, *, store: AbstractStore | None = None, directory: AbstractDirectory | None = None,
              publisher: Publisher | None = None, channels: dict[str, AbstractChannel] | None = None,
              clock: Callable[[], datetime] = utc_now, redis_client: redis.Redis | None = None,
              tokens: TokenStore | None = None, accounts: Accounts | None = None,
              windows: AbstractWindows | None = None, deadline_marks: AbstractDeadlineMarks | None = None,
              task_contacts: AbstractTaskContacts | None = None) -> Wiring:
    """Build the notifier from settings; any part may be replaced (doubles in tests). Without a `store`, the
    Redis client is connected lazily from REDIS_URL and also backs the token and sign-in stores."""
    client = redis_client or (shared_redis.connect(settings.common.redis_url) if store is None else None)
    store = store or RedisStore(client, settings.common.key_prefix)  # type: ignore[arg-type]
    publisher = publisher or EventPublisher(settings.common.kafka_bootstrap_servers, "stagepool-notifier",
                                            settings.common.publish_timeout_s)
    directory = directory or HttpDirectory(settings.intake_url, settings.service_token)
    channels = channels or _channels(settings)
    channels.setdefault(INBOX, InboxChannel(store, clock))
    accounts = accounts or (Accounts(client) if client is not None else None)
    links = PersonalLinks(accounts, settings.public_url, settings.link_ttl_s).for_student if accounts else None
    composer = Composer(TemplateRenderer(), settings.public_url, links)
    policy = RetryPolicy(settings.max_attempts, settings.backoff_base_s, settings.backoff_cap_s)
    dispatcher = Dispatcher(store, directory, channels, composer, policy, clock,
                            DispatchOptions(settings.batch_size, settings.lease_s, settings.mark_batch))
    deps = Deps(store=store, publisher=publisher, directory=directory, clock=clock,
                reminder_lead=timedelta(seconds=settings.reminder_lead_s),
                render_inbox=InboxReader(store, directory, composer))
    tokens = tokens or (TokenStore(client) if client is not None else None)
    marks = deadline_marks or (RedisDeadlineMarks(client, settings.common.key_prefix) if client is not None else None)
    deadlines = None
    if marks is not None and EMAIL in channels:  # 15.4: deadline reminders; 20: contact-moment and aftercare mails
        mail = MailOnce(marks, channels[EMAIL], clock, timedelta(days=settings.retention_days))
        deadlines = _deadlines(settings, windows, mail, composer.renderer, clock)
        contacts = task_contacts or HttpTaskContacts(settings.reporting_url, settings.service_token)
        pages = settings.links.reporting
        deps.mailers = {
            "contact.task_opened": ContactTaskMailer(contacts, directory, mail, composer.renderer, pages),
            "introduction.proposed": PartyMailer(INTRODUCTION_PROPOSED, directory, mail, composer.renderer, pages),
            "agreement.status_changed": PartyMailer(POK_TO_SIGN, directory, mail, composer.renderer, pages),
            "evaluation.opened": PartyMailer(EVALUATION_INVITE, directory, mail, composer.renderer, pages)}
    return Wiring(settings, deps, dispatcher, tokens, accounts, client, channels, _leases(client, settings),
                  deadlines)


def _deadlines(settings: Settings, windows: AbstractWindows | None, mail: MailOnce, renderer: AbstractRenderer,
               clock: Callable[[], datetime]) -> DeadlineReminders:
    """The reminders before the periods' wish and choice deadlines (issue 15.4)."""
    options = DeadlineOptions(leads_of(settings.deadline_reminder_days), timedelta(days=settings.retention_days),
                              settings.links.intake)
    windows = windows or HttpWindows(settings.intake_url, settings.service_token)
    return DeadlineReminders(windows, mail, renderer, clock, options)


def _leases(client: redis.Redis | None, settings: Settings) -> dict[str, AbstractLease]:
    """One lease per job that must run on one instance at a time (stagepool_shared.lease)."""
    names = ("reminders", "outbox", "deadlines")  # deadlines: the reminders before a period's deadlines (15.4)
    return {job: lease_for(client, f"{settings.common.key_prefix}:lease:{job}") for job in names}


def _channels(settings: Settings) -> dict[str, AbstractChannel]:
    """The outside channels: e-mail over SMTP and the schools' signed webhooks."""
    return {
        EMAIL: SmtpChannel(settings.smtp_host, settings.smtp_port, settings.smtp_from, settings.smtp_timeout_s,
                           settings.smtp_username, settings.smtp_password, settings.smtp_starttls),
        WEBHOOK: WebhookChannel(settings.webhook_secret.encode(), settings.webhook_timeout_s,
                                TargetPolicy(allow_local=settings.webhook_allow_local)),
    }
