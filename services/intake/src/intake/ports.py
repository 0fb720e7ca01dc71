"""The ports intake's commands and handlers talk to (its own store, the idempotency-key store, the shared
`Publisher`) and `Deps`, the bag of them handed to every command and handler.

Adapters implement the ports (Redis in production; the doubles in tests/fakes/intake.py for unit tests).
Imports the domain model, the shared Publisher port and the webhook target policy only.
"""

from __future__ import annotations

import abc
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any, Callable, Mapping, Sequence

from stagepool_shared.net import TargetPolicy
from stagepool_shared.ports import Publisher

from .domain.model import Period, PlaceRecord, School, StoredWrite, Student, WishRecord, new_place_id
from .domain.planning import ParticipationRecord
from .domain.recognition import Register
from .domain.status import PlacementStatus


#: The placement statuses of some students, by student_ref and period_id.
Statuses = Mapping[str, Mapping[str, PlacementStatus]]


class AbstractPlacementStatuses(abc.ABC):
    """What the school sees of its students after release (issue 14.8), kept from the round and placement
    events: codes and ids only."""

    @abc.abstractmethod
    def placement_statuses(self, student_ref: str) -> dict[str, PlacementStatus]:
        """The student's current status per period ({} before any release)."""

    @abc.abstractmethod
    def change_placement_statuses(self, marker: str, student_refs: Sequence[str],
                                  change: Callable[[Statuses], Statuses]) -> bool:
        """Store `change(current statuses of these students)` and the processed `marker` in one transaction;
        False (and nothing changed) when the marker was processed before."""


class AbstractIntakeStore(AbstractPlacementStatuses):
    """Intake's state: periods, schools, personal data, wishes, places, released students and their placement
    statuses."""

    @abc.abstractmethod
    def save_period(self, period: Period) -> None: ...

    @abc.abstractmethod
    def get_period(self, period_id: str) -> Period | None: ...

    @abc.abstractmethod
    def list_periods(self) -> list[Period]: ...

    @abc.abstractmethod
    def save_school(self, school: School) -> None: ...

    @abc.abstractmethod
    def get_school(self, school_id: str) -> School | None: ...

    @abc.abstractmethod
    def apply(self, write: StoredWrite) -> None:
        """Store students, wishes and places of one accepted command in one transaction."""

    @abc.abstractmethod
    def get_student(self, student_ref: str) -> Student | None: ...

    @abc.abstractmethod
    def get_wish(self, student_ref: str, period_id: str) -> WishRecord | None: ...

    @abc.abstractmethod
    def get_wishes(self, keys: Sequence[tuple[str, str]]) -> dict[tuple[str, str], WishRecord]:
        """Each stored wish among (student_ref, period_id) keys; absent ones are left out."""

    @abc.abstractmethod
    def wishes_of_student(self, student_ref: str) -> list[WishRecord]: ...

    @abc.abstractmethod
    def students_of_school(self, school_id: str) -> list[str]: ...

    @abc.abstractmethod
    def wishes_of_period(self, period_id: str) -> list[WishRecord]:
        """Every stored wish of a period (any status), for the deadline reminders (issue 15.4)."""

    def index_wishes_by_period(self) -> int:
        """Add the wishes stored before `wishes_of_period` had its index to that index; the number added. A
        store that always kept the index has nothing to do."""
        return 0

    @abc.abstractmethod
    def erase_student(self, student_ref: str) -> None:
        """Remove the personal data, the wishes and every index entry of a student."""

    @abc.abstractmethod
    def get_place(self, place_id: str) -> PlaceRecord | None: ...

    @abc.abstractmethod
    def places_of_organisation(self, organisation_id: str) -> list[str]: ...

    @abc.abstractmethod
    def places_of_period(self, period_id: str) -> list[PlaceRecord]:
        """Every place posted for a period (active and withdrawn), for the students' catalogue."""

    @abc.abstractmethod
    def mark_released(self, event_id: str, student_refs: Sequence[str], place_ids: Sequence[str] = ()) -> bool:
        """Record released students (and the places students were released to) once per event id; False when
        the event was seen before."""

    @abc.abstractmethod
    def is_released(self, student_ref: str) -> bool: ...

    @abc.abstractmethod
    def is_place_released(self, place_id: str) -> bool:
        """Whether a released round placed a student at this place (its contact person may then be told)."""


