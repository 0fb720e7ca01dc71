"""The use cases the background workers run, besides sending (dispatch.py): schedule due reminders, and
relay the outbox.

The relay is the second half of store pattern B: the senders write each delivery's mark together with its
notification events (the outbox) in one Redis transaction; the relay publishes those events, waiting for
Kafka's ack, and only then removes them from the outbox (a crash in between publishes them again, and
consumers drop the duplicates by event id). Imports the ports, the domain rules and metrics.
"""

from __future__ import annotations

import logging

from . import metrics
from .domain.rules import reminder_deliveries, reminder_still_useful
from .ports import Deps

logger = logging.getLogger(__name__)


def schedule_due_reminders(deps: Deps, limit: int = 500) -> int:
    """Queue a reminder for every placed student who has not answered and whose reminder moment came."""
    now = deps.clock()
    scheduled = 0
    for round_id, student_ref in deps.store.due_reminders(now.timestamp(), limit):
        info = deps.store.round(round_id)
        answered = deps.store.response(round_id, student_ref) is not None
        if info is None or not reminder_still_useful(info, now, answered):
            deps.store.drop_reminder(round_id, student_ref)
            continue
        if deps.store.schedule_reminder(round_id, student_ref, reminder_deliveries(round_id, student_ref),
                                        now.timestamp()):
            scheduled += 1
    if scheduled:
        metrics.REMINDERS.inc(scheduled)
        logger.info("scheduled %d reminders", scheduled)
    return scheduled


def remind(deps: Deps) -> int:
    """The reminder worker's step: schedule what is due, then report idle (0), so that the worker always waits
    its interval (NOTIFIER_REMINDER_INTERVAL_S) before it looks again."""
    schedule_due_reminders(deps)
    return 0


def relay_outbox(deps: Deps, limit: int = 500) -> int:
    """Publish events written to the outbox (waiting for Kafka's ack), then drop them from the outbox."""
    items = deps.store.outbox_peek(limit)
    for topic, envelope in items:
        deps.publisher.publish(envelope, topic=topic)
    if items:
        deps.store.outbox_ack(len(items))
    return len(items)
