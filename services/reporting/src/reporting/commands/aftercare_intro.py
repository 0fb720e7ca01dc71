"""Kennismaking use cases (issue 20.2; R103-R107): the organisation proposes a moment after release (published as
`introduction.proposed`, so the notifier asks the student by e-mail to confirm it), the student confirms it, the school may mark a teacher as accompanying, and the organisation records the outcome.

A rejection needs one of the five R106 reason codes (else a field error, nothing changes). It publishes
`placement.failed` (rejected after the introduction: the matcher, intake and the notifier treat the placement
as failed, and reporting counts it towards the organisation's signals) and `introduction.rejected` (the R106
code: the marker the re-placement fast track reads), then stores the outcome and a follow-up task for the
school's contact for the organisation (R105), on which school staff record their call (the day and what it brought,
a code) before they close it. Store and publish: pattern A. Imports the shared event payloads,
the domain, the errors, the ports and commands.aftercare (the store).
"""

from __future__ import annotations

import hashlib
import logging
from dataclasses import replace
from datetime import UTC, date, datetime

from stagepool_shared.auth import Principal
from stagepool_shared.envelope import new_envelope
from stagepool_shared.events.aftercare import IntroductionProposed, IntroductionRejected
from stagepool_shared.events.placements import PlacementFailed
from stagepool_shared.i18n import LOCAL_ZONE

from ..domain.aftercare import SchoolContact
from ..domain.aftercare_intro import (SUBJECTIVE_REASONS, FollowUpTask, Introduction, call_errors, outcome_errors,
                                      task_for)
from ..domain.figures import PLACED, PlacementFact
from ..errors import InvalidInput, NotFound
from ..ports import Deps
from .aftercare import SCHOOL_ROLES, store_of
from .followup import may_act_on

logger = logging.getLogger(__name__)


def _now(deps: Deps) -> str:
    return deps.clock().astimezone(UTC).isoformat(timespec="seconds")


def _placement(deps: Deps, principal: Principal, period_id: str, student_ref: str, *roles: str) -> PlacementFact:
    """A current placement of the caller's party, for a caller of one of `roles`; NotFound otherwise."""
    placement = deps.views.placement(principal.region_id, period_id, student_ref)
    if (placement is None or placement.status not in PLACED or principal.role not in roles
            or not may_act_on(principal, placement)):
        raise NotFound(student_ref)
    return placement


def _introduction(deps: Deps, principal: Principal, period_id: str, student_ref: str, *roles: str) -> Introduction:
    _placement(deps, principal, period_id, student_ref, *roles)
    intro = store_of(deps).introduction(principal.region_id, period_id, student_ref)
    if intro is None:
        raise InvalidInput({"status": ["introduction_not_proposed"]})
    return intro


def propose_introduction(deps: Deps, principal: Principal, period_id: str, student_ref: str,
                         moment: datetime) -> Introduction:
    """The organisation proposes (or moves) the moment of the kennismaking; the student confirms it again. A
    student placed anew (the fast track after a rejection) gets a new kennismaking at the new place."""
    placement = _placement(deps, principal, period_id, student_ref, "organisation_staff")
    old = store_of(deps).introduction(principal.region_id, period_id, student_ref)
    if old is not None and old.place_id != (placement.place_id or "unknown"):
        old = None  # the kennismaking of a placement that failed: the new place has its own
    if old is not None and old.status in ("held", "rejected"):
        raise InvalidInput({"status": ["introduction_closed"]})
    intro = Introduction(principal.region_id, period_id, student_ref, placement.school_id,
                         placement.organisation_id or "unknown", placement.place_id or "unknown",
                         moment.astimezone(UTC).isoformat(timespec="seconds"), "proposed",
                         old.accompanied if old else False, updated_at=_now(deps))
    proposed = IntroductionProposed(intro.region_id, period_id, student_ref, intro.school_id, intro.organisation_id,
                                    intro.place_id, introduction_id=proposal_id(intro), moment=intro.moment)
    deps.publisher.publish_all([new_envelope("introduction.proposed", proposed, producer="reporting",
                                             partition_key=intro.region_id)])
    store_of(deps).save_introduction(intro)
    return intro


def proposal_id(intro: Introduction) -> str:
    """The id of a proposed moment: the same for the same place and moment (a retry), new for a moved one."""
    key = f"{intro.region_id}|{intro.period_id}|{intro.student_ref}|{intro.place_id}|{intro.moment}"
    return "int-" + hashlib.sha256(key.encode()).hexdigest()[:24]


def confirm_introduction(deps: Deps, principal: Principal, period_id: str, student_ref: str) -> Introduction:
    """The student confirms the proposed moment."""
    intro = _introduction(deps, principal, period_id, student_ref, "student")
    if intro.status != "proposed":
        raise InvalidInput({"status": ["introduction_not_proposed"]})
    confirmed = replace(intro, status="confirmed", updated_at=_now(deps))
    store_of(deps).save_introduction(confirmed)
    return confirmed