class AbstractPlanningStore(abc.ABC):
    """Capacity planning's records (issue 16): a school's demand lines, an organisation's supply lines and
    participation, a region's recognition register and its recognition mode. Lines are dicts in wire form,
    keyed by `domain.planning.forecast_key` / `supply_key`; each `put_*` merges in one transaction."""

    @abc.abstractmethod
    def forecasts(self, school_id: str) -> dict[str, dict[str, Any]]: ...

    @abc.abstractmethod
    def put_forecasts(self, school_id: str, lines: Mapping[str, dict[str, Any]]) -> None: ...

    @abc.abstractmethod
    def supply(self, organisation_id: str) -> dict[str, dict[str, Any]]: ...

    @abc.abstractmethod
    def put_supply(self, organisation_id: str, lines: Mapping[str, dict[str, Any]]) -> None: ...

    @abc.abstractmethod
    def participation(self, organisation_id: str, school_year: str) -> ParticipationRecord | None: ...

    @abc.abstractmethod
    def put_participation(self, record: ParticipationRecord) -> None: ...

    @abc.abstractmethod
    def register(self, region_id: str) -> Register: ...

    @abc.abstractmethod
    def put_register(self, region_id: str, register: Register) -> None:
        """Replace the region's register whole (recognitions and equivalent codes)."""

    @abc.abstractmethod
    def flags(self, region_id: str) -> dict[str, dict[str, Any]]:
        """place id -> {organisation_id, period_id, crebos not recognised} ([] crebos: the flag was cleared)."""

    @abc.abstractmethod
    def put_flags(self, region_id: str, flags: Mapping[str, dict[str, Any]]) -> None: ...

    @abc.abstractmethod
    def recognition_mode(self, region_id: str) -> str:
        """refuse or flag (flag when the region never chose)."""

    @abc.abstractmethod
    def put_recognition_mode(self, region_id: str, mode: str) -> None: ...

    @abc.abstractmethod
    def variants(self, school_id: str) -> dict[str, dict[str, Any]]:
        """The school's matching variants (issue 15.3): `domain.variants.variant_key` -> {period_id, crebo,
        variant, candidates}."""

    @abc.abstractmethod
    def put_variant(self, school_id: str, line: Mapping[str, Any]) -> None:
        """Store one variant line (replacing the one of the same period and crebo)."""

    @abc.abstractmethod
    def candidates(self, student_ref: str, period_id: str) -> list[str]:
        """The candidate places offered to a variant-2 student in a period, best first ([] before an offer)."""

    @abc.abstractmethod
    def put_candidates(self, student_ref: str, period_id: str, place_ids: Sequence[str]) -> None: ...

    @abc.abstractmethod
    def drop_candidates(self, student_ref: str) -> None:
        """Forget every offer made to the student (erasure)."""


class AbstractIdempotencyStore(abc.ABC):
    """Remembers the answer given to an Idempotency-Key for a while."""

    @abc.abstractmethod
    def get(self, key: str) -> dict[str, Any] | None: ...

    @abc.abstractmethod
    def put(self, key: str, record: dict[str, Any]) -> None: ...


@dataclass(frozen=True)
class Deps:
    """What every command and handler of intake works with.

    `pseudonym_secret` keys the student pseudonyms; `new_place_id` names a newly posted place.
    """

    store: AbstractIntakeStore
    publisher: Publisher
    idempotency: AbstractIdempotencyStore
    pseudonym_secret: bytes
    new_place_id: Callable[[], str] = new_place_id
    webhook_targets: TargetPolicy = TargetPolicy()  # which school webhook URLs are allowed (issue 19.8)
    planning: AbstractPlanningStore | None = None  # forecasts, supply, register (issue 16); bootstrap sets it
    clock: Callable[[], datetime] = lambda: datetime.now(UTC)  # the wish deadline of the catalogue (issue 15.2)
