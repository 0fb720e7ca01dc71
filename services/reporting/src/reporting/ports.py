"""Reporting's ports and `Deps`, the one bag of them that every handler and command receives.

The ports: the projections the consumer writes, the views the pages and figures read (with the follow-up
records reporting owns), the desk's sealed case store and its audit log. Publishing goes through the shared
`Publisher`. Adapters (adapters/) implement the ports on Redis, tests/fakes/reporting.py in memory; only
bootstrap.py picks which. Imports the domain, the shared Publisher port and the standard library.
"""

from __future__ import annotations

import abc
from dataclasses import dataclass
from datetime import datetime
from typing import Callable, Sequence

from stagepool_shared.ports import Publisher

from .domain.aftercare import Pok, PokPeople, SchoolContact
from .domain.aftercare_intro import FollowUpTask, Introduction
from .domain.desk import CaseMeta, DeskDeadlines, ReportContent
from .domain.evaluations import Evaluation
from .domain.retention import RetentionPolicy
from .domain.figures import PeriodSnapshot, PlaceFact, PlacementFact, RoundFact, WishFact
from .domain.followup import ContactMoment

__all__ = ["AbstractAftercareStore", "AbstractAuditLog", "AbstractDeskStore", "AbstractIntakeLookups",
           "AbstractProjections", "AbstractStudentDirectory", "AbstractViews", "Deps", "Publisher"]


class AbstractProjections(abc.ABC):
    """Writes the projections of consumed events; every write lands at most once per event id (it returns
    False for an event seen before)."""

    @abc.abstractmethod
    def put_wish(self, event_id: str, region_id: str, period_id: str, wish: WishFact) -> bool: ...

    @abc.abstractmethod
    def end_wish(self, event_id: str, region_id: str, period_id: str, student_ref: str, school_id: str,
                 status: str) -> bool: ...

    @abc.abstractmethod
    def put_place(self, event_id: str, region_id: str, period_id: str, place: PlaceFact) -> bool: ...

    @abc.abstractmethod
    def withdraw_place(self, event_id: str, region_id: str, period_id: str, place_id: str,
                       organisation_id: str) -> bool: ...

    @abc.abstractmethod
    def put_round_meta(self, event_id: str, round_id: str, fields: dict[str, str]) -> bool: ...

    @abc.abstractmethod
    def add_released_part(self, event_id: str, round_id: str, region_id: str, period_id: str, released_at: str,
                          part: int, parts: int, outcomes: dict[str, str]) -> bool: ...

    @abc.abstractmethod
    def period_of_round(self, round_id: str) -> str | None: ...

    @abc.abstractmethod
    def update_placement(self, event_id: str, region_id: str, period_id: str, student_ref: str, school_id: str,
                         status: str, counters: dict[str, int], signal: tuple[str, str] | None = None) -> bool: ...

    @abc.abstractmethod
    def count(self, event_id: str, region_id: str, period_id: str, counters: dict[str, int]) -> bool: ...

    @abc.abstractmethod
    def signal(self, event_id: str, region_id: str, organisation_id: str, kind: str) -> bool: ...

    @abc.abstractmethod
    def erase_student(self, event_id: str, student_ref: str) -> bool: ...


