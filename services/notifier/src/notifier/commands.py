"""The use cases the notifier's HTTP API and pages call: answer a placement, read an inbox, and the pages'
reads (a student's current outcome per period with earlier rounds as history, the students placed with an
organisation).

One current outcome per student and period: the outcome of the latest released round of that period that
holds the student (domain.rules.current_rounds). Only that outcome can be answered, and never when its place
or organisation was excluded for the student or the place was withdrawn.

Nothing is shown before a round's release moment: a recipient learns of a round only through its own inbox
entry, which is visible from the release, and every round is checked against the embargo again. Imports
the ports, the domain and the event translation; no Flask, Kafka or Redis.
"""

from __future__ import annotations

from dataclasses import dataclass

from stagepool_shared.envelope import Envelope

from . import events, metrics
from .domain.model import ORGANISATION, Contact, InboxEntry, PlaceInfo, Response, RoundInfo, StudentOutcome
from .domain.rules import current_rounds, is_released
from .errors import (AlreadyAnswered, DeadlinePassed, DirectoryUnavailable, NotCurrentOutcome, NotifierError,
                     PlacementExcluded, PlacementNotFound, PlaceWithdrawn)
from .ports import Deps


@dataclass(frozen=True)
class Placement:
    """One released outcome of a student, with the place and the student's answer so far."""

    round: RoundInfo
    outcome: StudentOutcome
    place: PlaceInfo | None
    response: Response | None
    open_for_answer: bool
    current: bool = True
    excluded: bool = False
    withdrawn: bool = False


@dataclass(frozen=True)
class PeriodOutcomes:
    """A student's current outcome of one period, and the outcomes of earlier rounds (history only)."""

    period_id: str
    current: Placement
    history: list[Placement]


@dataclass(frozen=True)
class PlacedStudent:
    """A student whose current released outcome places them with an organisation: the round of that outcome,
    the place, the contact details (when intake answered) and the student's answer so far."""

    round: RoundInfo
    outcome: StudentOutcome
    place: PlaceInfo | None
    contact: Contact | None
    response: Response | None


def answer_placement(deps: Deps, round_id: str, student_ref: str, answer: str,
                     reason_code: str | None = None) -> Envelope:
    """Accept or refuse a released placement. Store pattern A (publish, then store): the answer is published
    and acknowledged by Kafka first (PublishFailed: nothing stored), then recorded.

    Only the student's current outcome can be answered (NotCurrentOutcome), never a place or organisation
    excluded for the student (PlacementExcluded) or a withdrawn place (PlaceWithdrawn). Idempotent: the same
    answer again returns the same event; the other answer after one is 409.
    """
    info = deps.store.round(round_id)
    outcome = deps.store.outcome(round_id, student_ref)
    now = deps.clock()
    if info is None or outcome is None or not is_released(info, now) or not outcome.is_placed:
        raise PlacementNotFound(round_id)
    _check_answerable(deps, info, outcome)
    answered_in, previous = effective_response(deps, info, outcome)
    if previous is not None and previous.kind != answer:
        raise AlreadyAnswered(previous.kind)
    if previous is not None:  # the same answer again: the same event (of the round it was given in)
        return events.answer_event(answer, deps.store.outcome(answered_in.round_id, student_ref) or outcome,
                                   answered_in, reason_code)
    envelope = events.answer_event(answer, outcome, info, reason_code)
    if now > info.respond_by:
        raise DeadlinePassed(round_id)
    deps.publisher.publish(envelope)
    deps.store.save_response(round_id, student_ref, Response(answer, envelope.event_id, reason_code))
    metrics.ANSWERS.labels(answer).inc()
    return envelope


def _check_answerable(deps: Deps, info: RoundInfo, outcome: StudentOutcome) -> None:
    if not is_current(deps, info, outcome.student_ref):
        raise NotCurrentOutcome(info.round_id)
    if deps.store.exclusions(outcome.student_ref).excludes(outcome):
        raise PlacementExcluded(info.round_id)
    if outcome.place_id and deps.store.withdrawn_places([outcome.place_id]):
        raise PlaceWithdrawn(info.round_id)


def effective_response(deps: Deps, info: RoundInfo, outcome: StudentOutcome) -> tuple[RoundInfo, Response | None]:
    """The student's answer to this placement and the round it was given in. A placement that a later round
    kept (status kept, same place) carries the answer given to it in an earlier round of the period."""
    response = deps.store.response(info.round_id, outcome.student_ref)
    if response is not None or outcome.status != "kept":
        return info, response
    for earlier in _released_rounds(deps, outcome.student_ref):
        if earlier.period_id != info.period_id or earlier.released_at > info.released_at or earlier == info:
            continue
        before = deps.store.outcome(earlier.round_id, outcome.student_ref)
        answer = deps.store.response(earlier.round_id, outcome.student_ref)
        if before is not None and before.place_id == outcome.place_id and answer is not None:
            return earlier, answer
    return info, None


def still_open(deps: Deps, round_id: str, student_ref: str) -> bool:
    """Whether this placement still waits for the student's answer: released, current, placed or kept, not
    answered (also not in an earlier round that it keeps), neither excluded nor withdrawn. The reminder and
    the deadline note are only for such placements."""
    info, outcome = deps.store.round(round_id), deps.store.outcome(round_id, student_ref)
    if info is None or outcome is None or not outcome.is_placed or not is_released(info, deps.clock()):
        return False
    try:
        _check_answerable(deps, info, outcome)
    except NotifierError:
        return False
    return effective_response(deps, info, outcome)[1] is None


