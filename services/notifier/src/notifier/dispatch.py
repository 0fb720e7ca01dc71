"""Sending: claim due deliveries, compose, send, then mark sent (exactly one effect per delivery record).

The queue only offers a delivery from its round's release moment on (the embargo) and a claimed delivery is
leased, so a crashed sender's work comes back after the lease. Order per delivery: send, then mark sent
with its notification.sent event in the same transaction; a crash between the two repeats at most the
message in flight. Failures are retried with backoff; a permanent failure or too many attempts is recorded,
counted, published as notification.failed and dead-lettered. Imports the ports, domain, events and metrics.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from datetime import datetime
from typing import Callable

from . import events, metrics
from .compose import BatchContext, Composer, Skip
from .domain.model import EMAIL, REMINDER, SCHOOL, STUDENT, Delivery, DeliveryId, InboxEntry
from .domain.rules import RetryPolicy, release_spread
from .errors import DeliveryError, DirectoryUnavailable
from .ports import AbstractChannel, AbstractDirectory, AbstractStore

logger = logging.getLogger(__name__)

ADDRESS_PROBLEMS = ("missing_address", "invalid_address", "rejected_address", "unknown_contact")


@dataclass(frozen=True)
class DispatchOptions:
    """How many deliveries a claim takes and how long it holds them."""

    batch_size: int = 50
    lease_s: float = 30.0


class Dispatcher:
    """Delivers due messages; several may run in parallel threads or processes."""

    def __init__(self, store: AbstractStore, directory: AbstractDirectory, channels: dict[str, AbstractChannel],
                 composer: Composer, policy: RetryPolicy, clock: Callable[[], datetime],
                 options: DispatchOptions | None = None):
        self.store = store
        self.directory = directory
        self.channels = channels
        self.composer = composer
        self.policy = policy
        self.clock = clock
        self.options = options or DispatchOptions()

    def run_once(self) -> int:
        """Claim and handle one batch of due deliveries; the number handled (0 when none was due)."""
        now = self.clock().timestamp()
        batch = self.store.claim_due(now, self.options.batch_size, self.options.lease_s)
        if not batch:
            return 0
        try:
            ctx = BatchContext.load(self.store, self.directory, [d.id for d in batch])
        except DirectoryUnavailable as err:
            logger.warning("intake directory unavailable (%s); %d deliveries wait", err, len(batch))
            for d in batch:
                self.store.retry_later(d, now + self.policy.base_s, str(err))
            return len(batch)
        for delivery in batch:
            self.deliver(delivery, ctx)
        for round_id, info in ctx.rounds.items():
            self._observe_spread(round_id, info.region_id)
        return len(batch)

    def deliver(self, delivery: Delivery, ctx: BatchContext) -> None:
        """Compose and send one delivery, then record the result."""
        attempt = delivery.attempted()
        d = attempt.id
        try:
            answered = d.kind == REMINDER and self.store.response(d.round_id, d.ref) is not None
            composed = self.composer.compose(d, ctx, answered=answered)
            self.channels[d.channel].send(d, composed.address, composed.message, composed.data)
        except Skip as skip:
            self.store.mark_skipped(attempt, str(skip))
            return
        except DeliveryError as err:
            self._failed(attempt, err, ctx)
            return
        region = ctx.rounds[d.round_id].region_id
        self.store.mark_sent(attempt, self.clock().timestamp(), [(None, events.notification_sent(attempt, region))])
        metrics.MESSAGES_SENT.labels(d.channel).inc()

    def _failed(self, attempt: Delivery, err: DeliveryError, ctx: BatchContext) -> None:
        d = attempt.id
        now = self.clock().timestamp()
        if not err.permanent and not self.policy.gives_up(attempt.attempts):
            metrics.RETRIES.labels(d.channel).inc()
            self.store.retry_later(attempt, now + self.policy.delay_after(attempt.attempts), err.reason)
            return
        info = ctx.rounds.get(d.round_id)
        region = info.region_id if info else "unknown"
        failed = events.notification_failed(attempt, region, err.reason)
        self.store.mark_failed(attempt, err.reason, now, [(None, failed), events.failure_dead_letter(failed, attempt)])
        metrics.MESSAGES_FAILED.labels(d.channel).inc()
        logger.warning("delivery %s failed after %d attempt(s): %s", d.suffix, attempt.attempts, err.reason)
        if err.reason in ADDRESS_PROBLEMS and d.channel == EMAIL and d.kind in (STUDENT, REMINDER):
            self._report_to_school(d, err.reason, ctx)

    def _report_to_school(self, d: DeliveryId, problem: str, ctx: BatchContext) -> None:
        """A student who cannot be e-mailed is reported to the school's inbox, never silently skipped."""
        outcome = ctx.outcomes.get((d.round_id, d.ref))
        info = ctx.rounds.get(d.round_id)
        if outcome is None or info is None:
            return
        contact = ctx.contacts.get(d.ref)
        name = contact.name if contact and contact.name else d.ref
        school = ctx.schools.get(outcome.school_id)
        message = self.composer.address_report(info, name, problem, school)
        entry = InboxEntry(delivery=f"{d.suffix}:address_problem", round_id=d.round_id, message_kind="address_problem",
                           subject=message.subject, body=message.body, visible_from=info.released_at,
                           created_at=self.clock())
        self.store.put_inbox(SCHOOL, outcome.school_id, entry)
        metrics.INVALID_ADDRESSES.labels(d.recipient_kind, problem).inc()

    def _observe_spread(self, round_id: str, region: str) -> None:
        first, last = self.store.spread(round_id)
        metrics.RELEASE_SPREAD.labels(region).set(release_spread(first, last))
