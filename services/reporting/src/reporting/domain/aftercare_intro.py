"""The kennismakingsgesprek (R103-R107): an introduction, not a selection. The organisation proposes a
moment, the student confirms it, a teacher may be marked as accompanying (R107), and the organisation
records the outcome once the moment has passed. A rejection needs one of the five reason codes of R106 and
opens a follow-up task for the school's contact (R105). Imports the standard library only.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass, replace
from datetime import date

INTRO_STATUSES = ("proposed", "confirmed", "held", "rejected")
#: R106, the company survey's five reasons; the subjective two are excluded by the agreement of R37.
REJECTION_REASONS = ("no_place_available", "wishes_mismatch", "competences_mismatch", "attitude", "team_fit")
SUBJECTIVE_REASONS = ("attitude", "team_fit")
OUTCOMES = ("continue", "rejected")
TASK_KINDS = ("call_organisation",)
#: What the school's call with the organisation brought (R105); a code, never the conversation itself.
CALL_OUTCOMES = ("reason_explained", "organisation_reconsiders", "discrimination_suspected", "not_reached")


@dataclass(frozen=True)
class Introduction:
    """One student's kennismaking with the organisation of their placement (ids, codes, a moment)."""

    region_id: str
    period_id: str
    student_ref: str
    school_id: str
    organisation_id: str
    place_id: str
    moment: str
    status: str = "proposed"
    accompanied: bool = False
    reason_code: str | None = None
    updated_at: str | None = None


@dataclass(frozen=True)
class FollowUpTask:
    """A task for the school's contact for the organisation: call it and find out why (R105)."""

    task_id: str
    region_id: str
    period_id: str
    school_id: str
    organisation_id: str
    student_ref: str
    reason_code: str
    created_at: str
    kind: str = "call_organisation"
    status: str = "open"
    done_at: str | None = None
    called_on: str | None = None
    call_outcome: str | None = None


def outcome_errors(intro: Introduction | None, outcome: str, reason_code: str | None,
                   now_iso: str) -> dict[str, list[str]]:
    """Field errors of recording an outcome: a confirmed moment that has passed, and a reason for a rejection."""
    errors: dict[str, list[str]] = {}
    if intro is None or intro.status != "confirmed":
        errors["status"] = ["introduction_not_confirmed"]
    elif intro.moment > now_iso:
        errors["moment"] = ["introduction_in_future"]
    if outcome == "rejected" and reason_code not in REJECTION_REASONS:
        errors["reason_code"] = ["rejection_reason_required"]
    return errors


def call_errors(task: FollowUpTask, called_on: date | None, outcome: str | None,
                today: date) -> dict[str, list[str]]:
    """Field errors of recording the school's call on a task: an open task, a day up to today, an outcome code."""
    errors: dict[str, list[str]] = {}
    if task.status != "open":
        errors["status"] = ["task_closed"]
    if called_on is None:
        errors["called_on"] = ["missing_date"]
    elif called_on > today:
        errors["called_on"] = ["call_in_future"]
    if outcome not in CALL_OUTCOMES:
        errors["call_outcome"] = ["missing_call_outcome"]
    return errors


def confirm(intro: Introduction, now_iso: str) -> Introduction:
    return replace(intro, status="confirmed", updated_at=now_iso)


def task_for(intro: Introduction, reason_code: str, now_iso: str) -> FollowUpTask:
    """The school contact's task after a rejection; its id is the same for the same rejection."""
    digest = hashlib.sha256(f"{intro.region_id}|{intro.period_id}|{intro.student_ref}|{intro.place_id}".encode())
    return FollowUpTask(f"tsk-{digest.hexdigest()[:24]}", intro.region_id, intro.period_id, intro.school_id,
                        intro.organisation_id, intro.student_ref, reason_code, now_iso)
