"""Objections to a proposed match and the round's audit trail (issue 14.7).

A reviewer of a school objects to one of its students' placements with a reason code: the (student, place)
pair is excluded from that period's pool, so every later round of the period (a re-solve) keeps it out; the
objection withdraws the approvals the school's own staff gave the round (they approve again, or the
coordinator re-solves). The free-text explanation never comes here: it may hold names. The audit trail
lists the approvals, objections and withdrawn approvals of a round in order. Pure: imports the standard
library, the approval vote and (for type hints) the shared round events.
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from typing import TYPE_CHECKING, Iterable

from .approval import SCHOOL_ROLES, ApprovalVote

if TYPE_CHECKING:
    from stagepool_shared.events.rounds import RoundObjected

APPROVED, OBJECTED, WITHDRAWN = "approved", "objected", "approvals_withdrawn"


@dataclass(frozen=True)
class Objection:
    """One school's objection to one of its students' placements in a proposal (no free text)."""

    student_ref: str
    school_id: str
    place_id: str
    organisation_id: str
    user_id: str
    role: str
    reason_code: str
    at: str = ""


@dataclass(frozen=True)
class AuditEntry:
    """One line of a round's audit trail: an approval, an objection, or a school's approvals withdrawn."""

    kind: str
    at: str
    user_id: str = ""
    role: str = ""
    school_id: str | None = None
    student_ref: str | None = None
    place_id: str | None = None
    organisation_id: str | None = None
    reason_code: str | None = None


def approval_entry(vote: ApprovalVote, at: str) -> AuditEntry:
    return AuditEntry(APPROVED, at, vote.user_id, vote.role, vote.school_id)


def withdrawn_by(objection: Objection, votes: Iterable[ApprovalVote]) -> list[ApprovalVote]:
    """The approvals an objection withdraws: those the objecting school's own staff gave the round."""
    return [v for v in votes if v.role in SCHOOL_ROLES and v.school_id == objection.school_id]


def objection_entries(objection: Objection, withdrawn: list[ApprovalVote]) -> list[AuditEntry]:
    """The audit lines of an objection: the objection, then (if any) the school's approvals withdrawn."""
    entries = [AuditEntry(OBJECTED, objection.at, objection.user_id, objection.role, objection.school_id,
                          objection.student_ref, objection.place_id, objection.organisation_id, objection.reason_code)]
    if withdrawn:
        entries.append(AuditEntry(WITHDRAWN, objection.at, ", ".join(sorted(v.user_id for v in withdrawn)), "",
                                  objection.school_id))
    return entries


def without_student(entries: Iterable[AuditEntry], student_ref: str) -> tuple[AuditEntry, ...]:
    """The trail after a student's erasure: their objections stay listed, without their pseudonym."""
    return tuple(replace(e, student_ref=None) if e.student_ref == student_ref else e for e in entries)


def objection_of(event: "RoundObjected", at: str) -> Objection:
    """The objection a `round.objected` event records, at the event's moment."""
    return Objection(event.student_ref, event.school_id, event.place_id, event.organisation_id, event.user_id,
                     event.role, event.reason_code, at)
