"""Event handlers of the notifier: one function per event it consumes, the registry `HANDLERS` and `handle`.

place.posted/updated keep the place projection; place.withdrawn also queues the notes of a place withdrawn
after release; round.released parts are stored and the round is
planned once every part is in; placement.accepted/refused stop reminders; placement.failed/replacement_requested
record the student's exclusions; contact.task_opened, introduction.proposed, agreement.status_changed and
evaluation.opened send their e-mails (contact_tasks.py, party_mails.py); student.erased drops everything kept under the pseudonym. Store pattern B (store, then relay): a place, a round part and an erasure are
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

from . import commands, events, metrics
from .domain.model import DeliveryId, Response
from .domain.rules import plan_round, reminder_due_at, told_of_withdrawal, withdrawal_deliveries
from .ports import Deps

logger = logging.getLogger(__name__)


def keep_place(envelope: Envelope, deps: Deps) -> None:
    deps.store.save_place(envelope.event_id, events.place_info(envelope.payload))


def withdraw_place(envelope: Envelope, deps: Deps) -> None:
    """A place withdrawn after release: every student whose current, released placement it is (and who did
    not refuse it) is told, and so are the school and the region's coordinators, from now; the notes are
    queued with the withdrawal and its processed marker in one transaction, so each goes out once."""
    place_id = envelope.payload.place_id
    now = deps.clock()
    notices = [d for round_id, ref in deps.store.placed_at(place_id) for d in _withdrawal_notices(deps, round_id, ref)]
    if deps.store.withdraw_place(envelope.event_id, place_id, notices, now.timestamp()) and notices:
        metrics.WITHDRAWALS.inc(len({(d.round_id, d.ref) for d in notices}))
        logger.info("place %s withdrawn after release: %d notes queued", place_id, len(notices))


def _withdrawal_notices(deps: Deps, round_id: str, student_ref: str) -> list[DeliveryId]:
    info, outcome = deps.store.round(round_id), deps.store.outcome(round_id, student_ref)
    if info is None or outcome is None:
        return []
    current = commands.is_current(deps, info, student_ref)
    if not told_of_withdrawal(info, outcome, deps.store.response(round_id, student_ref), current, deps.clock()):
        return []
    return withdrawal_deliveries(round_id, student_ref)


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


def record_exclusions(envelope: Envelope, deps: Deps) -> None:
    """A re-placement request names the organisations and places the student may never be placed with again
    (a desk report, a refusal); a failed placement excludes its organisation. The student can then never
    accept a place there (commands.answer_placement)."""
    payload = envelope.payload
    if envelope.event_type == "placement.failed":
        orgs, place_ids = [payload.organisation_id], [payload.place_id]
    else:
        orgs, place_ids = list(payload.exclude_organisation_ids), list(payload.exclude_place_ids)
    deps.store.exclude(envelope.event_id, payload.student_ref, orgs, place_ids)


def send_mail(envelope: Envelope, deps: Deps) -> None:
    """An event that asks for an e-mail (a contact-moment reminder, issue 20.4; the kennismaking to confirm, the
    POK to sign, the end evaluation, issue 20): its mailer sends it, once per addressee (`Deps.mailers`)."""
    mailer = deps.mailers.get(envelope.event_type)
    if mailer is not None:
        mailer(envelope.payload)


def erase_student(envelope: Envelope, deps: Deps) -> None:
    deps.store.erase_student(envelope.event_id, envelope.payload.student_ref)


HANDLERS: dict[str, Callable[[Envelope, Deps], None]] = {
    "place.posted": keep_place,
    "place.updated": keep_place,
    "place.withdrawn": withdraw_place,
    "round.released": store_released_part,
    "placement.accepted": record_answer,
    "placement.refused": record_answer,
    "placement.failed": record_exclusions,
    "placement.replacement_requested": record_exclusions,
    "student.erased": erase_student,
    "contact.task_opened": send_mail,
    "introduction.proposed": send_mail,
    "agreement.status_changed": send_mail,
    "evaluation.opened": send_mail,
}


def handle(envelope: Envelope, deps: Deps) -> None:
    """Dispatch an event to its handler; events of the notifier's topics that it does not act on are
    acknowledged without effect."""
    handler = HANDLERS.get(envelope.event_type)
    if handler is None:
        logger.debug("ignoring %s", envelope.event_type)
        return
    handler(envelope, deps)
