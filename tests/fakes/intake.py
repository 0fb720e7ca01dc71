"""Intake's own test doubles and sample input: its store and idempotency-key store in dictionaries, valid
wish/place/period input, and a recorder of the request deadline each publish runs under.

The shared doubles (FakePublisher, FakeKeyValue, ...) are in tests/fakes/common.py.
"""

from __future__ import annotations

import copy
from typing import Any, Callable, Sequence

from intake.domain.model import Period, PlaceRecord, School, StoredWrite, Student, WishRecord
from intake.domain.status import PlacementStatus, is_pending
from intake.ports import AbstractIdempotencyStore, AbstractIntakeStore, Statuses
from stagepool_shared import deadline

from .common import FakePublisher

CANARY_NAME = "CANARY-Zwaantje-Kwibus"
CANARY_EMAIL = "canary.kwibus@example.org"

STUDENT: dict[str, Any] = {
    "student_number": "S1001", "name": CANARY_NAME, "email": CANARY_EMAIL, "phone": "06 1234 5678",
    "address": "Grote Markt 1", "postcode": "9711 AB", "date_of_birth": "2009-03-15",
}
WISH: dict[str, Any] = {
    "period_id": "p2027a", "sector": "zorg", "crebo": "25491", "level": 3, "study_year": 1, "pathway": "bol",
    "home": {"postcode": "9711 AB"}, "max_travel_minutes": 45, "transport_mode": "bike",
    "needs_allowance": True, "activities": ["adl_support"], "preferred_org_types": ["vvt"],
    "support_needs": ["extra_supervision"], "leerwens": "Ik wil leren werken in een klein team.",
}
PLACE: dict[str, Any] = {
    "period_id": "p2027a", "organisation_name": "Zorggroep Noord", "sector": "zorg", "org_type": "vvt",
    "location": {"postcode": "9401"}, "address": "Zorgweg 2, Assen", "crebos": ["25491"], "levels": [2, 3],
    "slots": 4, "supervision_capacity": 2, "activities": ["adl_support"],
    "contact": {"name": "Mevr. de Vries", "email": "stage@zorggroep.example"},
}
PERIOD: dict[str, Any] = {"period_id": "p2027a", "name": "Voorjaar 2027", "starts_on": "2027-02-01",
                          "ends_on": "2027-06-30", "sectors": ["zorg", "welzijn"]}


def submission(**changes: Any) -> dict[str, Any]:
    """A valid wish submission; `student_number=...` or `wish_level=...` style changes."""
    body = {"student": copy.deepcopy(STUDENT), "wish": copy.deepcopy(WISH)}
    for key, value in changes.items():
        part, _, name = key.partition("_")
        body[part][name] = value
    return body


def record_publish_deadlines(publisher: FakePublisher, monkeypatch: Any) -> list[float | None]:
    """The request deadline in force at each publish_all of `publisher` (stagepool_shared.deadline.current())."""
    seen: list[float | None] = []
    publish_all = publisher.publish_all

    def recording(envelopes: Any, topic: str | None = None) -> None:
        seen.append(deadline.current())
        publish_all(envelopes, topic)

    monkeypatch.setattr(publisher, "publish_all", recording)
    return seen


class FakePlacementStatuses:
    """Placement statuses in a dictionary (a mixin of FakeIntakeStore); same behaviour as the Redis store."""

    statuses: dict[str, dict[str, PlacementStatus]]
    processed: set[str]

    def placement_statuses(self, student_ref: str) -> dict[str, PlacementStatus]:
        return {k: v for k, v in sorted(self.statuses.get(student_ref, {}).items()) if not is_pending(k)}

    def change_placement_statuses(self, marker: str, student_refs: Sequence[str],
                                  change: Callable[[Statuses], Statuses]) -> bool:
        if marker in self.processed:
            return False
        self.processed.add(marker)
        current = {ref: dict(self.statuses.get(ref, {})) for ref in sorted(set(student_refs))}
        for ref, periods in change(current).items():
            self.statuses.setdefault(ref, {}).update(periods)
        return True


