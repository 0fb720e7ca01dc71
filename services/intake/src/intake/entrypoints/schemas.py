"""Input and output schemas of the HTTP edge (and of import rows): strict, unknown fields rejected.

Integers are strict (no "1"), strings are length-bounded and free of control and bidi characters,
lists are bounded, enums are closed. Imports marshmallow and the shared event constants only.
"""

from __future__ import annotations

import re
from typing import Any

from marshmallow import RAISE, Schema, ValidationError, fields, validate

from stagepool_shared.events.base import ID_PATTERN
from stagepool_shared.events.wishes import PATHWAYS, SECTORS, TRANSPORT_MODES

_CONTROL = re.compile("[\x00-\x08\x0b-\x1f\x7f-\x9f\u202a-\u202e\u2066-\u2069\ud800-\udfff]")
CODE = r"^[a-z0-9_.-]{1,60}$"
POSTCODE = r"^[1-9][0-9]{3} ?([A-Za-z]{2})?$"
WITHDRAW_REASONS = ("withdrawn", "stopped_study", "postponed")


class StrictBoolean(fields.Boolean):
    """Only JSON true/false (marshmallow's Boolean would also take 1, "yes", "on"...)."""

    def _deserialize(self, value: Any, attr: Any, data: Any, **kwargs: Any) -> bool:
        if not isinstance(value, bool):
            raise self.make_error("invalid", input=value)
        return value


class StrictFloat(fields.Float):
    """Only JSON numbers (marshmallow's Float would also take "53.1")."""

    def _deserialize(self, value: Any, attr: Any, data: Any, **kwargs: Any) -> float:
        if isinstance(value, bool) or not isinstance(value, (int, float)):
            raise self.make_error("invalid", input=value)
        return super()._deserialize(value, attr, data, **kwargs)


def _clean(value: str) -> None:
    if _CONTROL.search(value):
        raise ValidationError("Control characters are not allowed.")


def text(max_len: int, min_len: int = 1, **kwargs: Any) -> fields.String:
    """A bounded string without control or bidi characters."""
    return fields.String(validate=[validate.Length(min_len, max_len), _clean], **kwargs)


def ident(**kwargs: Any) -> fields.String:
    kwargs.setdefault("required", True)
    return fields.String(validate=validate.Regexp(ID_PATTERN), **kwargs)


def codes(max_items: int = 30) -> fields.List:
    return fields.List(fields.String(validate=validate.Regexp(CODE)), validate=validate.Length(max=max_items))


class Strict(Schema):
    """Base: unknown fields are an error at the edge."""

    class Meta:
        unknown = RAISE


class AreaIn(Strict):
    postcode = fields.String(required=True, validate=validate.Regexp(POSTCODE))
    lat = StrictFloat(validate=validate.Range(50.5, 53.7))
    lon = StrictFloat(validate=validate.Range(3.2, 7.3))


class StudentIn(Strict):
    """The personal part: kept in intake, never published."""

    student_number = fields.String(required=True, validate=validate.Regexp(r"^[A-Za-z0-9-]{1,20}$"))
    name = text(120, required=True)
    email = fields.Email(required=True, validate=validate.Length(3, 200))
    phone = fields.String(validate=validate.Regexp(r"^[0-9 +()-]{0,20}$"))
    address = text(200, min_len=0)
    postcode = fields.String(validate=validate.Regexp(POSTCODE))
    date_of_birth = fields.Date(required=True)


