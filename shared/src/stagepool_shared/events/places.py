"""Place events: an organisation posts, updates or withdraws internship places for a period.

A place carries the organisation's objective offer and its business contact (shown to the student only
after release). Imports marshmallow and events.base only.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from marshmallow import fields, validate

from .. import topics
from .base import Location, LocationSchema, PayloadSchema, code_list, id_field, spec
from .wishes import SECTORS


@dataclass(frozen=True)
class Reservation:
    """Slots of a place reserved for one school by a bilateral agreement."""

    school_id: str
    slots: int


class ReservationSchema(PayloadSchema):
    payload_class = Reservation
    school_id = id_field()
    slots = fields.Integer(required=True, strict=True, validate=validate.Range(1, 500))


@dataclass(frozen=True)
class Contact:
    """The organisation's contact person for students (a business contact, not a student's data)."""

    name: str
    email: str
    phone: str = ""


class ContactSchema(PayloadSchema):
    payload_class = Contact
    name = fields.String(required=True, validate=validate.Length(1, 120))
    email = fields.Email(required=True)
    phone = fields.String(load_default="", validate=validate.Regexp(r"^[0-9 +()-]{0,20}$"))


@dataclass(frozen=True)
class Place:
    """Internship places of one organisation location, for one period."""

    place_id: str
    organisation_id: str
    organisation_name: str
    region_id: str
    period_id: str
    sector: str
    org_type: str
    location: Location
    address: str
    crebos: list[str]
    levels: list[int]
    slots: int
    supervision_capacity: int
    offers_allowance: bool = False
    irregular_shifts: bool = False
    min_age: int = 16
    activities: list[str] = field(default_factory=list)
    support_offered: list[str] = field(default_factory=list)
    reserved: list[Reservation] = field(default_factory=list)
    contact: Contact | None = None
    start_date: str | None = None


class PlaceSchema(PayloadSchema):
    payload_class = Place
    place_id = id_field()
    organisation_id = id_field()
    organisation_name = fields.String(required=True, validate=validate.Length(1, 160))
    region_id = id_field()
    period_id = id_field()
    sector = fields.String(required=True, validate=validate.OneOf(SECTORS))
    org_type = fields.String(required=True, validate=validate.Regexp(r"^[a-z0-9_.-]{1,60}$"))
    location = fields.Nested(LocationSchema, required=True)
    address = fields.String(required=True, validate=validate.Length(1, 200))
    crebos = fields.List(fields.String(validate=validate.Regexp(r"^[0-9]{5}$")), required=True,
                         validate=validate.Length(1, 50))
    levels = fields.List(fields.Integer(strict=True, validate=validate.Range(1, 4)), required=True,
                         validate=validate.Length(1, 4))
    slots = fields.Integer(required=True, strict=True, validate=validate.Range(0, 500))
    supervision_capacity = fields.Integer(required=True, strict=True, validate=validate.Range(0, 500))
    offers_allowance = fields.Boolean(load_default=False)
    irregular_shifts = fields.Boolean(load_default=False)
    min_age = fields.Integer(load_default=16, strict=True, validate=validate.Range(14, 21))
    activities = code_list()
    support_offered = code_list()
    reserved = fields.List(fields.Nested(ReservationSchema), load_default=list, validate=validate.Length(max=20))
    contact = fields.Nested(ContactSchema, load_default=None, allow_none=True)
    start_date = fields.String(load_default=None, allow_none=True, validate=validate.Regexp(r"^\d{4}-\d{2}-\d{2}$"))


class PlaceUpdatedSchema(PlaceSchema):
    """Same fields as a posted place; replaces the earlier version."""


@dataclass(frozen=True)
class PlaceWithdrawn:
    """The organisation withdrew the place: it is no longer offered this period."""

    place_id: str
    organisation_id: str
    region_id: str
    period_id: str


class PlaceWithdrawnSchema(PayloadSchema):
    payload_class = PlaceWithdrawn
    place_id = id_field()
    organisation_id = id_field()
    region_id = id_field()
    period_id = id_field()


SPECS = (
    spec("place.posted", topics.PLACES, PlaceSchema),
    spec("place.updated", topics.PLACES, PlaceUpdatedSchema),
    spec("place.withdrawn", topics.PLACES, PlaceWithdrawnSchema),
)
