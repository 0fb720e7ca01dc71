"""The use cases the notifier's HTTP API and pages call: answer a placement, read an inbox, and the pages'
reads (a student's released placements, the students placed with an organisation).

Nothing is shown before a round's release moment: a recipient learns of a round only through its own inbox
entry, which is visible from the release, and every round is checked against the embargo again. Imports
the ports, the domain and the event translation; no Flask, Kafka or Redis.
"""

from __future__ import annotations

from dataclasses import dataclass

from stagepool_shared.envelope import Envelope

from . import events, metrics
from .domain.model import ORGANISATION, Contact, InboxEntry, PlaceInfo, Response, RoundInfo, StudentOutcome
from .domain.rules import is_released
from .errors import AlreadyAnswered, DeadlinePassed, DirectoryUnavailable, PlacementNotFound
from .ports import Deps


@dataclass(frozen=True)
class Placement:
    """One released outcome of a student, with the place and the student's answer so far."""

    round: RoundInfo
    outcome: StudentOutcome
    place: PlaceInfo | None
    response: Response | None
    open_for_answer: bool


@dataclass(frozen=True)
class PlacedStudent:
    """A student placed with an organisation in a released round, with contact details (when intake answered)."""

    outcome: StudentOutcome
    place: PlaceInfo | None
    contact: Contact | None
    response: Response | None


@dataclass(frozen=True)
class OrganisationRound:
    round: RoundInfo
    students: list[PlacedStudent]


def answer_placement(deps: Deps, round_id: str, student_ref: str, answer: str,
                     reason_code: str | None = None) -> Envelope:
    """Accept or refuse a released placement. Store pattern A (publish, then store): the answer is published
    and acknowledged by Kafka first (PublishFailed: nothing stored), then recorded.

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


def released_round_ids(deps: Deps, recipient_kind: str, ref: str) -> list[str]:
    """The rounds a recipient has heard of (inbox entries visible now), newest release first."""
    entries = sorted(read_inbox(deps, recipient_kind, ref), key=lambda e: e.visible_from, reverse=True)
    return list(dict.fromkeys(e.round_id for e in entries))


def _released(deps: Deps, round_id: str) -> RoundInfo | None:
    info = deps.store.round(round_id)
    return info if info is not None and is_released(info, deps.clock()) else None


def student_placements(deps: Deps, student_ref: str) -> list[Placement]:
    """A student's outcomes of released rounds, newest first (empty before any release)."""
    found: list[Placement] = []
    now = deps.clock()
    for round_id in released_round_ids(deps, "student", student_ref):
        info = _released(deps, round_id)
        outcome = deps.store.outcome(round_id, student_ref) if info else None
        if info is None or outcome is None:
            continue
        place = deps.store.places([outcome.place_id]).get(outcome.place_id) if outcome.place_id else None
        response = deps.store.response(round_id, student_ref)
        open_for_answer = outcome.status == "placed" and response is None and now <= info.respond_by
        found.append(Placement(info, outcome, place, response, open_for_answer))
    return found


def organisation_students(deps: Deps, organisation_id: str) -> tuple[list[OrganisationRound], bool]:
    """The students placed with an organisation per released round, and whether contact details came through
    (False when intake could not be reached: the students are then shown without them)."""
    rounds: list[OrganisationRound] = []
    for round_id in released_round_ids(deps, "organisation", organisation_id):
        info = _released(deps, round_id)
        if info is not None:
            outcomes = [o for o in deps.store.outcomes_of(round_id, ORGANISATION, organisation_id) if o.is_placed]
            rounds.append(OrganisationRound(info, [PlacedStudent(o, None, None, None) for o in outcomes]))
    refs = sorted({s.outcome.student_ref for r in rounds for s in r.students})
    try:
        contacts, reachable = (deps.directory.contacts(refs) if refs else {}), True
    except DirectoryUnavailable:
        contacts, reachable = {}, False
    places = deps.store.places(sorted({s.outcome.place_id for r in rounds for s in r.students if s.outcome.place_id}))
    return [OrganisationRound(r.round, sorted(
        (PlacedStudent(s.outcome, places.get(s.outcome.place_id or ""), contacts.get(s.outcome.student_ref),
                       deps.store.response(r.round.round_id, s.outcome.student_ref)) for s in r.students),
        key=lambda s: ((s.contact.name if s.contact else "").lower(), s.outcome.student_ref)))
        for r in rounds], reachable
