"""Place events: an organisation posts, updates or withdraws internship places for a period.

A place carries the organisation's objective offer and its business contact (shown to the student only
after release). The Place payload and its rules are declared once, in events.contract.
Imports events.base (marshmallow), events.rules and events.contract.
"""

from __future__ import annotations

from dataclasses import dataclass

from marshmallow import fields, validate

from .. import topics
from .base import PayloadSchema, payload_schema, record_schema, spec
from .contract import Contact, Place, Reservation
from .rules import ident

__all__ = ["SPECS", "Contact", "ContactSchema", "Place", "PlaceSchema", "PlaceUpdatedSchema", "PlaceWithdrawn",
           "PlaceWithdrawnSchema", "Reservation", "ReservationSchema"]

ReservationSchema = record_schema(Reservation)


class ContactSchema(PayloadSchema):
    payload_class = Contact
    name = fields.String(required=True, validate=validate.Length(1, 120))
    email = fields.Email(required=True)
    phone = fields.String(load_default="", validate=validate.Regexp(r"^[0-9 +()-]{0,20}$"))


PlaceSchema = payload_schema(Place, contact=fields.Nested(ContactSchema, load_default=None, allow_none=True))


class PlaceUpdatedSchema(PlaceSchema):
    """Same fields as a posted place; replaces the earlier version."""


@dataclass(frozen=True)
class PlaceWithdrawn:
    """The organisation withdrew the place: it is no longer offered this period."""

    place_id: str = ident()
    organisation_id: str = ident()
    region_id: str = ident()
    period_id: str = ident()


PlaceWithdrawnSchema = payload_schema(PlaceWithdrawn)

SPECS = (
    spec("place.posted", topics.PLACES, PlaceSchema),
    spec("place.updated", topics.PLACES, PlaceUpdatedSchema),
    spec("place.withdrawn", topics.PLACES, PlaceWithdrawnSchema),
)
