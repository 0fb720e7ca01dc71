"""The end evaluation of a placement (R133-R137, issue 20.5): who evaluates, the three phases in which the
student is asked about experienced discrimination, when a placement may be evaluated, and the figures the
period report and the metrics show.

Student, organisation and school each evaluate a placement that started (its POK is active or ended), once
each (the last answer counts), at its end: the evaluation opens a set number of days before the POK's end date
(REPORTING_EVALUATION_OPEN_DAYS, 14) or once the POK ended (or ended early after its start). All three give a
satisfaction score (1-5) and whether they would do it again (R137); only the student answers, per phase,
whether they experienced discrimination (R136): while searching, at the kennismaking, during the placement.
Ratings stay internal (R135): the figures hold response counts and discrimination counts per organisation and
school, and satisfaction only for the region as a whole. Imports the standard library and sibling domain
modules only.
"""

from __future__ import annotations

from collections import Counter, defaultdict
from dataclasses import dataclass, field
from datetime import date, timedelta

from .aftercare import ENDED, Pok

EVALUATORS = ("student", "organisation", "school")
PHASES = ("searching", "introduction", "during")
#: The phases at the organisation: discrimination there counts towards the organisation's signals.
ORGANISATION_PHASES = ("introduction", "during")
STARTED = ("active", "ended")
#: An evaluation that opened longer ago than this is not announced any more: a first start after an upgrade
#: does not invite the parties of placements long over.
ANNOUNCE_WITHIN_DAYS = 30
EVALUATOR_OF_ROLE = {"student": "student", "organisation_staff": "organisation", "school_staff": "school",
                     "support_staff": "school"}


def phase_field(phase: str) -> str:
    """The input field of a phase's question: discrimination_searching, _introduction, _during."""
    return f"discrimination_{phase}"


@dataclass(frozen=True)
class Evaluation:
    """One party's end evaluation of one placement: ids, a score, a yes/no and the phase answers (no text)."""

    student_ref: str
    school_id: str
    organisation_id: str
    by: str
    satisfaction: int
    would_again: bool
    #: phase -> True (experienced discrimination), False (did not), None (not answered); the student's only.
    discrimination: dict[str, bool | None] = field(default_factory=dict)

    def experienced(self, phases: tuple[str, ...] = PHASES) -> bool:
        """Whether the student said they experienced discrimination in one of `phases`."""
        return any(self.discrimination.get(phase) is True for phase in phases)

    def record(self) -> dict:
        """What the store keeps (under the pseudonym and the evaluator)."""
        return {"school_id": self.school_id, "organisation_id": self.organisation_id,
                "satisfaction": self.satisfaction, "would_again": self.would_again,
                **{phase_field(phase): self.discrimination.get(phase) for phase in PHASES}}

    @classmethod
    def of_record(cls, student_ref: str, by: str, record: dict) -> Evaluation:
        """An evaluation from what the store keeps; a record from before issue 20.5 (no ids, one
        `experienced_discrimination` answer) reads as an answer about the placement itself."""
        return cls(student_ref, record.get("school_id", ""), record.get("organisation_id", ""), by,
                   int(record.get("satisfaction", 0)), bool(record.get("would_again", False)),
                   phase_answers(record))


def answer_errors(by: str, answers: dict) -> dict[str, list[str]]:
    """Field errors of a party's answers: only the student answers the discrimination questions."""
    if by == "student":
        return {}
    asked = [phase_field(phase) for phase in PHASES] + ["experienced_discrimination"]
    return {name: ["student_only"] for name in asked if answers.get(name) is not None}


def phase_answers(answers: dict) -> dict[str, bool | None]:
    """The phase answers of the input; the old single answer (`experienced_discrimination`) stands for the
    placement itself when `discrimination_during` is not given."""
    phases = {phase: answers.get(phase_field(phase)) for phase in PHASES}
    if phases["during"] is None:
        phases["during"] = answers.get("experienced_discrimination")
    return phases


def started(pok: Pok | None) -> bool:
    """A placement started when its POK is active or ended; one ended early only if its start date came on or
    before the day it ended (ended early from signed before the start: it never started)."""
    if pok is None:
        return False
    if pok.status in STARTED:
        return True
    if pok.status != "ended_early" or not pok.start_date:
        return False
    return date.fromisoformat(pok.start_date) <= ended_on(pok)


def ended_on(pok: Pok) -> date:
    """The day an ended POK ended: its last change."""
    return date.fromisoformat((pok.updated_at or pok.created_at)[:10])


def opens_on(pok: Pok, days_before_end: int) -> date | None:
    """The day the evaluation of a placement opens: `days_before_end` days before the POK's end date (None
    without an end date: it then opens when the POK ends)."""
    return date.fromisoformat(pok.end_date) - timedelta(days=days_before_end) if pok.end_date else None


