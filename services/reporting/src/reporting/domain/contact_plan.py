"""Contact-moment reminders and escalation (R128-R132, issue 20.4). Pure: the standard library and the
follow-up rule only.

R132: remind, and escalate, when fewer than three contact moments or no on-site visit are planned or done by
the mid-point or the end of the internship. The internship's period is the POK's (start and end date), so a
placement is followed once its POK is filled in. With `remind_days` the lead (REPORTING_CONTACT_REMIND_DAYS,
3 by default):

- each planned contact moment (not held yet): a reminder for the school's contact for the organisation (R38)
  `remind_days` before its day (`contact_due`), and, once its day has passed without it being marked held, an
  escalation of the missed moment to the school's internship coordinator (`contact_missed`);
- per checkpoint (`midpoint`, `end`) a placement that does not meet the rule gets a reminder `remind_days`
  before the checkpoint, and an escalation to the coordinator on or after it.

A contact moment marked as a signal (R130) opens a task for the school's contact at once. `ADDRESSEES` says who
a task is for: reminders, signals and calls go to the school's contact for the organisation, escalations to
the school's coordinator. Every task's id is derived from what it is about, so running the step again, or on
two instances at once, never makes a second one (and never reopens one that was done).
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from datetime import date, timedelta

from .aftercare_intro import FollowUpTask
from .followup import ContactMoment, ContactStatus

CHECKPOINTS = ("midpoint", "end")
#: How many days before a planned contact moment or a checkpoint the school's contact is reminded (the default of
#: REPORTING_CONTACT_REMIND_DAYS).
REMIND_DAYS = 3
REMINDER, ESCALATION, MISSED, SIGNAL = "contact_reminder", "contact_escalation", "contact_missed", "contact_signal"
TASK_KINDS = (REMINDER, ESCALATION, MISSED, SIGNAL)
#: Who a task is for: the school's contact for the organisation (R38), or the school's internship coordinator
#: (the school's registered contact address in intake) for an escalation.
CONTACT, COORDINATOR = "school_contact", "school_coordinator"
ESCALATIONS = (ESCALATION, MISSED)


def addressee(kind: str) -> str:
    """Who a task of this kind is for."""
    return COORDINATOR if kind in ESCALATIONS else CONTACT


def category(kind: str) -> str:
    """What a task of this kind is, as the task list shows it: a reminder, an escalation or a task to act on."""
    return "reminder" if kind == REMINDER else "escalation" if kind in ESCALATIONS else "action"


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
    lead = timedelta(days=remind_days)
    out = []
    if not status.compliant:
        for name, moment in checkpoints(start, end):
            if today >= moment:
                out.append(task(placement, ESCALATION, f"contact_{name}", now_iso))
            elif today >= moment - lead:
                out.append(task(placement, REMINDER, f"contact_{name}", now_iso))
    for m in moments:
        day = date.fromisoformat(m.date)
        if m.held:
            continue
        if day < today:
            out.append(task(placement, MISSED, "contact_missed", now_iso, m.date))
        elif today >= day - lead:
            out.append(task(placement, REMINDER, "contact_due", now_iso, f"{m.date}|{m.kind}"))
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
