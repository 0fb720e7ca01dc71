"""Contact-moment reminders and escalation (R128-R132, issue 20.4). Pure: the standard library and the
follow-up rule only.

R132: remind, and escalate, when fewer than three contact moments or no on-site visit are planned or done by
the mid-point or the end of the internship. The internship's period is the POK's (start and end date), so a
placement is followed once its POK is filled in. Per checkpoint (`midpoint`, `end`) a placement that does not
meet the rule gets:

- REMIND_DAYS before the checkpoint: a reminder task for the school's contact for the organisation (R38);
- on or after the checkpoint: an escalation task for the school's internship coordinator;

and a contact moment that was planned (not held) and whose day has passed without it being marked held is a
missed one: escalated too. A contact moment marked as a signal (R130) opens a task for the school at once.
Every task's id is derived from what it is about, so running the step again, or on two instances at once,
never makes a second one (and never reopens one that was done).
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from datetime import date, timedelta

from .aftercare_intro import FollowUpTask
from .followup import ContactMoment, ContactStatus

CHECKPOINTS = ("midpoint", "end")
#: How many days before a checkpoint the school's contact is reminded.
REMIND_DAYS = 7
REMINDER, ESCALATION, MISSED, SIGNAL = "contact_reminder", "contact_escalation", "contact_missed", "contact_signal"
TASK_KINDS = (REMINDER, ESCALATION, MISSED, SIGNAL)


@dataclass(frozen=True)
class Placement:
    """What a task is about: the placement's ids (from its POK)."""

    region_id: str
    period_id: str
    school_id: str
    organisation_id: str
    student_ref: str


def checkpoints(start: date, end: date) -> list[tuple[str, date]]:
    """The mid-point and the end of the internship."""
    return [("midpoint", start + (end - start) / 2), ("end", end)]


def due_tasks(placement: Placement, status: ContactStatus, moments: list[ContactMoment], start: date, end: date,
              today: date, now_iso: str, remind_days: int = REMIND_DAYS) -> list[FollowUpTask]:
    """The reminder, escalation and missed-moment tasks a placement is due today (existing ones included:
    the caller keeps only the ids it does not have yet)."""
    out = []
    if not status.compliant:
        for name, moment in checkpoints(start, end):
            if today >= moment:
                out.append(task(placement, ESCALATION, f"contact_{name}", now_iso))
            elif today >= moment - timedelta(days=remind_days):
                out.append(task(placement, REMINDER, f"contact_{name}", now_iso))
    for m in moments:
        if not m.held and date.fromisoformat(m.date) < today:
            out.append(task(placement, MISSED, "contact_missed", now_iso, m.date))
    return out


def task(placement: Placement, kind: str, reason_code: str, now_iso: str, about: str = "") -> FollowUpTask:
    """A follow-up task whose id is the same for the same placement, kind, reason and day."""
    key = "|".join((placement.region_id, placement.period_id, placement.student_ref, kind, reason_code, about))
    return FollowUpTask(f"tsk-{hashlib.sha256(key.encode()).hexdigest()[:24]}", placement.region_id,
                        placement.period_id, placement.school_id, placement.organisation_id, placement.student_ref,
                        reason_code, now_iso, kind=kind)


def held_errors(moment_date: date, held: bool | None, today: date) -> dict[str, list[str]]:
    """A contact moment in the future cannot have been held (a field error at `held`)."""
    if held and moment_date > today:
        return {"held": ["contact_in_future_held"]}
    return {}