class AbstractViews(abc.ABC):
    """Reads the projections, and keeps the follow-up records reporting owns (contact moments, evaluations)."""

    @abc.abstractmethod
    def periods(self) -> list[tuple[str, str]]:
        """Every (region, period) reporting has seen, sorted."""

    @abc.abstractmethod
    def organisation_names(self, region_id: str) -> dict[str, str]:
        """organisation_id -> name of every organisation with a place in the region (any period)."""

    @abc.abstractmethod
    def snapshot(self, region_id: str, period_id: str, desk_by_status: dict[str, int]) -> PeriodSnapshot: ...

    @abc.abstractmethod
    def placement(self, region_id: str, period_id: str, student_ref: str) -> PlacementFact | None: ...

    @abc.abstractmethod
    def wish(self, region_id: str, period_id: str, student_ref: str) -> WishFact | None: ...

    @abc.abstractmethod
    def place(self, region_id: str, period_id: str, place_id: str) -> PlaceFact | None: ...

    @abc.abstractmethod
    def student_periods(self, student_ref: str) -> list[tuple[str, str]]: ...

    @abc.abstractmethod
    def student_rounds(self, region_id: str, period_id: str, student_ref: str) -> list[tuple[RoundFact, dict]]:
        """(round, the student's outcome in it) of every released round of the period, oldest first (issue
        14.10: the rounds of one student's story)."""

    @abc.abstractmethod
    def organisation_placements(self, region_id: str, organisation_id: str) -> list[tuple[str, PlacementFact]]: ...

    @abc.abstractmethod
    def signal_counts(self, region_id: str) -> dict[str, dict[str, int]]:
        """{organisation_id: {kind: count}} of a region."""

    @abc.abstractmethod
    def signal_regions(self) -> list[str]: ...

    @abc.abstractmethod
    def contact_moments(self, region_id: str, period_id: str, student_ref: str) -> list[ContactMoment]: ...

    @abc.abstractmethod
    def add_contact_moment(self, region_id: str, period_id: str, student_ref: str, moment: ContactMoment,
                           exception: bool) -> None: ...

    @abc.abstractmethod
    def put_evaluation(self, region_id: str, period_id: str, student_ref: str, by: str, answers: dict) -> None: ...

    @abc.abstractmethod
    def period_evaluations(self, region_id: str, period_id: str) -> list[Evaluation]:
        """Every end evaluation of the period, one per placement and evaluator (issue 20.5)."""

    @abc.abstractmethod
    def anonymise_followup(self, region_id: str, period_id: str, student_ref: str, anon_ref: str) -> None:
        """Retention (R155): the student's wish, placement, contact moments, exception and evaluations of the
        period now stand under `anon_ref`, coarsened (domain/retention.py: no place, round or time of the
        placement); their round outcomes and the period in their index go; nothing under the pseudonym is left."""


class AbstractDeskStore(abc.ABC):
    """Desk cases: metadata in clear, the report content sealed at rest."""

    @abc.abstractmethod
    def add(self, case: CaseMeta, content: ReportContent) -> None: ...

    @abc.abstractmethod
    def case(self, report_id: str) -> CaseMeta | None: ...

    @abc.abstractmethod
    def content(self, report_id: str) -> ReportContent | None: ...

    @abc.abstractmethod
    def save(self, case: CaseMeta, content: ReportContent | None = None) -> None:
        """Replace a case's metadata (and its content, when given)."""

    @abc.abstractmethod
    def cases(self, region_id: str) -> list[CaseMeta]: ...

    @abc.abstractmethod
    def regions(self) -> list[str]: ...


class AbstractAuditLog(abc.ABC):
    """The desk's append-only record of who did what to which case (never the content)."""

    @abc.abstractmethod
    def append(self, who: str, role: str, action: str, report_id: str, outcome: str) -> None: ...


class AbstractAftercareStore(abc.ABC):
    """Aftercare records reporting owns (issue 20): POKs (people sealed at rest), the school contact per
    organisation (sealed), kennismakingen and the school's follow-up tasks."""

    @abc.abstractmethod
    def create_pok(self, event_id: str, pok: Pok) -> bool:
        """Store a new draft once per triggering event; False when seen before or the student's POK of the period
        is for this place already. A POK for another place (its placement failed or was refused, and the student
        accepted a new one) moves to the student's POK history of the period, its people with it; the draft
        (an id of its own) takes its place."""

    @abc.abstractmethod
    def pok(self, region_id: str, period_id: str, student_ref: str) -> Pok | None: ...

    @abc.abstractmethod
    def pok_people(self, pok_id: str) -> PokPeople: ...

    @abc.abstractmethod
    def save_pok(self, pok: Pok, people: PokPeople | None = None) -> None: ...

    @abc.abstractmethod
    def poks(self, region_id: str) -> list[Pok]: ...

    @abc.abstractmethod
    def school_contact(self, region_id: str, school_id: str, organisation_id: str) -> SchoolContact | None: ...

    @abc.abstractmethod
    def put_school_contact(self, region_id: str, school_id: str, organisation_id: str,
                           contact: SchoolContact) -> None: ...

    @abc.abstractmethod
    def introduction(self, region_id: str, period_id: str, student_ref: str) -> Introduction | None: ...

    @abc.abstractmethod
    def save_introduction(self, intro: Introduction) -> None: ...

    @abc.abstractmethod
    def tasks(self, region_id: str, school_id: str) -> list[FollowUpTask]: ...

    @abc.abstractmethod
    def save_task(self, task: FollowUpTask) -> None: ...

    @abc.abstractmethod
    def introductions(self, region_id: str) -> list[Introduction]: ...

    @abc.abstractmethod
    def evaluations_announced(self, region_id: str) -> set[str]:
        """The POKs (ids) whose opened end evaluation was announced as `evaluation.opened` (issue 20.5)."""

    @abc.abstractmethod
    def mark_evaluation_announced(self, region_id: str, pok_id: str) -> None: ...

    @abc.abstractmethod
    def anonymise_student(self, region_id: str, period_id: str, student_ref: str, anon_ref: str) -> None:
        """Retention (R155): the student's POK of the period stands under `anon_ref` (domain/retention.py
        `anonymous_pok`) without its people; their earlier POKs of the period (history) with their people and
        their kennismaking are deleted; their tasks of the period stand under `anon_ref`."""

    @abc.abstractmethod
    def erase_student(self, region_id: str, student_ref: str) -> None:
        """Erasure (`student.erased`): every POK of the student (history and people included), kennismaking and
        task goes; doing it twice does no harm."""


