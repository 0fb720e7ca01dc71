"""Intake's own records: periods, schools, students' personal data, wishes and places as stored.

Plain frozen dataclasses; the stored wish and place carry their objective event payload in wire form
(a dict) next to what stays in intake (status, free-text leerwens). Pure Python.
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass, field, replace
from datetime import date
from typing import Any

WISH_ACTIVE = "active"
WISH_WITHDRAWN = "withdrawn"
WISH_OPTED_OUT = "opted_out"
PLACE_ACTIVE = "active"
PLACE_WITHDRAWN = "withdrawn"


def new_place_id() -> str:
    """A fresh, random place id."""
    return "pl_" + uuid.uuid4().hex[:20]


@dataclass(frozen=True)
class Period:
    """A placement period of a region, created by its regional coordinator."""

    period_id: str
    region_id: str
    name: str
    starts_on: date
    ends_on: date
    sectors: tuple[str, ...] = ()
    wishes_until: date | None = None  # last day (Amsterdam) students change their top 3 (issue 15.2); None: open
    choices_until: date | None = None  # last day (Amsterdam) variant-2 students choose a candidate (issue 15.3)


@dataclass(frozen=True)
class School:
    """A school in a region, with the contact address the notifier uses."""

    school_id: str
    region_id: str
    name: str
    contact_email: str
    webhook_url: str | None = None


@dataclass(frozen=True)
class Student:
    """A student's personal data: it never leaves intake, and is keyed by the pseudonym."""

    student_ref: str
    school_id: str
    student_number: str
    name: str
    email: str
    date_of_birth: date
    phone: str = ""
    address: str = ""
    postcode: str = ""


@dataclass(frozen=True)
class WishRecord:
    """A stored wish: the objective payload that was published, its status and the free-text leerwens.

    `event_id` and `event_type` name the event that wrote it, so that a retry of the same request (same
    Idempotency-Key, hence the same event id) republishes that very event even when the first try was stored
    before its instance died: a submission stays `wish.submitted`, not an update of itself.
    """

    student_ref: str
    school_id: str
    period_id: str
    payload: dict[str, Any]
    status: str = WISH_ACTIVE
    leerwens: str = ""
    event_id: str = ""
    event_type: str = ""

    def written_by(self, event_id: str, event_type: str, **changes: Any) -> "WishRecord":
        """This record as the event `event_id` (of `event_type`) writes it, with `changes`."""
        return replace(self, event_id=event_id, event_type=event_type, **changes)


@dataclass(frozen=True)
class PlaceRecord:
    """A stored place: the published payload and its status."""

    place_id: str
    organisation_id: str
    period_id: str
    payload: dict[str, Any]
    status: str = PLACE_ACTIVE


@dataclass(frozen=True)
class PlaceContact:
    """What the notifier may learn about a released place: its contact person (issue 19.4)."""

    place_id: str
    organisation_id: str
    name: str
    email: str
    phone: str = ""


@dataclass(frozen=True)
class Contact:
    """What the notifier may learn about a released student."""

    student_ref: str
    school_id: str
    name: str
    email: str
    phone: str = ""


@dataclass(frozen=True)
class StoredWrite:
    """Everything one accepted command writes, applied in one transaction after Kafka acknowledged."""

    students: list[Student] = field(default_factory=list)
    wishes: list[WishRecord] = field(default_factory=list)
    places: list[PlaceRecord] = field(default_factory=list)
