"""Builders: validated input (dicts from the edge schemas) -> event payloads and stored records.

Here the blind-by-construction rule is applied: the Wish payload is built from objective criteria only (the
fields of the contract's Wish; the edge schema accepts no others, and the free-text leerwens is not one);
the date of birth becomes an age at the period's start, a postcode its PC4 area.
Imports the domain and the shared event dataclasses (no marshmallow).
"""

from __future__ import annotations

from dataclasses import fields, is_dataclass
from datetime import date
from typing import Any

from stagepool_shared.events.base import Location
from stagepool_shared.events.places import Place, PlaceWithdrawn, Reservation
from stagepool_shared.events.wishes import Wish

from .domain.age import age_at_start
from .domain.forbidden import demand_problems
from .domain.location import Area, coarse_area
from .domain.model import Period, PlaceRecord, Student, WishRecord
from .errors import InvalidInput


_WISH_FIELDS = frozenset(f.name for f in fields(Wish))
_PLACE_FIELDS = frozenset(f.name for f in fields(Place))
#: The free text of a place in which an organisation states what it asks (screened for personal demands, R40);
#: names (of the organisation, the town) are not screened: "Origin Foods" is a name, not a demand.
PLACE_FREE_TEXT = ("description",)


def _criteria(data: dict[str, Any], names: frozenset[str]) -> dict[str, Any]:
    """The validated input values that go into the payload as they are (the rest keep their defaults)."""
    return {key: value for key, value in data.items() if key in names}


def _location(area: Area) -> Location:
    return Location(pc4=area.pc4, lat=area.lat, lon=area.lon)


def _check_sector(period: Period, sector: str, field: str) -> None:
    if period.sectors and sector not in period.sectors:
        raise InvalidInput({field: [f"This period is for: {', '.join(period.sectors)}."]})


def wish(ref: str, school_id: str, period: Period, student: dict[str, Any],
         data: dict[str, Any]) -> tuple[Wish, WishRecord]:
    """The objective Wish payload and the stored record (which also keeps the free-text leerwens)."""
    _check_sector(period, data["sector"], "wish.sector")
    home = data["home"]
    area = coarse_area(home["postcode"], home.get("lat"), home.get("lon"), field="wish.home")
    payload = Wish(**_criteria(data, _WISH_FIELDS) | dict(
        student_ref=ref, school_id=school_id, region_id=period.region_id, period_id=period.period_id,
        home=_location(area), age_at_start=age_at_start(student["date_of_birth"], period.starts_on),
    ))
    record = WishRecord(student_ref=ref, school_id=school_id, period_id=period.period_id,
                        payload=wire(payload), leerwens=data.get("leerwens", ""))
    return payload, record


def student(ref: str, school_id: str, data: dict[str, Any]) -> Student:
    """The personal record kept in intake only."""
    return Student(student_ref=ref, school_id=school_id, student_number=data["student_number"],
                   name=data["name"], email=data["email"], date_of_birth=data["date_of_birth"],
                   phone=data.get("phone", ""), address=data.get("address", ""), postcode=data.get("postcode", ""))


def place(place_id: str, organisation_id: str, period: Period, data: dict[str, Any]) -> tuple[Place, PlaceRecord]:
    """The Place payload and its stored record. The contact person is kept in the record only: it never
    travels on the places topic, and leaves intake only over the internal call after release (issue 19.4).
    So is the free-text description of the work, shown in the students' catalogue; it is screened first for
    demands about personal characteristics (R40)."""
    _check_sector(period, data["sector"], "sector")
    demands = demand_problems(data, PLACE_FREE_TEXT)
    if demands:
        raise InvalidInput(demands)
    loc = data["location"]
    area = coarse_area(loc["postcode"], loc.get("lat"), loc.get("lon"), field="location")
    contact = data.get("contact")
    start = data.get("start_date")
    payload = Place(**_criteria(data, _PLACE_FIELDS) | dict(
        place_id=place_id, organisation_id=organisation_id, region_id=period.region_id, period_id=period.period_id,
        location=_location(area), levels=sorted(set(data["levels"])),
        reserved=[Reservation(r["school_id"], r["slots"]) for r in data.get("reserved", [])],
        start_date=start.isoformat() if isinstance(start, date) else start,
    ))
    stored = wire(payload)
    if data.get("description"):
        stored["description"] = data["description"]
    if contact:
        stored["contact"] = {"name": contact["name"], "email": contact["email"], "phone": contact.get("phone", "")}
    return payload, PlaceRecord(place_id, organisation_id, period.period_id, stored)


def place_withdrawn(record: PlaceRecord) -> PlaceWithdrawn:
    return PlaceWithdrawn(record.place_id, record.organisation_id, record.payload["region_id"], record.period_id)


def period(region_id: str, data: dict[str, Any]) -> Period:
    """A period of a region; its end must not come before its start."""
    if data["ends_on"] < data["starts_on"]:
        raise InvalidInput({"ends_on": ["The end date comes before the start date."]})
    if data.get("wishes_until") and data.get("choices_until") and data["choices_until"] < data["wishes_until"]:
        raise InvalidInput({"choices_until": ["The choice deadline comes before the wish deadline."]})
    return Period(period_id=data["period_id"], region_id=region_id, name=data["name"],
                  starts_on=data["starts_on"], ends_on=data["ends_on"], sectors=tuple(data.get("sectors", ())),
                  wishes_until=data.get("wishes_until"), choices_until=data.get("choices_until"))


def wire(payload: Any) -> Any:
    """A payload dataclass as plain JSON-ready data (for intake's own store and API answers).

    Like dataclasses.asdict, without its deep copy of every leaf (payload values are immutable or fresh).
    """
    if is_dataclass(payload):
        return {key: wire(value) for key, value in vars(payload).items()}
    if isinstance(payload, list):
        return [wire(item) for item in payload]
    return payload
