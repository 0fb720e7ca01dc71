"""The matcher's commands: the use cases the HTTP API and the pages call, `verb_noun(deps, principal, ...)`.

Request a round, approve it, object to a match, schedule its release, compare two rounds, who may see
what, and the names and places of the review page (names asked of intake per page view, never stored). Writing
commands follow pattern A, *publish, then store*: check the rule, publish the event and wait for Kafka's
ack (PublishFailed -> 503 and nothing stored), then apply it locally with the same event id, so the
consumer's later delivery of that event is a no-op and a read right after the command already sees it.
Imports the shared auth/envelope/events, the handlers, the ports and the service layer (matcher.rounds).
"""

from __future__ import annotations

import secrets
import uuid
from datetime import datetime
from typing import Any, Iterable

from stagepool_shared.auth import Principal
from stagepool_shared.envelope import Envelope, new_envelope
from stagepool_shared.events.places import Place
from stagepool_shared.events.rounds import (CANDIDATES, FINAL, Outcome, RoundApproved, RoundObjected,
                                            RoundReleaseScheduled, RoundRequested)

from . import handlers, replacement
from .errors import RoundConflict, RoundNotFound, StudentNamesUnavailable
from .ports import Deps, StudentName
from .rounds.approval import ApprovalState, approval_state, may_approve
from .rounds.moments import iso
from .rounds.objection import Objection, objection_of
from .rounds.movement import Movement, movement
from .rounds.parts import PRODUCER
from .rounds.record import RoundRecord
from .rounds.summary import rate_changes
from .rounds.variant2 import OFFERED

STAFF = ("school_staff", "support_staff")
REVIEWED_STATUSES = ("proposed", "released")


def _publish(deps: Deps, event_type: str, payload: object, region_id: str) -> Envelope:
    env = new_envelope(event_type, payload, producer=PRODUCER, partition_key=region_id)
    deps.publisher.publish_all([env])
    return env


def request_round(deps: Deps, principal: Principal, region_id: str, period_id: str, kind: str,
                  sector: str | None = None, seed: int | None = None, previous_round_id: str | None = None) -> str:
    """Publish round.requested for the coordinator's own region; the consumer computes the proposal. A round
    it follows on from must be a round of that region too (another region's or an unknown one: 404). A final
    round (variant 2) finishes a computed candidates round of the same period, with its seed and sector."""
    if principal.scope != region_id:
        raise RoundNotFound(region_id)
    previous = deps.store.get_round(previous_round_id) if previous_round_id else None
    if previous_round_id and (previous is None or previous.request.region_id != region_id):
        raise RoundNotFound(previous_round_id)
    if kind == FINAL:
        check_finishes(previous, period_id)
        assert previous is not None
        seed, sector = previous.request.seed, previous.request.sector
    round_id = f"rnd-{period_id[:40]}-{uuid.uuid4().hex[:12]}"
    request = RoundRequested(round_id, region_id, period_id, secrets.randbelow(2**31) if seed is None else seed,
                             principal.user_id, kind, sector, previous_round_id)
    env = _publish(deps, "round.requested", request, region_id)
    deps.store.note_requested(request, env.occurred_at)
    return round_id


def check_finishes(candidates: RoundRecord | None, period_id: str) -> None:
    """A final round names a candidates round of its period whose offers were made (RoundConflict if not)."""
    field = "previous_round_id"
    if candidates is None:
        raise RoundConflict("A final round finishes a candidates round.", {field: ["Name the candidates round."]})
    if candidates.request.kind != CANDIDATES or candidates.request.period_id != period_id:
        raise RoundConflict("A final round finishes a candidates round of the same period.",
                            {field: [f"{candidates.round_id} is no candidates round of period {period_id}."]})
    if candidates.status != OFFERED:
        raise RoundConflict("The candidates round has not made its offers yet.",
                            {field: [f"{candidates.round_id} is {candidates.status}."]})


def approval_of(record: RoundRecord) -> ApprovalState:
    """Where a round's approval stands (what is still missing)."""
    return approval_state(record.approvals, record.support_schools, record.schools)


def visible_record(deps: Deps, principal: Principal, round_id: str) -> RoundRecord:
    """The round if the caller may see it at all; RoundNotFound (404) otherwise, with no existence oracle."""
    record = deps.store.get_round(round_id)
    if record is None or not _may_see(principal, record):
        raise RoundNotFound(round_id)
    return record