def to_announce(pok: Pok, today: date, days_before_end: int) -> bool:
    """Whether the parties are to be invited now: the evaluation is open (`window_errors`), it opened at most
    `ANNOUNCE_WITHIN_DAYS` ago, and the POK is no anonymised one (retention leaves it without a place)."""
    if not pok.place_id or window_errors(pok, today, days_before_end):
        return False
    opened = opens_on(pok, days_before_end)
    if pok.status in ENDED:
        opened = ended_on(pok) if opened is None else min(opened, ended_on(pok))
    return opened is not None and (today - opened).days <= ANNOUNCE_WITHIN_DAYS


def window_errors(pok: Pok | None, today: date, days_before_end: int) -> dict[str, list[str]]:
    """The field error at `placement` while the placement may not be evaluated yet: it never started
    (`placement_not_started`), or it runs and its evaluation opens later (`evaluation_opens_on:<dd-mm-yyyy>`,
    or `evaluation_opens_at_end` without an end date); {} once it is open (`today` in Dutch time)."""
    if pok is None or not started(pok):
        return {"placement": ["placement_not_started"]}
    if pok.status in ENDED:
        return {}
    opens = opens_on(pok, days_before_end)
    if opens is None:
        return {"placement": ["evaluation_opens_at_end"]}
    return {} if today >= opens else {"placement": [f"evaluation_opens_on:{opens:%d-%m-%Y}"]}


@dataclass(frozen=True)
class GroupFigures:
    """One organisation's or school's evaluations: placements started, responses per evaluator, and the
    students who said they experienced discrimination, per phase (raw counts; suppressed where they leave)."""

    key: str
    started: int = 0
    responses: dict[str, int] = field(default_factory=dict)
    discrimination: dict[str, int] = field(default_factory=dict)


@dataclass(frozen=True)
class EvaluationFigures:
    """The evaluation figures of a period (raw counts)."""

    started: int = 0
    responses: dict[str, int] = field(default_factory=dict)  # evaluator -> placements evaluated
    satisfaction: dict[str, list[int]] = field(default_factory=dict)  # evaluator -> scores (region level only)
    would_again: dict[str, int] = field(default_factory=dict)  # evaluator -> "yes" answers
    answered: dict[str, int] = field(default_factory=dict)  # phase -> students who answered the question
    discrimination: dict[str, int] = field(default_factory=dict)  # phase -> students who said yes
    by_organisation: list[GroupFigures] = field(default_factory=list)
    by_school: list[GroupFigures] = field(default_factory=list)


def evaluation_figures(poks: list[Pok], evaluations: list[Evaluation]) -> EvaluationFigures:
    """The period's figures from its POKs and evaluations; only evaluations of placements that started count."""
    begun = {pok.student_ref: pok for pok in poks if started(pok)}
    counted = [e for e in evaluations if e.student_ref in begun and e.by in EVALUATORS]
    students = [e for e in counted if e.by == "student"]
    return EvaluationFigures(
        started=len(begun),
        responses=dict(Counter(e.by for e in counted)),
        satisfaction={by: [e.satisfaction for e in counted if e.by == by] for by in EVALUATORS},
        would_again=dict(Counter(e.by for e in counted if e.would_again)),
        answered={phase: sum(1 for e in students if e.discrimination.get(phase) is not None) for phase in PHASES},
        discrimination={phase: sum(1 for e in students if e.experienced((phase,))) for phase in PHASES},
        by_organisation=_groups(begun, counted, lambda pok: pok.organisation_id),
        by_school=_groups(begun, counted, lambda pok: pok.school_id),
    )


def _groups(begun: dict[str, Pok], counted: list[Evaluation], key_of) -> list[GroupFigures]:
    """Per organisation or school (by the POK's ids), sorted by id: never by a score (R135)."""
    starts: Counter = Counter(key_of(pok) for pok in begun.values())
    responses: dict[str, Counter] = defaultdict(Counter)
    discrimination: dict[str, Counter] = defaultdict(Counter)
    for e in counted:
        key = key_of(begun[e.student_ref])
        responses[key][e.by] += 1
        for phase in PHASES:
            discrimination[key][phase] += e.by == "student" and e.experienced((phase,))
    return [GroupFigures(key, starts[key], dict(responses[key]), dict(discrimination[key])) for key in sorted(starts)]


def organisation_signal_counts(evaluations: list[Evaluation]) -> dict[str, int]:
    """organisation_id -> students who experienced discrimination at the kennismaking or during the placement
    there (discrimination while searching is not the organisation's: it shows in the report, not the signal)."""
    return dict(Counter(e.organisation_id for e in evaluations
                        if e.by == "student" and e.organisation_id and e.experienced(ORGANISATION_PHASES)))