def mark_accompanied(deps: Deps, principal: Principal, period_id: str, student_ref: str,
                     accompanied: bool) -> Introduction:
    """R107: the school marks that a teacher accompanies the student to the conversation."""
    intro = _introduction(deps, principal, period_id, student_ref, *SCHOOL_ROLES)
    marked = replace(intro, accompanied=accompanied, updated_at=_now(deps))
    store_of(deps).save_introduction(marked)
    return marked


def read_introduction(deps: Deps, principal: Principal, period_id: str, student_ref: str) -> Introduction | None:
    """The kennismaking of a placement of the caller's party (None before a moment is proposed)."""
    placement = deps.views.placement(principal.region_id, period_id, student_ref)
    if placement is None or not may_act_on(principal, placement):
        raise NotFound(student_ref)
    return store_of(deps).introduction(principal.region_id, period_id, student_ref)


def record_outcome(deps: Deps, principal: Principal, period_id: str, student_ref: str, outcome: str,
                   reason_code: str | None) -> Introduction:
    """The organisation records the outcome of a held conversation; a rejection needs an R106 reason."""
    placement = _placement(deps, principal, period_id, student_ref, "organisation_staff")
    intro = store_of(deps).introduction(principal.region_id, period_id, student_ref)
    errors = outcome_errors(intro, outcome, reason_code, _now(deps))
    if errors or intro is None:
        raise InvalidInput(errors)
    if outcome != "rejected":
        held = replace(intro, status="held", updated_at=_now(deps))
        store_of(deps).save_introduction(held)
        return held
    assert reason_code is not None
    _publish_rejection(deps, placement, intro, reason_code)
    rejected = replace(intro, status="rejected", reason_code=reason_code, updated_at=_now(deps))
    store_of(deps).save_introduction(rejected)
    store_of(deps).save_task(task_for(rejected, reason_code, _now(deps)))
    logger.info("kennismaking of %s rejected (%s); task for school %s", student_ref, reason_code, intro.school_id)
    return rejected


def _publish_rejection(deps: Deps, placement: PlacementFact, intro: Introduction, reason_code: str) -> None:
    failed = PlacementFailed(placement.round_id or "unknown", intro.region_id, intro.student_ref, intro.school_id,
                             intro.place_id, intro.organisation_id, reason_code="rejected_after_introduction",
                             flagged_by="organisation", after_introduction=True)
    marker = IntroductionRejected(intro.region_id, intro.period_id, intro.student_ref, intro.school_id,
                                  intro.organisation_id, intro.place_id, reason_code,
                                  reason_code in SUBJECTIVE_REASONS, intro.accompanied)
    first = new_envelope("placement.failed", failed, producer="reporting", partition_key=intro.region_id)
    deps.publisher.publish_all([first, new_envelope("introduction.rejected", marker, producer="reporting",
                                                    partition_key=intro.region_id,
                                                    correlation_id=first.correlation_id)])


def list_tasks(deps: Deps, principal: Principal) -> list[tuple[FollowUpTask, SchoolContact | None]]:
    """School staff: their school's follow-up tasks, open first, each with the school's contact to call."""
    if principal.role not in SCHOOL_ROLES:
        raise NotFound("tasks")
    store = store_of(deps)
    tasks = sorted(store.tasks(principal.region_id, principal.scope), key=lambda t: (t.status != "open",
                                                                                     t.created_at))
    return [(task, store.school_contact(principal.region_id, principal.scope, task.organisation_id))
            for task in tasks]


def read_task(deps: Deps, principal: Principal, task_id: str) -> tuple[FollowUpTask, SchoolContact | None]:
    """One of the caller's school's tasks with the school's contact to call; NotFound for anyone else's."""
    for task, contact in list_tasks(deps, principal):
        if task.task_id == task_id:
            return task, contact
    raise NotFound(task_id)


def record_call(deps: Deps, principal: Principal, task_id: str, called_on: date | None,
                call_outcome: str | None) -> FollowUpTask:
    """School staff record their call with the organisation on an open task (R105): the day and what it
    brought, as a code; the task stays open until they close it. Stored only (no other service needs it)."""
    task, _ = read_task(deps, principal, task_id)
    today = deps.clock().astimezone(LOCAL_ZONE).date()
    errors = call_errors(task, called_on, call_outcome, today)
    if errors:
        raise InvalidInput(errors)
    assert called_on is not None
    called = replace(task, called_on=called_on.isoformat(), call_outcome=call_outcome)
    store_of(deps).save_task(called)
    logger.info("call on task %s recorded (%s)", task_id, call_outcome)
    return called


def complete_task(deps: Deps, principal: Principal, task_id: str) -> FollowUpTask:
    """School staff mark a task done (they called the organisation)."""
    task, _ = read_task(deps, principal, task_id)
    done = replace(task, status="done", done_at=_now(deps))
    store_of(deps).save_task(done)
    return done
