"""Forwarding a desk case to SBB (R116, R119, R126, R127; issue 20.6): what is sent, SBB's answer, the measures
taken, and what is overdue.

A forwarded case carries an `SbbFile`: when it was forwarded and under which export version, every answer SBB
gave (date, SBB's reference, an outcome code of `OUTCOMES`), the measures taken (each with an owner role, a
deadline and a status) and every step, in order. The file holds ids, codes and dates only; a measure's text is
sealed with the rest of the case's content. The export (`export_document`) is the one document sent to SBB,
minimised as docs/reporting.md "Forwarding to SBB" explains. Imports the standard library only.
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from datetime import date, datetime, timedelta
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from .desk import CaseMeta

EXPORT_FORMAT = "stagepool.sbb-case"
EXPORT_VERSION = 1
#: SBB's answer (R119): it addressed the organisation, made improvement agreements, withdrew the recognition,
#: found the report unfounded (improvement agreements may still follow), or is still investigating.
OUTCOMES = ("organisation_addressed", "improvement_agreements", "recognition_withdrawn", "unfounded",
            "under_investigation")
OWNER_ROLES = ("organisation_staff", "school_staff", "desk_staff", "sbb")  # who owns a measure: a role
MEASURE_STATUSES = ("open", "in_progress", "done", "cancelled")
OPEN_MEASURE = ("open", "in_progress")
#: The fields of the export, in order; docs/reporting.md documents each (a test keeps the two in step).
EXPORT_FIELDS = ("format", "version", "case_id", "region_id", "organisation_id", "organisation_name", "category",
                 "phase", "incident_month", "filed_month", "forwarded_on", "reporter_role", "anonymous",
                 "alternative_placement_requested")
#: A filer's role as the export names it: a kind of reporter, never a person.
REPORTER_ROLES = {"student": "student", "school_staff": "school", "support_staff": "school"}


@dataclass(frozen=True)
class SbbAnswer:
    """One answer of SBB: the day SBB answered, SBB's own reference, the outcome code, when it was recorded."""

    answered_on: str
    reference: str
    outcome: str
    recorded_at: str


@dataclass(frozen=True)
class Measure:
    """A measure taken after SBB's answer: who owns it (a role, never a person), until when, how far it is.
    What the measure is (its text) is sealed with the case's content under `measure_id`."""

    measure_id: str
    owner_role: str
    deadline: str
    status: str
    created_at: str
    updated_at: str


@dataclass(frozen=True)
class SbbStep:
    """One step of the SBB part of a case: forwarded, answer_recorded, measure_added or measure_updated, with
    the codes it set (an outcome, a measure id and status); never text."""

    action: str
    at: str
    detail: str = ""


@dataclass(frozen=True)
class SbbFile:
    """The SBB part of a forwarded case: when, under which export version, SBB's answers, measures and steps."""

    forwarded_at: str
    export_version: int = EXPORT_VERSION
    answers: tuple[SbbAnswer, ...] = ()
    measures: tuple[Measure, ...] = ()
    steps: tuple[SbbStep, ...] = ()

    @property
    def answer(self) -> SbbAnswer | None:
        """SBB's latest answer (None while SBB has not answered)."""
        return self.answers[-1] if self.answers else None


@dataclass(frozen=True)
class Overdue:
    """One overdue item: SBB's answer of a case, or one of its measures; `days` past the deadline."""

    kind: str  # "answer" | "measure"
    report_id: str
    organisation_id: str | None
    due: str
    days: int
    measure_id: str | None = None
    owner_role: str | None = None


def forwarded(at: str) -> SbbFile:
    """A fresh file: the case was forwarded at `at` (ISO moment)."""
    return SbbFile(forwarded_at=at, steps=(SbbStep("forwarded", at, f"v{EXPORT_VERSION}"),))


def check_answer(file: SbbFile | None, answered_on: date, today: date) -> dict[str, list[str]]:
    """Field problems of an answer (message codes of messages/codes.json): the case must have been forwarded,
    and SBB answered neither in the future nor before the case was forwarded."""
    if file is None:
        return {"report_id": ["sbb_not_forwarded"]}
    if answered_on > today:
        return {"answered_on": ["sbb_date_in_future"]}
    if answered_on < date.fromisoformat(file.forwarded_at[:10]):
        return {"answered_on": ["sbb_answer_before_forward"]}
    return {}


def record_answer(file: SbbFile, answered_on: date, reference: str, outcome: str, now: str) -> SbbFile:
    """The file with SBB's answer added (an earlier answer stays in `answers`)."""
    answer = SbbAnswer(answered_on.isoformat(), reference, outcome, now)
    return replace(file, answers=file.answers + (answer,),
                   steps=file.steps + (SbbStep("answer_recorded", now, outcome),))


