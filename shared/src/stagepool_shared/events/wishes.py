"""Wish events: a school registers, updates or withdraws a student's learning wish, or the student opts out.

Only the pseudonym and objective matching criteria travel; names, contact details, date of birth and
free text stay in intake. Imports marshmallow and events.base only.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from marshmallow import fields, validate

from .. import topics
from .base import Location, LocationSchema, PayloadSchema, code_list, id_field, spec

SECTORS = ("zorg", "welzijn", "techniek", "handel", "horeca", "ict", "mobiliteit", "bouw", "economie", "groen")
TRANSPORT_MODES = ("walk", "bike", "public_transport", "car")
PATHWAYS = ("bol", "bbl")


@dataclass(frozen=True)
class Wish:
    """A student's learning wish for one period: objective criteria only."""

    student_ref: str
    school_id: str
    region_id: str
    period_id: str
    sector: str
    crebo: str
    level: int
    study_year: int
    pathway: str
    home: Location
    max_travel_minutes: int
    transport_mode: str
    age_at_start: int
    needs_allowance: bool = False
    irregular_shifts_ok: bool = False
    activities: list[str] = field(default_factory=list)
    preferred_org_types: list[str] = field(default_factory=list)
    top_places: list[str] = field(default_factory=list)
    support_needs: list[str] = field(default_factory=list)


class WishSchema(PayloadSchema):
    payload_class = Wish
    student_ref = id_field()
    school_id = id_field()
    region_id = id_field()
    period_id = id_field()
    sector = fields.String(required=True, validate=validate.OneOf(SECTORS))
    crebo = fields.String(required=True, validate=validate.Regexp(r"^[0-9]{5}$"))
    level = fields.Integer(required=True, strict=True, validate=validate.Range(1, 4))
    study_year = fields.Integer(required=True, strict=True, validate=validate.Range(1, 4))
    pathway = fields.String(required=True, validate=validate.OneOf(PATHWAYS))
    home = fields.Nested(LocationSchema, required=True)
    max_travel_minutes = fields.Integer(required=True, strict=True, validate=validate.Range(5, 180))
    transport_mode = fields.String(required=True, validate=validate.OneOf(TRANSPORT_MODES))
    age_at_start = fields.Integer(required=True, strict=True, validate=validate.Range(14, 80))
    needs_allowance = fields.Boolean(load_default=False)
    irregular_shifts_ok = fields.Boolean(load_default=False)
    activities = code_list()
    preferred_org_types = code_list()
    top_places = fields.List(id_field(), load_default=list, validate=validate.Length(max=3))
    support_needs = code_list()


@dataclass(frozen=True)
class WishRef:
    """Which wish an event is about."""

    student_ref: str
    school_id: str
    region_id: str
    period_id: str


@dataclass(frozen=True)
class WishWithdrawn(WishRef):
    """The school withdrew the wish (the student no longer seeks a place this period)."""

    reason: str = "withdrawn"


class WishWithdrawnSchema(PayloadSchema):
    payload_class = WishWithdrawn
    student_ref = id_field()
    school_id = id_field()
    region_id = id_field()
    period_id = id_field()
    reason = fields.String(load_default="withdrawn", validate=validate.OneOf(("withdrawn", "stopped_study", "postponed")))


@dataclass(frozen=True)
class WishOptedOut(WishRef):
    """The student found a place of their own (or opts out of matching for another objective reason)."""

    own_place: bool = True


class WishOptedOutSchema(PayloadSchema):
    payload_class = WishOptedOut
    student_ref = id_field()
    school_id = id_field()
    region_id = id_field()
    period_id = id_field()
    own_place = fields.Boolean(load_default=True)


class WishUpdatedSchema(WishSchema):
    """Same fields as a submitted wish; replaces the earlier one."""


SPECS = (
    spec("wish.submitted", topics.WISHES, WishSchema),
    spec("wish.updated", topics.WISHES, WishUpdatedSchema),
    spec("wish.withdrawn", topics.WISHES, WishWithdrawnSchema),
    spec("wish.opted_out", topics.WISHES, WishOptedOutSchema),
)
