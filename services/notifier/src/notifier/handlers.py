"""Event handlers of the notifier: one function per event it consumes, the registry `HANDLERS` and `handle`.

place.posted/updated/withdrawn keep the place projection; round.released parts are stored and the round is
planned once every part is in; placement.accepted/refused stop reminders; student.erased drops everything
kept under the pseudonym. Store pattern B (store, then relay): a place, a round part and an erasure are
written with the event's processed marker in one Redis transaction (the store's IdempotentApplier), and an
answer is recorded only when none is; the handlers publish nothing themselves (the senders' events go
through the outbox, see dispatch.py and jobs.relay_outbox). Imports the ports, domain and event
translation; no Flask, Kafka or Redis.
"""

from __future__ import annotations

import logging
from typing import Callable

from stagepool_shared.envelope import Envelope
from stagepool_shared.errors import InvalidEvent

from . import events
from .domain.model import Response
from .domain.rules import plan_round, reminder_due_at
from .ports import Deps

logger = logging.getLogger(__name__)


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


HANDLERS: dict[str, Callable[[Envelope, Deps], None]] = {
    "place.posted": keep_place,
    "place.updated": keep_place,
    "place.withdrawn": withdraw_place,
    "round.released": store_released_part,
    "placement.accepted": record_answer,
    "placement.refused": record_answer,
    "student.erased": erase_student,
}


def handle(envelope: Envelope, deps: Deps) -> None:
    """Dispatch an event to its handler; events of the notifier's topics that it does not act on are
    acknowledged without effect."""
    handler = HANDLERS.get(envelope.event_type)
    if handler is None:
        logger.debug("ignoring %s", envelope.event_type)
        return
    handler(envelope, deps)