class AbstractStudentDirectory(abc.ABC):
    """Intake's names of a school's own students, asked per view for the printed POK, never stored."""

    @abc.abstractmethod
    def name(self, school_id: str, student_ref: str) -> str | None: ...


class AbstractPlanningBoard(abc.ABC):
    """The planning lines of the supply-and-demand board (issue 16.3): demand and supply forecasts and the
    organisations' participation, the latest line per key; and the region's warning threshold."""

    @abc.abstractmethod
    def put_line(self, event_id: str, region_id: str, kind: str, key: str, line: dict) -> bool:
        """Keep `line` as the latest of (region, kind, key) with the processed marker of the event, in one
        transaction; False (and nothing changed) for an event seen before. kind: demand | supply | participation."""

    @abc.abstractmethod
    def lines(self, region_id: str, kind: str) -> list[dict]: ...

    @abc.abstractmethod
    def drop_lines(self, event_id: str, region_id: str, kind: str, key_prefix: str) -> bool:
        """Remove the lines of (region, kind) whose key starts with `key_prefix` (a student's variant-2 offers on
        erasure), with the processed marker of the event; False for an event seen before."""

    @abc.abstractmethod
    def regions(self) -> list[str]:
        """Every region with a planning line."""

    @abc.abstractmethod
    def threshold(self, region_id: str) -> int | None:
        """The gap at which the region's board warns (None: the default)."""

    @abc.abstractmethod
    def put_threshold(self, region_id: str, threshold: int) -> None: ...


class AbstractIntakeLookups(abc.ABC):
    """What the coordinator's pages ask intake per request (issue 14): schools' display names (14.16) and a
    student's pseudonym from school and student number (14.10). Never a student's name; nothing is stored."""

    @abc.abstractmethod
    def school_names(self, school_ids: Sequence[str]) -> dict[str, str]:
        """Display name per school id intake knows (others left out); IntakeUnavailable when it cannot answer."""

    @abc.abstractmethod
    def student_ref(self, region_id: str, school_id: str, student_number: str) -> str | None:
        """The pseudonym, None when intake knows no such student in the region; IntakeUnavailable when intake
        cannot answer."""


@dataclass
class Deps:
    """What every handler and command works with: the ports, the clock and the values they need of Settings."""

    projections: AbstractProjections
    views: AbstractViews
    desk_store: AbstractDeskStore
    audit: AbstractAuditLog
    publisher: Publisher
    clock: Callable[[], datetime]
    deadlines: DeskDeadlines
    escalation_threshold: int
    aftercare: AbstractAftercareStore | None = None
    directory: AbstractStudentDirectory | None = None
    retention: RetentionPolicy = RetentionPolicy()
    lookups: AbstractIntakeLookups | None = None  # None: no intake (schools by id, no search by number)
    planning: AbstractPlanningBoard | None = None  # the board's planning lines (issue 16.3); bootstrap sets it
    board_threshold: int = 10  # the board's warning gap until the region sets its own (issue 16.3)
    contact_remind_days: int = 3  # the lead of a contact-moment reminder (issue 20.4)
    evaluation_open_days: int = 14  # the end evaluation opens this many days before the POK's end (issue 20.5)
