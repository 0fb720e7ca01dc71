"""Place events: an organisation posts, updates or withdraws internship places for a period.

A place carries the organisation's objective offer, its name, address and start date; never its contact
person (that stays in intake, issue 19.4). The Place payload and its rules are declared once, in
events.contract. An event from before carries a `contact`: consumers drop it, like every unknown field.
Imports events.base (marshmallow), events.rules and events.contract.
"""

from __future__ import annotations

from dataclasses import dataclass

from .. import topics
from .base import payload_schema, record_schema, spec
from .contract import Place, Reservation
from .rules import ident

__all__ = ["SPECS", "Place", "PlaceSchema", "PlaceUpdatedSchema", "PlaceWithdrawn",
           "PlaceWithdrawnSchema", "Reservation", "ReservationSchema"]

ReservationSchema = record_schema(Reservation)
PlaceSchema = payload_schema(Place)


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