def check_measure(file: SbbFile | None, text: str, deadline: date, today: date) -> dict[str, list[str]]:
    """Field problems of a new measure: a forwarded case, some text, a deadline not in the past."""
    if file is None:
        return {"report_id": ["sbb_not_forwarded"]}
    problems: dict[str, list[str]] = {}
    if not text.strip():
        problems["description"] = ["sbb_measure_empty"]
    if deadline < today:
        problems["deadline"] = ["sbb_deadline_past"]
    return problems


def add_measure(file: SbbFile, owner_role: str, deadline: date, status: str, now: str) -> tuple[SbbFile, str]:
    """The file with a new measure, and the measure's id (`msr-<n>`, numbered within the case)."""
    measure_id = f"msr-{len(file.measures) + 1}"
    measure = Measure(measure_id, owner_role, deadline.isoformat(), status, now, now)
    return (replace(file, measures=file.measures + (measure,),
                    steps=file.steps + (SbbStep("measure_added", now, f"{measure_id} {owner_role} {status}"),)),
            measure_id)


def update_measure(file: SbbFile, measure_id: str, status: str, now: str) -> SbbFile | None:
    """The file with the measure's new status; None when the case has no such measure."""
    if not any(m.measure_id == measure_id for m in file.measures):
        return None
    measures = tuple(replace(m, status=status, updated_at=now) if m.measure_id == measure_id else m
                     for m in file.measures)
    return replace(file, measures=measures,
                   steps=file.steps + (SbbStep("measure_updated", now, f"{measure_id} {status}"),))


def overdue_items(cases: list[CaseMeta], answer_days: int, now: datetime) -> list[Overdue]:
    """Every forwarded case of an open case without SBB's answer after `answer_days`, and every open measure
    past its deadline (also of a closed case: an improvement agreement may outlive the case); the most overdue
    first. Anonymised cases are out of it."""
    items: list[Overdue] = []
    for case in cases:
        file = case.sbb
        if file is None or case.anonymised:
            continue
        if file.answer is None and case.status != "closed":
            due = _moment(file.forwarded_at) + timedelta(days=answer_days)
            if now > due:
                items.append(Overdue("answer", case.report_id, case.organisation_id, _iso(due), (now - due).days))
        items += [_late_measure(case, m, now) for m in file.measures
                  if m.status in OPEN_MEASURE and now.date() > date.fromisoformat(m.deadline)]
    return sorted(items, key=lambda item: (-item.days, item.report_id, item.measure_id or ""))


def count_overdue(items: list[Overdue]) -> dict[str, int]:
    """How many items are overdue per kind (both kinds present)."""
    return {kind: sum(1 for item in items if item.kind == kind) for kind in ("answer", "measure")}


def for_retention(file: SbbFile) -> SbbFile:
    """The file of an anonymised case: codes and months only, SBB's reference gone (SBB's own file behind it
    would name the reporter)."""
    return SbbFile(
        forwarded_at=month_moment(file.forwarded_at), export_version=file.export_version,
        answers=tuple(SbbAnswer(_month(a.answered_on), "", a.outcome, month_moment(a.recorded_at))
                      for a in file.answers),
        measures=tuple(replace(m, deadline=_month(m.deadline), created_at=month_moment(m.created_at),
                               updated_at=month_moment(m.updated_at)) for m in file.measures),
        steps=tuple(replace(step, at=month_moment(step.at)) for step in file.steps))


def export_document(case: CaseMeta, file: SbbFile, incident_date: str, organisation_name: str | None) -> dict:
    """What is sent to SBB about one case, under EXPORT_FIELDS: ids, codes and months; no text, no identity."""
    values = {
        "format": EXPORT_FORMAT, "version": file.export_version, "case_id": case.report_id,
        "region_id": case.region_id, "organisation_id": case.organisation_id or "",
        "organisation_name": organisation_name or "", "category": case.category, "phase": case.phase,
        "incident_month": incident_date[:7], "filed_month": case.filed_at[:7], "forwarded_on": file.forwarded_at[:10],
        "reporter_role": REPORTER_ROLES.get(case.filed_by_role, "other"), "anonymous": case.anonymous,
        "alternative_placement_requested": case.replacement_requested}
    return {name: values[name] for name in EXPORT_FIELDS}


def _late_measure(case: CaseMeta, measure: Measure, now: datetime) -> Overdue:
    days = (now.date() - date.fromisoformat(measure.deadline)).days
    return Overdue("measure", case.report_id, case.organisation_id, measure.deadline, days, measure.measure_id,
                   measure.owner_role)


def _moment(text: str) -> datetime:
    return datetime.fromisoformat(text.replace("Z", "+00:00"))


def _iso(moment: datetime) -> str:
    return moment.isoformat(timespec="seconds").replace("+00:00", "Z")


def _month(text: str) -> str:
    """Only the month of a date: its first day."""
    return text[:7] + "-01"


def month_moment(moment: str) -> str:
    """Only the month of a moment: its first day, midnight UTC."""
    return moment[:7] + "-01T00:00:00+00:00"
