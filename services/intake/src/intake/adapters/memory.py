"""In-memory implementations of intake's store ports, for unit tests and dry runs (no network)."""

from __future__ import annotations

from typing import Any, Sequence

from ..domain.model import Period, PlaceRecord, School, StoredWrite, Student, WishRecord
from ..ports import AbstractIdempotencyStore, AbstractIntakeStore


class InMemoryIntakeStore(AbstractIntakeStore):
    """Intake's state in dictionaries; same behaviour as the Redis store."""

    def __init__(self) -> None:
        self.periods: dict[str, Period] = {}
        self.schools: dict[str, School] = {}
        self.students: dict[str, Student] = {}
        self.wishes: dict[tuple[str, str], WishRecord] = {}
        self.places: dict[str, PlaceRecord] = {}
        self.released: dict[str, str] = {}
        self.processed: set[str] = set()

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

    def wish_statuses(self, keys: Sequence[tuple[str, str]]) -> dict[tuple[str, str], str]:
        return {key: self.wishes[key].status for key in keys if key in self.wishes}

    def wishes_of_student(self, student_ref: str) -> list[WishRecord]:
        return [w for (ref, _), w in sorted(self.wishes.items()) if ref == student_ref]

    def students_of_school(self, school_id: str) -> list[str]:
        return sorted(r for r, s in self.students.items() if s.school_id == school_id)

    def erase_student(self, student_ref: str) -> None:
        self.students.pop(student_ref, None)
        self.released.pop(student_ref, None)
        for key in [k for k in self.wishes if k[0] == student_ref]:
            del self.wishes[key]

    def get_place(self, place_id: str) -> PlaceRecord | None:
        return self.places.get(place_id)

    def places_of_organisation(self, organisation_id: str) -> list[str]:
        return sorted(p for p, r in self.places.items() if r.organisation_id == organisation_id)

    def mark_released(self, event_id: str, student_refs: Sequence[str]) -> bool:
        if event_id in self.processed:
            return False
        self.processed.add(event_id)
        self.released.update({ref: event_id for ref in student_refs})
        return True

    def is_released(self, student_ref: str) -> bool:
        return student_ref in self.released


class InMemoryIdempotencyStore(AbstractIdempotencyStore):
    """Idempotency records in a dictionary (no expiry)."""

    def __init__(self) -> None:
        self.records: dict[str, dict[str, Any]] = {}

    def get(self, key: str) -> dict[str, Any] | None:
        return self.records.get(key)

    def put(self, key: str, record: dict[str, Any]) -> None:
        self.records[key] = record