class WishIn(Strict):
    """The criteria part: objective matching criteria plus the free-text leerwens (kept in intake)."""

    period_id = ident()
    sector = fields.String(required=True, validate=validate.OneOf(SECTORS))
    crebo = fields.String(required=True, validate=validate.Regexp(r"^[0-9]{5}$"))
    level = fields.Integer(required=True, strict=True, validate=validate.Range(1, 4))
    study_year = fields.Integer(required=True, strict=True, validate=validate.Range(1, 4))
    pathway = fields.String(required=True, validate=validate.OneOf(PATHWAYS))
    home = fields.Nested(AreaIn, required=True)
    max_travel_minutes = fields.Integer(required=True, strict=True, validate=validate.Range(5, 180))
    transport_mode = fields.String(required=True, validate=validate.OneOf(TRANSPORT_MODES))
    needs_allowance = StrictBoolean(load_default=False)
    irregular_shifts_ok = StrictBoolean(load_default=False)
    activities = codes()
    preferred_org_types = codes(5)
    top_places = fields.List(ident(), validate=validate.Length(max=3))
    support_needs = codes(20)
    leerwens = text(2000, min_len=0)


class WishSubmissionIn(Strict):
    """POST /api/v1/wishes: who the student is (kept here) and what they wish (published blind)."""

    student = fields.Nested(StudentIn, required=True)
    wish = fields.Nested(WishIn, required=True)


class WithdrawIn(Strict):
    reason = fields.String(load_default="withdrawn", validate=validate.OneOf(WITHDRAW_REASONS))


class OptOutIn(Strict):
    own_place = StrictBoolean(load_default=True)


class ContactIn(Strict):
    name = text(120, required=True)
    email = fields.Email(required=True, validate=validate.Length(3, 200))
    phone = fields.String(validate=validate.Regexp(r"^[0-9 +()-]{0,20}$"))


class ReservationIn(Strict):
    school_id = ident()
    slots = fields.Integer(required=True, strict=True, validate=validate.Range(1, 500))


class PlaceIn(Strict):
    """POST /api/v1/places and PUT /api/v1/places/<id>: an organisation's place for a period."""

    period_id = ident()
    organisation_name = text(160, required=True)
    sector = fields.String(required=True, validate=validate.OneOf(SECTORS))
    org_type = fields.String(required=True, validate=validate.Regexp(CODE))
    location = fields.Nested(AreaIn, required=True)
    address = text(200, required=True)
    crebos = fields.List(fields.String(validate=validate.Regexp(r"^[0-9]{5}$")), required=True,
                         validate=validate.Length(1, 50))
    levels = fields.List(fields.Integer(strict=True, validate=validate.Range(1, 4)), required=True,
                         validate=validate.Length(1, 4))
    slots = fields.Integer(required=True, strict=True, validate=validate.Range(0, 500))
    supervision_capacity = fields.Integer(required=True, strict=True, validate=validate.Range(0, 500))
    offers_allowance = StrictBoolean(load_default=False)
    irregular_shifts = StrictBoolean(load_default=False)
    min_age = fields.Integer(strict=True, validate=validate.Range(14, 21), load_default=16)
    activities = codes()
    support_offered = codes(20)
    reserved = fields.List(fields.Nested(ReservationIn), validate=validate.Length(max=20))
    contact = fields.Nested(ContactIn)
    start_date = fields.Date()


class PeriodIn(Strict):
    period_id = ident()
    name = text(120, required=True)
    starts_on = fields.Date(required=True)
    ends_on = fields.Date(required=True)
    sectors = fields.List(fields.String(validate=validate.OneOf(SECTORS)), validate=validate.Length(max=10))


class SchoolIn(Strict):
    school_id = ident()
    name = text(160, required=True)
    contact_email = fields.Email(required=True, validate=validate.Length(3, 200))
    webhook_url = fields.Url(schemes={"https", "http"}, validate=validate.Length(max=300))


class AcceptedOut(Schema):
    event_id = fields.String(required=True)
    event_type = fields.String(required=True)
    student_ref = fields.String()
    place_id = fields.String()


class ImportAcceptedOut(Schema):
    accepted = fields.Integer(required=True)
    event_ids = fields.List(fields.String())


class ErrorOut(Schema):
    error = fields.String(required=True)
    message = fields.String(required=True)
    fields_ = fields.Dict(data_key="fields")
