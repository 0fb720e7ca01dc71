"""Intake's event handlers: `verb_noun(envelope, deps)`, and the registry `HANDLERS` at the bottom.

Intake consumes round.released, after which the notifier may ask for the released students' contact data,
and the placement events: with the release they make each student's placement status the school sees
(issue 14.8: placed where, the answer, the follow-up). The store writes the processed marker and the state in
one MULTI/EXEC (pattern B without an outbox: these handlers publish nothing), so a redelivered event changes
nothing. The matcher's offer of candidates to a variant-2 student (`candidates.offered`, issue 15.3) replaces
the student's offer of that period: writing the same offer again changes nothing. Imports the ports, the status
rules and the shared event dataclasses.
"""

from __future__ import annotations

import logging
from typing import Callable

from stagepool_shared.envelope import Envelope
from stagepool_shared.events.placements import (PlacementAccepted, PlacementFailed, PlacementRef, PlacementRefused,
                                                ReplacementRequested)
from stagepool_shared.events.rounds import RoundReleased
from stagepool_shared.events.variants import CandidatesOffered

from .domain import status as rules
from .domain.status import PlacementStatus
from .ports import Deps, Statuses

logger = logging.getLogger(__name__)


def record_release(envelope: Envelope, deps: Deps) -> None:
    """round.released: remember which students may now be contacted, and the places they were placed at
    (whose contact person the notifier may now learn), once per event."""
    payload = envelope.payload
    applied = isinstance(payload, RoundReleased) and deps.store.mark_released(
        envelope.event_id, sorted({o.student_ref for o in payload.outcomes}),
        sorted({o.place_id for o in payload.outcomes if o.place_id and o.status in ("placed", "kept")}))
    logger.info("%s %s", envelope.event_type, "recorded" if applied else "already recorded")


def record_outcomes(envelope: Envelope, deps: Deps) -> None:
    """round.released: each released student's current outcome for the period (the latest round wins)."""
    released: RoundReleased = envelope.payload
    news = {o.student_ref: PlacementStatus(released.period_id, released.round_id, released.released_at,
                                           released.respond_by, o.status, o.place_id, o.organisation_id,
                                           o.reason_code) for o in released.outcomes}

    def change(current: Statuses) -> Statuses:
        return {ref: {new.period_id: rules.released(current[ref].get(new.period_id),
                                                     rules.with_pending_answer(new, current[ref]))}
                for ref, new in news.items()}

    deps.store.change_placement_statuses(envelope.event_id + ":status", sorted(news), change)


def release(envelope: Envelope, deps: Deps) -> None:
    """round.released: the students may be contacted, and the school sees their outcome."""
    record_release(envelope, deps)
    record_outcomes(envelope, deps)


ANSWERS = {"placement.accepted": "accepted", "placement.refused": "refused", "placement.failed": "failed"}


def record_answer(envelope: Envelope, deps: Deps) -> None:
    """placement.accepted / refused / failed: the answer (with its reason) on the placement it was given to."""
    ref: PlacementRef = envelope.payload
    reason = ref.reason_code if isinstance(ref, (PlacementRefused, PlacementFailed)) else None
    answer = ANSWERS[envelope.event_type] if isinstance(ref, (PlacementAccepted, PlacementRefused,
                                                              PlacementFailed)) else None

    def change(current: Statuses) -> Statuses:
        periods = current.get(ref.student_ref, {})
        return {ref.student_ref: rules.answer_changes(periods, ref.round_id, ref.place_id, answer or "", reason)}

    if answer is not None:
        deps.store.change_placement_statuses(envelope.event_id + ":status", [ref.student_ref], change)


def record_replacement(envelope: Envelope, deps: Deps) -> None:
    """placement.replacement_requested: the school sees that a new place is being sought in the period."""
    request: ReplacementRequested = envelope.payload

    def change(current: Statuses) -> Statuses:
        found = current.get(request.student_ref, {}).get(request.period_id)
        return {request.student_ref: {request.period_id: rules.replacement_requested(found)}} if found else {}

    deps.store.change_placement_statuses(envelope.event_id + ":status", [request.student_ref], change)


def record_offer(envelope: Envelope, deps: Deps) -> None:
    """candidates.offered: the candidates a variant-2 student may choose from (the latest offer counts)."""
    offer: CandidatesOffered = envelope.payload
    if deps.planning is not None:
        deps.planning.put_candidates(offer.student_ref, offer.period_id, offer.place_ids)


def ignore(envelope: Envelope, deps: Deps) -> None:
    """The other round events: acknowledged without effect."""
    logger.debug("ignoring %s", envelope.event_type)


HANDLERS: dict[str, Callable[[Envelope, Deps], None]] = {
    "round.released": release, "placement.accepted": record_answer, "placement.refused": record_answer,
    "placement.failed": record_answer, "placement.replacement_requested": record_replacement,
    "candidates.offered": record_offer}


def handle(envelope: Envelope, deps: Deps) -> None:
    """Dispatch by event type; event types intake does not act on are acknowledged and ignored."""
    HANDLERS.get(envelope.event_type, ignore)(envelope, deps)
