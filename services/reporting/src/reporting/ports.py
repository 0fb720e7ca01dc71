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
from typing import Callable

from stagepool_shared.ports import Publisher

from .domain.desk import CaseMeta, DeskDeadlines, ReportContent
from .domain.figures import PeriodSnapshot, PlaceFact, PlacementFact, RoundFact, WishFact
from .domain.followup import ContactMoment

__all__ = ["AbstractAuditLog", "AbstractDeskStore", "AbstractProjections", "AbstractViews", "Deps", "Publisher"]


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
