"""Input and output schemas of the HTTP edge (and of import rows): strict, unknown fields rejected.

Integers are strict (no "1"), strings are length-bounded and free of control and bidi characters (and of
line breaks, U+2028/U+2029 and tabs, unless free text longer than ONE_LINE_MAX),
lists are bounded, enums are closed. The wish and place criteria are not written out here: `edge_schema`
derives them from the one definition, stagepool_shared.events.contract, with the edge's strict types.
Imports marshmallow and the shared event contract only.
"""

from __future__ import annotations

import dataclasses
import functools
import re
from typing import Any

from marshmallow import RAISE, Schema, ValidationError, fields, validate

from stagepool_shared.events.base import bounds_validators
from stagepool_shared.events.contract import SECTORS, Place, Reservation, Wish
from stagepool_shared.events.rules import ID_PATTERN, Rule, default_of, rule_of
from stagepool_shared.events.wishes import WITHDRAW_REASONS
from stagepool_shared.web.openapi_schemas import ErrorOut

_CONTROL = re.compile("[\x00-\x08\x0b-\x1f\x7f-\x9f\u202a-\u202e\u2066-\u2069\ud800-\udfff]")
#: Line and paragraph breaks and tabs: refused in one-line text (names, addresses), allowed in free text.
_LINE_BREAK = re.compile("[\t\n\r\u2028\u2029]")
#: Free text longer than this may hold line breaks (a leerwens, a description); shorter text is one line.
ONE_LINE_MAX = 300
POSTCODE = r"^[1-9][0-9]{3} ?([A-Za-z]{2})?$"


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


def _clean_line(value: str) -> None:
    """One-line text: no control or bidi characters, and no line break, U+2028/U+2029 or tab either."""
    _clean(value)
    if _LINE_BREAK.search(value):
        raise ValidationError("Control characters are not allowed.")


def text(max_len: int, min_len: int = 1, **kwargs: Any) -> fields.String:
    """A bounded string without control or bidi characters; up to ONE_LINE_MAX characters also one line."""
    clean = _clean_line if max_len <= ONE_LINE_MAX else _clean
    return fields.String(validate=[validate.Length(min_len, max_len), clean], **kwargs)


def ident(**kwargs: Any) -> fields.String:
    kwargs.setdefault("required", True)
    return fields.String(validate=validate.Regexp(ID_PATTERN), **kwargs)


class Strict(Schema):
    """Base: unknown fields are an error at the edge."""

    class Meta:
        unknown = RAISE


def _edge_value(rule: Rule, **presence: Any) -> fields.Field:
    """The strict edge field of one value: JSON booleans and integers only; free text (a length bound, no
    pattern) is also cleaned of control characters; lists of codes take the edge's own bound."""
    bounds = rule.edge or rule.wire
    checks: list[Any] = bounds_validators(bounds)
    if rule.kind == "str" and bounds.size != (None, None) and not bounds.pattern:
        longest = bounds.size[1]
        checks.append(_clean if longest is None or longest > ONE_LINE_MAX else _clean_line)
    if rule.kind == "list":
        return fields.List(_edge_value(rule.item), validate=checks, **presence)
    if rule.kind == "record":
        return fields.Nested(edge_record(rule.record), validate=checks, **presence)
    kinds = {"str": fields.String, "int": lambda **kw: fields.Integer(strict=True, **kw),
             "float": StrictFloat, "bool": StrictBoolean}
    return kinds[rule.kind](validate=checks, **presence)


def _edge_field(field: dataclasses.Field) -> fields.Field:
    """Required without a default; a missing value loads as a plain default (False, 16), never as a list or
    None: the builders fill those."""
    rule, default = rule_of(field), default_of(field)
    if rule is None:
        raise TypeError(f"{field.name} has no rule: declare its edge field")
    if default is dataclasses.MISSING:
        return _edge_value(rule, required=True)
    if default is list or default is None:
        return _edge_value(rule)
    return _edge_value(rule, load_default=default)


def edge_schema(payload_class: type, *, leave_out: tuple[str, ...] = (), first: tuple[str, ...] = (),
                **declared: fields.Field) -> type[Strict]:
    """The edge schema of a contract payload, named `<payload>In`.

    Args:
        payload_class: a payload dataclass of stagepool_shared.events.contract.
        leave_out: the fields intake fills in itself (ids, the region, the age at the start).
        first: fields to ask first (the order of the fields is the order of a form's error messages).
        declared: fields written out instead of derived ones (in place), or added at the end.
    """
    attrs: dict[str, Any] = dict.fromkeys(first)
    for f in dataclasses.fields(payload_class):
        if f.name not in leave_out:
            attrs[f.name] = declared.pop(f.name) if f.name in declared else _edge_field(f)
    attrs.update(declared)
    return type(f"{payload_class.__name__}In", (Strict,), attrs)


@functools.cache
def edge_record(record: type) -> type[Strict]:
    """The edge schema of a nested record (a reservation), built once."""
    return edge_schema(record)


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


#: The criteria part of a wish: the contract's objective criteria (who, where and the age at the start are
#: filled in by intake; a variant-2 choice only by the student's own choice, commands.variants) plus the
#: free-text leerwens, which stays in intake.
WishIn = edge_schema(Wish, leave_out=("student_ref", "school_id", "region_id", "age_at_start",
                                      "candidate_choice"),
                     home=fields.Nested(AreaIn, required=True), leerwens=text(2000, min_len=0))


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


ReservationIn = edge_record(Reservation)

#: POST /api/v1/places and PUT /api/v1/places/<id>: an organisation's place for a period (the contract's
#: place; the ids and the region are intake's), with the contact person and the free-text description of the
#: work (screened for personal demands, R40), which both stay in intake.
PlaceIn = edge_schema(Place, leave_out=("place_id", "organisation_id", "region_id"), first=("period_id",),
                      location=fields.Nested(AreaIn, required=True), contact=fields.Nested(ContactIn),
                      start_date=fields.Date(), description=text(1000, min_len=0))


class PeriodIn(Strict):
    period_id = ident()
    name = text(120, required=True)
    starts_on = fields.Date(required=True)
    ends_on = fields.Date(required=True)
    sectors = fields.List(fields.String(validate=validate.OneOf(SECTORS)), validate=validate.Length(max=10))
    wishes_until = fields.Date()  # the last day students change their top 3 in the catalogue (issue 15.2)
    choices_until = fields.Date()  # the last day variant-2 students choose among their candidates (issue 15.3)


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


class RowErrorOut(Schema):
    row = fields.Integer(required=True)
    column = fields.String(required=True)
    message = fields.String(required=True)


class ImportRejectedOut(ErrorOut):
    """An import's 422: the common error body, with every problem of the file row by row."""

    errors = fields.List(fields.Nested(RowErrorOut))