def is_current(deps: Deps, info: RoundInfo, student_ref: str) -> bool:
    """Whether this round holds the student's current outcome of its period."""
    return current_round_ids(deps, student_ref).get(info.period_id) == info.round_id


def _released_rounds(deps: Deps, student_ref: str) -> list[RoundInfo]:
    """The released rounds that hold the student, newest release first."""
    now = deps.clock()
    found = [info for rid in deps.store.student_rounds(student_ref)
             if (info := deps.store.round(rid)) is not None and is_released(info, now)]
    return sorted(found, key=lambda i: (i.released_at, i.round_id), reverse=True)


def current_round_ids(deps: Deps, student_ref: str) -> dict[str, str]:
    """Per period, the id of the round that holds the student's current outcome (also read by the
    withdrawal handler and the deadline job)."""
    return {period: info.round_id for period, info in
            current_rounds(_released_rounds(deps, student_ref), deps.clock()).items()}


def read_inbox(deps: Deps, recipient_kind: str, ref: str) -> list[InboxEntry]:
    """A recipient's messages that are visible now (nothing before the release moment), their text written
    now with the names intake gives (the store keeps none: issue 19.4)."""
    visible = _visible_entries(deps, recipient_kind, ref)
    return deps.render_inbox(visible) if deps.render_inbox is not None else visible


def _visible_entries(deps: Deps, recipient_kind: str, ref: str) -> list[InboxEntry]:
    now = deps.clock()
    return [e for e in deps.store.inbox(recipient_kind, ref) if e.visible_from <= now]


def released_round_ids(deps: Deps, recipient_kind: str, ref: str) -> list[str]:
    """The rounds a recipient has heard of (inbox entries visible now), newest release first."""
    entries = sorted(_visible_entries(deps, recipient_kind, ref), key=lambda e: e.visible_from, reverse=True)
    return list(dict.fromkeys(e.round_id for e in entries))


def _released(deps: Deps, round_id: str) -> RoundInfo | None:
    info = deps.store.round(round_id)
    return info if info is not None and is_released(info, deps.clock()) else None


def student_periods(deps: Deps, student_ref: str) -> list[PeriodOutcomes]:
    """A student's released outcomes per period: the current one and earlier rounds as history (newest
    first; empty before any release). Only the current outcome may be open for an answer."""
    now = deps.clock()
    rounds = _released_rounds(deps, student_ref)
    current = {info.round_id for info in current_rounds(rounds, now).values()}
    exclusions = deps.store.exclusions(student_ref)
    outcomes = {info.round_id: o for info in rounds if (o := deps.store.outcome(info.round_id, student_ref))}
    place_ids = sorted({o.place_id for o in outcomes.values() if o.place_id})
    places, withdrawn = deps.store.places(place_ids), deps.store.withdrawn_places(place_ids)
    periods: dict[str, list[Placement]] = {}
    for info in rounds:
        outcome = outcomes.get(info.round_id)
        if outcome is None:
            continue
        response = effective_response(deps, info, outcome)[1]
        is_current, excluded = info.round_id in current, exclusions.excludes(outcome)
        is_withdrawn = outcome.place_id in withdrawn
        open_for_answer = (is_current and not excluded and not is_withdrawn and outcome.is_placed
                           and response is None and now <= info.respond_by)
        periods.setdefault(info.period_id, []).append(Placement(
            info, outcome, places.get(outcome.place_id or ""), response, open_for_answer, is_current, excluded,
            is_withdrawn))
    return [PeriodOutcomes(period, found[0], found[1:]) for period, found in periods.items()]


def current_outcomes(deps: Deps, student_ref: str) -> list[Placement]:
    """The student's current outcome of each period (newest release first)."""
    return [p.current for p in student_periods(deps, student_ref)]


def organisation_students(deps: Deps, organisation_id: str) -> tuple[list[PlacedStudent], bool]:
    """The students placed with an organisation, once each: those whose current outcome (the latest released
    round of its period that holds them) places them there, by name. Contact details come from intake only
    for these students, after release; the bool is False when intake could not be reached (the students are
    then shown without them)."""
    current = _current_with_organisation(deps, organisation_id)
    try:
        contacts, reachable = (deps.directory.contacts(sorted(current)) if current else {}), True
    except DirectoryUnavailable:
        contacts, reachable = {}, False
    places = deps.store.places(sorted({o.place_id for _, o in current.values() if o.place_id}))
    students = [PlacedStudent(info, o, places.get(o.place_id or ""), contacts.get(ref),
                              effective_response(deps, info, o)[1]) for ref, (info, o) in current.items()]
    students.sort(key=lambda s: ((s.contact.name if s.contact else "").lower(), s.outcome.student_ref))
    return students, reachable


def _current_with_organisation(deps: Deps, organisation_id: str) -> dict[str, tuple[RoundInfo, StudentOutcome]]:
    """Per student, the released round and outcome placing them with the organisation, when it is the
    student's current outcome (newest round first, so a student kept over rounds counts once)."""
    current: dict[str, tuple[RoundInfo, StudentOutcome]] = {}
    for round_id in released_round_ids(deps, ORGANISATION, organisation_id):
        info = _released(deps, round_id)
        if info is None:
            continue
        for outcome in deps.store.outcomes_of(round_id, ORGANISATION, organisation_id):
            ref = outcome.student_ref
            if outcome.is_placed and ref not in current and is_current(deps, info, ref):
                current[ref] = (info, outcome)
    return current
