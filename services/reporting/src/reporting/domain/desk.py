"""The reporting desk (meldpunt stagediscriminatie): what a report needs, how a case moves, when it is late.

A case moves received -> in_progress -> forwarded_to_sbb -> closed (a case may also be closed early, e.g.
when the student withdraws it). Each open status has a deadline in days; a case past it is overdue. A forwarded
case carries its SBB file (domain/sbb.py). Imports the standard library, the errors and domain/sbb.py.
"""

from __future__ import annotations

from dataclasses import dataclass, field, replace
from datetime import date, datetime, timedelta
from typing import Callable

from ..errors import IncompleteReport, InvalidTransition
from .sbb import SbbFile

STATUSES = ("received", "in_progress", "forwarded_to_sbb", "closed")
NEXT: dict[str, tuple[str, ...]] = {
    "received": ("in_progress", "closed"),
    "in_progress": ("forwarded_to_sbb", "closed"),
    "forwarded_to_sbb": ("closed",),
    "closed": (),
}
CATEGORIES = ("discrimination", "misuse_of_intern")
PHASES = ("search", "selection", "introduction", "during_internship")
REQUIRED = "Missing data for required field."
NEEDS_TARGET = "Name the organisation or the placement."
NEEDS_PERIOD = "An alternative place needs the period."
ANONYMOUS_REPLACEMENT = "An alternative place needs to know the student; file confidentially instead of anonymously."
FUTURE_DATE = "The date lies in the future."

DeadlineDays = Callable[[str], "int | None"]


@dataclass(frozen=True)
class DeskDeadlines:
    """Days a desk case may stay in each open status before it is overdue."""

    received_days: int = 5
    in_progress_days: int = 20
    forwarded_to_sbb_days: int = 30
    sbb_answer_days: int = 30  # SBB's answer is overdue this many days after forwarding (issue 20.6)

    def days_for(self, status: str) -> int | None:
        """The allowed days in `status`, None for a status without deadline (closed)."""
        return {"received": self.received_days, "in_progress": self.in_progress_days,
                "forwarded_to_sbb": self.forwarded_to_sbb_days}.get(status)


@dataclass(frozen=True)
class ReportContent:
    """What the report says and who filed it: stored encrypted, shown to desk staff only."""

    description: str
    incident_date: str
    student_ref: str | None
    filed_by: str | None
    place_id: str | None = None
    notes: tuple[str, ...] = ()
    measures: tuple[tuple[str, str], ...] = ()  # (measure id, what the measure is) of the SBB file (issue 20.6)


@dataclass(frozen=True)
class StatusStep:
    """One status a case entered, and when."""

    status: str
    at: str


@dataclass(frozen=True)
class CaseMeta:
    """The non-sensitive facts of a case (ids, codes, dates): kept in clear for the workflow and figures."""

    report_id: str
    region_id: str
    organisation_id: str | None
    school_id: str | None
    category: str
    phase: str
    anonymous: bool
    filed_by_role: str
    filed_at: str
    history: tuple[StatusStep, ...] = field(default_factory=tuple)
    replacement_requested: bool = False
    anonymised: bool = False  # retention (R155): identity and content removed after the region's period
    sbb: SbbFile | None = None  # forwarded to SBB: SBB's answers, the measures, every step (domain/sbb.py)

    @property
    def status(self) -> str:
        return self.history[-1].status if self.history else "received"

    @property
    def entered_at(self) -> str:
        return self.history[-1].at if self.history else self.filed_at


def check_minimum(description: str | None, incident_date: str | None, organisation_id: str | None,
                  place_id: str | None, today: date) -> None:
    """Raise IncompleteReport naming every missing part of the required minimum (what, when, where)."""
    problems: dict[str, list[str]] = {}
    if not (description or "").strip():
        problems["description"] = [REQUIRED]
    if not incident_date:
        problems["incident_date"] = [REQUIRED]
    elif date.fromisoformat(incident_date) > today:
        problems["incident_date"] = [FUTURE_DATE]
    if not organisation_id and not place_id:
        problems["organisation_id"] = [NEEDS_TARGET]
    if problems:
        raise IncompleteReport(problems)


def check_replacement_request(anonymous: bool, period_id: str | None) -> None:
    """An alternative place needs a known student and a period."""
    problems: dict[str, list[str]] = {}
    if anonymous:
        problems["anonymous"] = [ANONYMOUS_REPLACEMENT]
    if not period_id:
        problems["period_id"] = [NEEDS_PERIOD]
    if problems:
        raise IncompleteReport(problems)


def new_case(report_id: str, region_id: str, organisation_id: str | None, school_id: str | None, category: str,
             phase: str, anonymous: bool, filed_by_role: str, now: datetime) -> CaseMeta:
    """A freshly received case."""
    at = iso(now)
    return CaseMeta(report_id=report_id, region_id=region_id, organisation_id=organisation_id,
                    school_id=None if anonymous else school_id, category=category, phase=phase,
                    anonymous=anonymous, filed_by_role=filed_by_role, filed_at=at,
                    history=(StatusStep("received", at),))


def move(case: CaseMeta, wanted: str, now: datetime) -> CaseMeta:
    """The case in its new status; InvalidTransition when the workflow does not allow the step."""
    if wanted not in NEXT.get(case.status, ()):
        raise InvalidTransition(case.status, wanted)
    return replace(case, history=case.history + (StatusStep(wanted, iso(now)),))


def deadline(case: CaseMeta, days_for: DeadlineDays) -> datetime | None:
    """When the current step must be done, None for a closed case."""
    days = days_for(case.status)
    if days is None:
        return None
    return parse_iso(case.entered_at) + timedelta(days=days)


def is_overdue(case: CaseMeta, days_for: DeadlineDays, now: datetime) -> bool:
    due = deadline(case, days_for)
    return due is not None and now > due


def queue_order(cases: list[CaseMeta], days_for: DeadlineDays, now: datetime) -> list[CaseMeta]:
    """Overdue cases first (the longest overdue first), then open cases by deadline, closed last."""
    far = datetime.max.replace(tzinfo=now.tzinfo)

    def key(case: CaseMeta) -> tuple[int, datetime]:
        due = deadline(case, days_for)
        rank = 0 if is_overdue(case, days_for, now) else (1 if due is not None else 2)
        return rank, due or far

    return sorted(cases, key=key)


def count_by_status(cases: list[CaseMeta]) -> dict[str, int]:
    """How many cases are in each status (every status present, zero included)."""
    counts = {status: 0 for status in STATUSES}
    for case in cases:
        counts[case.status] += 1
    return counts


def iso(moment: datetime) -> str:
    return moment.isoformat(timespec="seconds").replace("+00:00", "Z")


def parse_iso(text: str) -> datetime:
    return datetime.fromisoformat(text.replace("Z", "+00:00"))