class FakeIntakeStore(FakePlacementStatuses, AbstractIntakeStore):
    """Intake's state in dictionaries; same behaviour as the Redis store."""

    def __init__(self) -> None:
        self.periods: dict[str, Period] = {}
        self.schools: dict[str, School] = {}
        self.students: dict[str, Student] = {}
        self.wishes: dict[tuple[str, str], WishRecord] = {}
        self.places: dict[str, PlaceRecord] = {}
        self.released: dict[str, str] = {}
        self.released_places: set[str] = set()
        self.processed: set[str] = set()
        self.statuses: dict[str, dict[str, PlacementStatus]] = {}

    def save_period(self, period: Period) -> None:
        self.periods[period.period_id] = period

    def get_period(self, period_id: str) -> Period | None:
        return self.periods.get(period_id)

    def list_periods(self) -> list[Period]:
        return [self.periods[k] for k in sorted(self.periods)]

    def save_school(self, school: School) -> None:
        self.schools[school.school_id] = school

    def get_school(self, school_id: str) -> School | None:
        return self.schools.get(school_id)

    def apply(self, write: StoredWrite) -> None:
        for student in write.students:
            self.students[student.student_ref] = student
        for wish in write.wishes:
            self.wishes[(wish.student_ref, wish.period_id)] = wish
        for place in write.places:
            self.places[place.place_id] = place

    def get_student(self, student_ref: str) -> Student | None:
        return self.students.get(student_ref)

    def get_wish(self, student_ref: str, period_id: str) -> WishRecord | None:
        return self.wishes.get((student_ref, period_id))

    def get_wishes(self, keys: Sequence[tuple[str, str]]) -> dict[tuple[str, str], WishRecord]:
        return {key: self.wishes[key] for key in keys if key in self.wishes}

    def wishes_of_student(self, student_ref: str) -> list[WishRecord]:
        return [w for (ref, _), w in sorted(self.wishes.items()) if ref == student_ref]

    def students_of_school(self, school_id: str) -> list[str]:
        return sorted(r for r, s in self.students.items() if s.school_id == school_id)

    def wishes_of_period(self, period_id: str) -> list[WishRecord]:
        return [w for (_, period), w in sorted(self.wishes.items()) if period == period_id]

    def erase_student(self, student_ref: str) -> None:
        self.students.pop(student_ref, None)
        self.released.pop(student_ref, None)
        self.statuses.pop(student_ref, None)
        for key in [k for k in self.wishes if k[0] == student_ref]:
            del self.wishes[key]

    def get_place(self, place_id: str) -> PlaceRecord | None:
        return self.places.get(place_id)

    def places_of_organisation(self, organisation_id: str) -> list[str]:
        return sorted(p for p, r in self.places.items() if r.organisation_id == organisation_id)

    def places_of_period(self, period_id: str) -> list[PlaceRecord]:
        return [r for _, r in sorted(self.places.items()) if r.period_id == period_id]

    def mark_released(self, event_id: str, student_refs: Sequence[str], place_ids: Sequence[str] = ()) -> bool:
        if event_id in self.processed:
            return False
        self.processed.add(event_id)
        self.released.update({ref: event_id for ref in student_refs})
        self.released_places.update(place_ids)
        return True

    def is_released(self, student_ref: str) -> bool:
        return student_ref in self.released

    def is_place_released(self, place_id: str) -> bool:
        return place_id in self.released_places


class FakeIdempotencyStore(AbstractIdempotencyStore):
    """Idempotency records in a dictionary (no expiry)."""

    def __init__(self) -> None:
        self.records: dict[str, dict[str, Any]] = {}

    def get(self, key: str) -> dict[str, Any] | None:
        return self.records.get(key)

    def put(self, key: str, record: dict[str, Any]) -> None:
        self.records[key] = record