def _may_see(principal: Principal, record: RoundRecord) -> bool:
    region = record.request.region_id
    if principal.role == "regional_coordinator":
        return principal.scope == region
    if principal.role in STAFF:
        return principal.region_id in ("", region) and (record.status == "requested"
                                                         or principal.scope in record.schools)
    if principal.role in ("organisation_staff", "student"):
        return record.status == "released" and principal.region_id in ("", region)
    return False


def visible_outcomes(principal: Principal, outcomes: list[Outcome]) -> list[Outcome]:
    """Coordinators see all; staff their school's students; organisations and students their own, after release."""
    if principal.role == "regional_coordinator":
        return outcomes
    if principal.role in STAFF:
        return [o for o in outcomes if o.school_id == principal.scope]
    if principal.role == "organisation_staff":
        return [o for o in outcomes if o.organisation_id == principal.scope]
    if principal.role == "student":
        return [o for o in outcomes if o.student_ref == principal.scope]
    return []


def approve_round(deps: Deps, principal: Principal, round_id: str) -> ApprovalState:
    """Record one approval (the same user twice counts once) and return where the round stands; the approval
    that completes a fast-track round schedules its release at once (`replacement.release_when_approved`)."""
    record = visible_record(deps, principal, round_id)
    if not may_approve(principal.role, principal.scope, principal.region_id, record.request.region_id,
                       record.schools):
        raise RoundNotFound(round_id)
    if record.status != "proposed":
        raise RoundConflict("Only a proposed round can be approved.")
    school = principal.scope if principal.role in STAFF else None
    payload = RoundApproved(round_id, record.request.region_id, principal.user_id, principal.role, school)
    env = _publish(deps, "round.approved", payload, record.request.region_id)
    handlers.record_approval(env, deps)
    record = deps.store.get_round(round_id) or record
    state = approval_of(record)
    replacement.release_when_approved(deps, principal, record, state)  # a fast track: released once approved
    return state


def schedule_release(deps: Deps, principal: Principal, round_id: str, release_at: datetime,
                     respond_by: datetime) -> RoundReleaseScheduled:
    """Set the release moment of a fully approved round (409 with what is missing otherwise)."""
    record = visible_record(deps, principal, round_id)
    if record.status != "proposed":
        raise RoundConflict("Only a proposed round that is not yet released can be scheduled.")
    state = approval_of(record)
    if not state.complete:
        raise RoundConflict("Approval is not complete: for every school with students in the round, two "
                            "distinct staff of that school and, where it has students with support needs, its "
                            "support staff must approve first.", _missing_details(state))
    if respond_by <= release_at:
        raise RoundConflict("The answer deadline must come after the release moment.")
    stale = handlers.stale_of(deps, record)
    if stale:
        raise RoundConflict("Since this round was computed, places were withdrawn or students left that it "
                            "places: request a new round (or re-solve) first.",
                            {"withdrawn_places": list(stale.places), "students_left": list(stale.students)})
    payload = RoundReleaseScheduled(round_id, record.request.region_id, iso(release_at),
                                    iso(respond_by), principal.user_id)
    env = _publish(deps, "round.release_scheduled", payload, record.request.region_id)
    handlers.record_release_schedule(env, deps)
    return payload


def _missing_details(state: ApprovalState) -> dict[str, list]:
    """The 409 details: the totals and, per school that still has something to do, what it misses."""
    return {"users_missing": [state.users_missing],
            "schools_missing_support": list(state.schools_missing_support),
            "schools": [{"school_id": s.school_id, "staff_missing": s.staff_missing,
                         "support_missing": s.support_missing} for s in state.schools_missing]}


def rounds_to_review(deps: Deps, principal: Principal) -> list[RoundRecord]:
    """The proposed and released rounds of a staff member's region that have students of their school."""
    return [r for r in deps.store.list_rounds(principal.region_id)
            if r.status in REVIEWED_STATUSES and principal.scope in r.schools]


def visible_rounds(deps: Deps, principal: Principal, region_id: str) -> list[RoundRecord]:
    """The rounds of a region the caller may see, oldest first."""
    visible = []
    for record in deps.store.list_rounds(region_id):
        try:
            visible_record(deps, principal, record.round_id)
        except RoundNotFound:
            continue
        visible.append(record)
    return visible


COMPARED_FIGURES = ("students", "placed", "unplaced", "worst_school_rate", "best_school_rate", "school_spread",
                    "top1_share", "top3_share")


def round_movement(deps: Deps, principal: Principal, round_id: str, other_id: str) -> Movement:
    """How the students the caller may see moved from one round to the other: keep, gain, lose, change."""
    first = visible_record(deps, principal, round_id)
    second = visible_record(deps, principal, other_id)
    return movement(visible_outcomes(principal, deps.store.outcomes(first.round_id)),
                    visible_outcomes(principal, deps.store.outcomes(second.round_id)))


