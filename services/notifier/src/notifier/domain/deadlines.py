"""The rule of the deadline reminders (issue 15.4): which reminder before a period's wish or choice deadline is
due now, and the mark that makes it once per student.

A period has up to two deadlines, each the end of its day in Amsterdam: `wishes` (a top 3 in the catalogue)
and `choices` (variant 2: one of the candidates offered). Intake names the students who have not acted yet
(`Window`). Before each deadline a reminder goes out at every configured lead (NOTIFIER_DEADLINE_REMINDER_DAYS,
3 and 1 day by default); a student who comes into the window late (candidates offered two days before the
deadline) gets only the latest lead that is due, never two at once. Pure Python.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Sequence

from .model import Contact

WISHES, CHOICES = "wishes", "choices"
DEADLINES = (WISHES, CHOICES)


@dataclass(frozen=True)
class Window:
    """One open window: the period, which deadline, the end of its day (aware), and the students who still
    have to act, each with the contact intake gave (e-mail, language)."""

    period_id: str
    deadline: str
    until: datetime
    students: tuple[tuple[str, Contact], ...] = ()


def due_lead(until: datetime, now: datetime, leads: Sequence[timedelta]) -> timedelta | None:
    """The shortest lead whose moment (`until - lead`) has come, while the deadline has not passed; None when
    no reminder is due (too early, or too late)."""
    if now >= until:
        return None
    due = [lead for lead in leads if now >= until - lead]
    return min(due) if due else None


def mark_of(window: Window, lead: timedelta) -> str:
    """What marks one reminder of a student as sent: period, deadline and lead (in hours)."""
    return f"{window.period_id}:{window.deadline}:{int(lead.total_seconds() // 3600)}h"


def days_left(until: datetime, now: datetime) -> int:
    """Whole days from now to the end of the deadline's day, at least 0 (the message's "nog 3 dagen")."""
    return max(0, (until - now).days)
