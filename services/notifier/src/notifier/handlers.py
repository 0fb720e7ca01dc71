"""Use cases of the notifier: one function per event it consumes and per command it answers.

Events: place.posted/updated/withdrawn keep the place projection; round.released parts are stored and the
round is planned once every part is in; placement.accepted/refused stop reminders; student.erased drops
everything kept under the pseudonym. Commands: answer a placement (accept/refuse), read an inbox, schedule
due reminders. Imports the ports, domain and event translation; no Flask, Kafka or Redis.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any, Callable

from stagepool_shared.envelope import Envelope
from stagepool_shared.errors import InvalidEvent

from . import events, metrics
from .domain.model import InboxEntry, Response
from .domain.rules import is_released, plan_round, reminder_deliveries, reminder_due_at, reminder_still_useful
from .errors import AlreadyAnswered, DeadlinePassed, PlacementNotFound
from .ports import AbstractStore

logger = logging.getLogger(__name__)


@dataclass
class Deps:
    """What the handlers work with."""

    store: AbstractStore
    publisher: Any  # EventPublisher or FakePublisher: publish(envelope, topic=None)
    clock: Callable[[], datetime]
    reminder_lead: timedelta = timedelta(hours=48)


# ------------------------------------------------------------------ events
def keep_place(envelope: Envelope, deps: Deps) -> None:
    deps.store.save_place(envelope.event_id, events.place_info(envelope.payload))


def withdraw_place(envelope: Envelope, deps: Deps) -> None:
    deps.store.withdraw_place(envelope.event_id, envelope.payload.place_id)


def store_released_part(envelope: Envelope, deps: Deps) -> None:
    """Store one part of a released round; the part that completes the round plans every delivery, each due
    at the release moment (so nothing goes out earlier, whenever the event arrives)."""
    released = envelope.payload
    if released.part > released.parts:
        raise InvalidEvent(f"part {released.part} of {released.parts} is out of range", event_type=envelope.event_type)
    info = events.round_info(released)
    outcomes = [events.student_outcome(o) for o in released.outcomes]
    reminder_at = reminder_due_at(info, deps.reminder_lead).timestamp()
    stored = deps.store.add_round_part(envelope.event_id, info, released.part, released.parts, outcomes,
                                       reminder_at, plan_round)
    logger.info("round %s part %d/%d %s", info.round_id, released.part, released.parts,
                "stored" if stored else "seen before")


def record_answer(envelope: Envelope, deps: Deps) -> None:
    """An answer (from our API or replayed from the log) stops the student's reminders."""
    payload = envelope.payload
    kind = "accepted" if envelope.event_type == "placement.accepted" else "refused"
    if deps.store.response(payload.round_id, payload.student_ref) is None:
        deps.store.save_response(payload.round_id, payload.student_ref,
                                 Response(kind, envelope.event_id, getattr(payload, "reason_code", None)))


def erase_student(envelope: Envelope, deps: Deps) -> None:
    deps.store.erase_student(envelope.event_id, envelope.payload.student_ref)


def ignore(envelope: Envelope, deps: Deps) -> None:
    """Events of the notifier's topics that it does not act on."""
    logger.debug("ignoring %s", envelope.event_type)


HANDLERS: dict[str, Callable[[Envelope, Deps], None]] = {
    "place.posted": keep_place,
    "place.updated": keep_place,
    "place.withdrawn": withdraw_place,
    "round.released": store_released_part,
    "placement.accepted": record_answer,
    "placement.refused": record_answer,
    "student.erased": erase_student,
}


def handle_event(envelope: Envelope, deps: Deps) -> None:
    """Dispatch an event to its handler (events the notifier does not need are acknowledged)."""
    HANDLERS.get(envelope.event_type, ignore)(envelope, deps)


# ------------------------------------------------------------------ commands
def answer_placement(deps: Deps, round_id: str, student_ref: str, answer: str,
                     reason_code: str | None = None) -> Envelope:
    """Accept or refuse a released placement: publish the answer (after Kafka's ack), then record it.

    Idempotent: the same answer again returns the same event; the other answer after one is 409.
    """
    info = deps.store.round(round_id)
    outcome = deps.store.outcome(round_id, student_ref)
    now = deps.clock()
    if info is None or outcome is None or not is_released(info, now) or outcome.status != "placed":
        raise PlacementNotFound(round_id)
    previous = deps.store.response(round_id, student_ref)
    if previous is not None and previous.kind != answer:
        raise AlreadyAnswered(previous.kind)
    envelope = events.answer_event(answer, outcome, info, reason_code)
    if previous is not None:
        return envelope
    if now > info.respond_by:
        raise DeadlinePassed(round_id)
    deps.publisher.publish(envelope)
    deps.store.save_response(round_id, student_ref, Response(answer, envelope.event_id, reason_code))
    metrics.ANSWERS.labels(answer).inc()
    return envelope


def read_inbox(deps: Deps, recipient_kind: str, ref: str) -> list[InboxEntry]:
    """A recipient's messages that are visible now (nothing before the release moment)."""
    now = deps.clock()
    return [e for e in deps.store.inbox(recipient_kind, ref) if e.visible_from <= now]


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
