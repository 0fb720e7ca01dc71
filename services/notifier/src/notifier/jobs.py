"""The use cases the background workers run, besides sending (dispatch.py): schedule due reminders and the
schools' notes of passed answer deadlines, and relay the outbox.

The deadline rule (docs/notifier.md): a placed student who has not answered gets a reminder
NOTIFIER_REMINDER_LEAD_S before `respond_by`; when `respond_by` passes without an answer, the school is told
once (e-mail, webhook, inbox). The placement is never dropped silently.

The relay is the second half of store pattern B: the senders write each delivery's mark together with its
notification events (the outbox) in one Redis transaction; the relay publishes those events, waiting for
Kafka's ack, and only then removes them from the outbox (a crash in between publishes them again, and
consumers drop the duplicates by event id). With N instances, the reminder scheduler and the relay each run
on one instance at a time, under a lease (stagepool_shared.lease, wired in bootstrap.py). Imports the ports,
the domain rules and metrics.
"""

from __future__ import annotations

import logging
from datetime import datetime
from itertools import groupby

from prometheus_client import Counter

from . import commands, metrics
from .domain.rules import overdue_deliveries, overdue_notice_due, reminder_deliveries, reminder_still_useful
from .ports import Deps

logger = logging.getLogger(__name__)

RETENTION_IDLE_S = 3600.0  # the retention step (issue 20.7) looks once an hour


def schedule_due_reminders(deps: Deps, limit: int = 500) -> int:
    """Queue a reminder for every placed student who has not answered and whose reminder moment came (only
    for the current outcome: a superseded, excluded or withdrawn placement is not reminded)."""
    now = deps.clock()
    due = deps.store.due_reminders(now.timestamp(), limit)
    return _counted(sum(_schedule_reminder(deps, now, *member) for member in due),
                    metrics.REMINDERS, "scheduled %d reminders")


def schedule_overdue_notices(deps: Deps, limit: int = 500) -> int:
    """Queue the school's note for every placed student whose answer deadline passed without an answer."""
    now = deps.clock()
    due = deps.store.due_overdue(now.timestamp(), limit)
    return _counted(sum(_schedule_overdue_notice(deps, now, *member) for member in due),
                    metrics.OVERDUE, "told schools of %d unanswered placements")


def _counted(scheduled: int, counter: Counter, message: str) -> int:
    if scheduled:
        counter.inc(scheduled)
        logger.info(message, scheduled)
    return scheduled


def _schedule_reminder(deps: Deps, now: datetime, round_id: str, student_ref: str) -> bool:
    info = deps.store.round(round_id)
    answered = not commands.still_open(deps, round_id, student_ref)
    if info is None or not reminder_still_useful(info, now, answered):
        deps.store.drop_reminder(round_id, student_ref)
        return False
    return deps.store.schedule_reminder(round_id, student_ref, reminder_deliveries(round_id, student_ref),
                                        now.timestamp())


def _schedule_overdue_notice(deps: Deps, now: datetime, round_id: str, student_ref: str) -> bool:
    info = deps.store.round(round_id)
    if info is not None and now <= info.respond_by:
        return False  # exactly at the deadline: an answer is still accepted, so the member waits
    if info is None or not overdue_notice_due(info, now, commands.still_open(deps, round_id, student_ref)):
        deps.store.drop_overdue(round_id, student_ref)
        return False
    return deps.store.schedule_overdue(round_id, student_ref, overdue_deliveries(round_id, student_ref),
                                       now.timestamp())


def forget_old_rounds(deps: Deps, retention_days: int) -> int:
    """Retention (R155, issue 20.7): delete the delivery data (deliveries, inbox entries, outcomes, answers) of
    every round released more than `retention_days` ago; returns how many rounds. Deleting twice does no harm,
    so the step needs no lease."""
    moment = deps.clock().timestamp() - retention_days * 86400
    old = deps.store.rounds_released_before(moment)
    for round_id in old:
        deps.store.forget_round(round_id)
    if old:
        logger.info("retention: the delivery data of %d rounds deleted", len(old))
    return len(old)


def remind(deps: Deps) -> int:
    """The reminder worker's step: schedule the reminders and deadline notes that are due, then report idle
    (0), so that the worker always waits its interval (NOTIFIER_REMINDER_INTERVAL_S) before it looks again."""
    schedule_due_reminders(deps)
    schedule_overdue_notices(deps)
    return 0


def relay_outbox(deps: Deps, limit: int = 500) -> int:
    """Publish events written to the outbox (waiting for Kafka's ack), then drop exactly those from the outbox.

    With N instances, `Wiring.workers()` runs this under the outbox lease, so one instance relays at a time
    (no event is published twice); the removal by event id keeps an instance that overran its lease from
    removing entries it never published (none is lost)."""
    items = deps.store.outbox_peek(limit)
    for topic, run in groupby(items, key=lambda item: item[0]):  # in order; one wait for the acks per run
        deps.publisher.publish_all([envelope for _, envelope in run], topic=topic)
    deps.store.outbox_ack(items)
    return len(items)