def compare_rounds(deps: Deps, principal: Principal, round_id: str, other_id: str) -> dict[str, Any]:
    """Differences (second minus first) in the summary figures and in every school's rate of two proposed
    rounds the caller may see (409 when one is not proposed yet), and how the students the caller may see
    moved between them (`movement`: keep, gain, lose, change, with a sentence in Dutch and English)."""
    first = visible_record(deps, principal, round_id)
    second = visible_record(deps, principal, other_id)
    if first.summary is None or second.summary is None:
        raise RoundConflict("Both rounds must be proposed before they can be compared.")
    a, b = first.summary, second.summary
    return {
        "round_id": first.round_id, "other_round_id": second.round_id,
        "movement": round_movement(deps, principal, round_id, other_id).as_dict(),
        "figures": {f: {"round": getattr(a, f), "other": getattr(b, f),
                        "difference": round(getattr(b, f) - getattr(a, f), 6)} for f in COMPARED_FIGURES},
        "school_rates": [{"school_id": school, "sector": sector, "round": before, "other": after,
                          "difference": None if before is None or after is None else round(after - before, 6)}
                         for sector, school, before, after in rate_changes(a, b)],
    }


def review_names(deps: Deps, principal: Principal, outcomes: list[Outcome]) -> dict[str, StudentName]:
    """Name and student number of the signed-in school's own students among `outcomes`, asked of intake now
    for this page view (issue 14.6): never stored, logged or published. StudentNamesUnavailable when intake
    cannot answer or is not configured."""
    refs = [o.student_ref for o in outcomes if principal.role in STAFF and o.school_id == principal.scope]
    if not refs:
        return {}
    if deps.directory is None:
        raise StudentNamesUnavailable("no intake to ask for names (INTAKE_URL is not set)")
    return deps.directory.names(principal.scope, refs)


def school_names(deps: Deps, school_ids: Iterable[str]) -> dict[str, str]:
    """The display name of each school id (issue 14.16), asked of intake for this page view; a school intake
    does not name, or every school when intake cannot answer or is not configured, keeps its id (no error)."""
    ids = sorted({s for s in school_ids if s})
    found: dict[str, str] = {}
    if ids and deps.directory is not None:
        try:
            found = deps.directory.school_names(ids)
        except StudentNamesUnavailable:
            found = {}
    return {s: found.get(s) or s for s in ids}


def round_places(deps: Deps, record: RoundRecord) -> dict[str, Place]:
    """The places of the round's frozen input by id (their address and organisation name are no personal data)."""
    return deps.store.round_places(record.round_id)


def region_places(deps: Deps, principal: Principal) -> list[tuple[str, Place]]:
    """(period, place) of every open place of the coordinator's region: the organisations' list (issue 14.9)."""
    if principal.role != "regional_coordinator":
        return []
    region = principal.scope
    return [(period, place) for period in deps.store.periods(region)
            for place in deps.store.load_pool(region, period, None).places]


def object_to_match(deps: Deps, principal: Principal, round_id: str, student_ref: str,
                    reason_code: str) -> Objection:
    """A reviewer of the student's own school objects to the proposed placement (issue 14.7, pattern A).

    404 for another school's student (or one not in the round), 409 when the round is not proposed, the
    outcome is no proposed placement, or the school objected to it already. Publishes round.objected (the
    reason code only) and applies it: the pair is excluded from the period's pool for every later round,
    and the school's approvals of this round are withdrawn.
    """
    record = visible_record(deps, principal, round_id)
    outcome = next((o for o in deps.store.outcomes(round_id) if o.student_ref == student_ref), None)
    if principal.role not in STAFF or outcome is None or outcome.school_id != principal.scope:
        raise RoundNotFound(round_id)
    if record.status != "proposed":
        raise RoundConflict("Only a proposed round can be objected to.")
    if outcome.status != "placed" or not outcome.place_id or not outcome.organisation_id:
        raise RoundConflict("Only a proposed placement can be objected to.")
    if any(o.student_ref == student_ref for o in record.objections):
        raise RoundConflict("Your school objected to this placement already.")
    payload = RoundObjected(round_id, record.request.region_id, record.request.period_id, student_ref,
                            principal.scope, outcome.place_id, outcome.organisation_id, principal.user_id,
                            principal.role, reason_code)
    env = _publish(deps, "round.objected", payload, record.request.region_id)
    handlers.record_objection(env, deps)
    return objection_of(payload, env.occurred_at)
