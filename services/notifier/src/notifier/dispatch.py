"""Sending: claim due deliveries, compose, send, then mark sent (exactly one effect per delivery record).

The queue only offers a delivery from its round's release moment on (the embargo) and a claimed delivery is
leased, so a crashed sender's work comes back after the lease. Order per delivery: send, then mark sent
with its notification.sent event (store pattern B: the mark and the event, in the outbox, in one store
transaction; jobs.relay_outbox publishes the event). Marks are written in batches: the results of a claimed
batch are kept in memory and written in one store transaction every `mark_batch` messages that left the
process (e-mail, webhook) and at the end of the batch. Inbox entries are written in that same transaction,
so they cost no write and never duplicate. A crash (kill -9) between a send and its mark repeats at most the unmarked
outside messages of the sender thread: at most `mark_batch` per thread, each delivery at most once per
crash. Failures are retried with backoff; a permanent failure or too many attempts is recorded, counted,
published as notification.failed and dead-lettered. Imports the ports, domain, events and metrics.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass, field
from datetime import datetime
from typing import Callable

from . import events, metrics
from .compose import BatchContext, Composer
from .domain.model import (ADDRESS_PROBLEM, EMAIL, FAILED, PENDING, REMINDER, REPORTED_RECIPIENTS, SCHOOL, SENT,
                           SKIPPED, STAFF_NOTES, STUDENT, WITHDRAWN, Delivery, DeliveryId, InboxEntry)
from .domain.rules import RetryPolicy, release_spread
from .errors import DeliveryError, DirectoryUnavailable, Skip
from .ports import (AbstractChannel, AbstractDirectory, AbstractStore, AbstractStoredChannel, DeliveryResult,
                    InboxWrite)

logger = logging.getLogger(__name__)

ADDRESS_PROBLEMS = ("missing_address", "invalid_address", "rejected_address", "unknown_contact")


@dataclass(frozen=True)
class DispatchOptions:
    """How many deliveries a claim takes, how long it holds them, and how many outside messages (e-mail,
    webhook) a sender may send before it writes their marks: the most a crash can make it repeat. The
    default 1 keeps the bound of one repeated message per sender thread; the inbox entries and the other
    results of the batch still ride along with each write."""

    batch_size: int = 50
    lease_s: float = 30.0
    mark_batch: int = 1


class PendingMarks:
    """Results of one claimed batch that are not written yet. Flushed in one store transaction when
    `limit` outside messages wait for their mark, and at the end of the batch (also when it ends in an
    error: what was sent stays sent)."""

    def __init__(self, store: AbstractStore, limit: int):
        self.store = store
        self.limit = max(1, limit)
        self.results: list[DeliveryResult] = []
        self.unmarked = 0  # outside messages sent since the last flush: what a crash now would repeat

    def add(self, result: DeliveryResult, outside: bool = False) -> None:
        self.results.append(result)
        if outside:
            self.unmarked += 1
            if self.unmarked >= self.limit:
                self.flush()

    def flush(self) -> None:
        if self.results:
            self.store.finish(self.results)
        self.results, self.unmarked = [], 0


@dataclass
class Dispatcher:
    """Delivers due messages; several may run in parallel threads or processes."""

    store: AbstractStore
    directory: AbstractDirectory
    channels: dict[str, AbstractChannel]
    composer: Composer
    policy: RetryPolicy
    clock: Callable[[], datetime]
    options: DispatchOptions = field(default_factory=DispatchOptions)

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
            self.store.finish([DeliveryResult(d, PENDING, now + self.policy.base_s, str(err)) for d in batch])
            return len(batch)
        marks = PendingMarks(self.store, self.options.mark_batch)
        try:
            self._deliver_batch(batch, ctx, marks, claimed_at=now)
        finally:
            marks.flush()
        for round_id, info in ctx.rounds.items():
            self._observe_spread(round_id, info.region_id)
        return len(batch)

    def _deliver_batch(self, batch: list[Delivery], ctx: BatchContext, marks: PendingMarks,
                       claimed_at: float) -> None:
        """Deliver the batch in order; hand back what is left when half the lease is gone, so that no
        other sender claims a delivery of this batch before its mark is written."""
        deadline = claimed_at + self.options.lease_s / 2
        for i, delivery in enumerate(batch):
            now = self.clock().timestamp()
            if now > deadline:
                logger.warning("batch took over half its lease; %d deliveries handed back", len(batch) - i)
                for rest in batch[i:]:
                    marks.add(DeliveryResult(rest, PENDING, now, rest.last_error))
                return
            self.deliver(delivery, ctx, marks)

    def deliver(self, delivery: Delivery, ctx: BatchContext, marks: PendingMarks) -> None:
        """Compose and send one delivery, then add its result to the batch's marks."""
        attempt = delivery.attempted()
        d = attempt.id
        inbox: tuple[InboxWrite, ...] = ()
        try:
            answered = d.kind == REMINDER and self.store.response(d.round_id, d.ref) is not None
            composed = self.composer.compose(d, ctx, answered=answered,
                                             patient=not self.policy.gives_up(attempt.attempts))
            channel = self.channels[d.channel]
            if isinstance(channel, AbstractStoredChannel):
                inbox = (channel.entry(d, composed.address, composed.message, composed.data),)
            else:
                channel.send(d, composed.address, composed.message, composed.data)
        except Skip as skip:
            marks.add(DeliveryResult(attempt, SKIPPED, self.clock().timestamp(), str(skip)))
            return
        except DeliveryError as err:
            self._failed(attempt, err, ctx, marks)
            return
        region = ctx.rounds[d.round_id].region_id
        sent = events.notification_sent(attempt, region, _recipient_ref(d, ctx))
        reported = ((None, sent),) if d.recipient_kind in REPORTED_RECIPIENTS else ()
        marks.add(DeliveryResult(attempt, SENT, self.clock().timestamp(), events=reported, inbox=inbox),
                  outside=not inbox)
        metrics.MESSAGES_SENT.labels(d.channel).inc()

    def _failed(self, attempt: Delivery, err: DeliveryError, ctx: BatchContext, marks: PendingMarks) -> None:
        d = attempt.id
        now = self.clock().timestamp()
        if not err.permanent and not self.policy.gives_up(attempt.attempts):
            metrics.RETRIES.labels(d.channel).inc()
            marks.add(DeliveryResult(attempt, PENDING, now + self.policy.delay_after(attempt.attempts), err.reason))
            return
        info = ctx.rounds.get(d.round_id)
        region = info.region_id if info else "unknown"
        failed = events.notification_failed(attempt, region, err.reason, _recipient_ref(d, ctx))
        report: tuple[InboxWrite, ...] = ()
        if err.reason in ADDRESS_PROBLEMS and d.channel == EMAIL and d.kind in (STUDENT, REMINDER, WITHDRAWN):
            report = self._report_to_school(d, err.reason, ctx)
        reported = ((None, failed), events.failure_dead_letter(failed, attempt))
        marks.add(DeliveryResult(attempt, FAILED, now, err.reason,
                                 events=reported if d.recipient_kind in REPORTED_RECIPIENTS else (), inbox=report))
        metrics.MESSAGES_FAILED.labels(d.channel).inc()
        logger.warning("delivery %s failed after %d attempt(s): %s", d.suffix, attempt.attempts, err.reason)

    def _report_to_school(self, d: DeliveryId, problem: str, ctx: BatchContext) -> tuple[InboxWrite, ...]:
        """A student who cannot be e-mailed is reported to the school's inbox, never silently skipped: the
        entry to write with the failed delivery's mark."""
        outcome = ctx.outcomes.get((d.round_id, d.ref))
        info = ctx.rounds.get(d.round_id)
        if outcome is None or info is None:
            return ()
        entry = InboxEntry(delivery=f"{d.suffix}:{ADDRESS_PROBLEM}", round_id=d.round_id,
                           message_kind=ADDRESS_PROBLEM, subject="", body="", visible_from=info.released_at,
                           created_at=self.clock(), detail=problem)  # the text, with the name, when read
        metrics.INVALID_ADDRESSES.labels(d.recipient_kind, problem).inc()
        return ((SCHOOL, outcome.school_id, entry),)

    def _observe_spread(self, round_id: str, region: str) -> None:
        first, last = self.store.spread(round_id)
        metrics.RELEASE_SPREAD.labels(region).set(release_spread(first, last))


def _recipient_ref(d: DeliveryId, ctx: BatchContext) -> str:
    """Who a notification event names: the school for a school's note about a student, else the delivery's ref."""
    outcome = ctx.outcomes.get((d.round_id, d.ref)) if d.kind in STAFF_NOTES else None
    return outcome.school_id if outcome is not None and d.recipient_kind == SCHOOL else d.ref
