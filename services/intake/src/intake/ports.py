"""The ports intake's handlers talk to: its own store, the idempotency-key store and the publisher.

Adapters implement them (Redis in production, in memory for unit tests and the bench's dry runs).
Imports the domain model only.
"""

from __future__ import annotations

import abc
from typing import Any, Protocol, Sequence

from stagepool_shared.envelope import Envelope

from .domain.model import Period, PlaceRecord, School, StoredWrite, Student, WishRecord


class Publisher(Protocol):
    """Publishes events and returns only after Kafka acknowledged them (PublishFailed otherwise)."""

    def publish(self, envelope: Envelope, topic: str | None = None) -> None: ...

    def publish_all(self, envelopes: Sequence[Envelope], topic: str | None = None) -> None: ...


class AbstractIntakeStore(abc.ABC):
    """Intake's state: periods, schools, personal data, wishes, places and released students."""

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
    def wish_statuses(self, keys: Sequence[tuple[str, str]]) -> dict[tuple[str, str], str]:
        """The status of each stored wish among (student_ref, period_id) keys; absent ones are left out."""

    @abc.abstractmethod
    def wishes_of_student(self, student_ref: str) -> list[WishRecord]: ...

    @abc.abstractmethod
    def students_of_school(self, school_id: str) -> list[str]: ...

    @abc.abstractmethod
    def erase_student(self, student_ref: str) -> None:
        """Remove the personal data, the wishes and every index entry of a student."""

    @abc.abstractmethod
    def get_place(self, place_id: str) -> PlaceRecord | None: ...

    @abc.abstractmethod
    def places_of_organisation(self, organisation_id: str) -> list[str]: ...

    @abc.abstractmethod
    def mark_released(self, event_id: str, student_refs: Sequence[str]) -> bool:
        """Record released students once per event id; False when the event was seen before."""

    @abc.abstractmethod
    def is_released(self, student_ref: str) -> bool: ...


class AbstractIdempotencyStore(abc.ABC):
    """Remembers the answer given to an Idempotency-Key for a while."""

    @abc.abstractmethod
    def get(self, key: str) -> dict[str, Any] | None: ...

    @abc.abstractmethod
    def put(self, key: str, record: dict[str, Any]) -> None: ...
