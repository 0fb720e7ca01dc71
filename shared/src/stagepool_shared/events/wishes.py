"""Wish events: a school registers, updates or withdraws a student's learning wish, or the student opts out.

Only the pseudonym and objective matching criteria travel; names, contact details, date of birth and
free text stay in intake. The Wish payload and its rules are declared once, in events.contract.
Imports events.base (marshmallow), events.rules and events.contract.
"""

from __future__ import annotations

from dataclasses import dataclass

from .. import topics
from .base import payload_schema, spec
from .contract import PATHWAYS, SECTORS, TRANSPORT_MODES, Wish
from .rules import choice, flag, ident

__all__ = ["PATHWAYS", "SECTORS", "SPECS", "TRANSPORT_MODES", "WITHDRAW_REASONS", "Wish", "WishOptedOut",
           "WishOptedOutSchema", "WishRef", "WishSchema", "WishUpdatedSchema", "WishWithdrawn", "WishWithdrawnSchema"]

WITHDRAW_REASONS = ("withdrawn", "stopped_study", "postponed")

WishSchema = payload_schema(Wish)


@dataclass(frozen=True)
class WishRef:
    """Which wish an event is about."""

    student_ref: str = ident()
    school_id: str = ident()
    region_id: str = ident()
    period_id: str = ident()


@dataclass(frozen=True)
class WishWithdrawn(WishRef):
    """The school withdrew the wish (the student no longer seeks a place this period)."""

    reason: str = choice(WITHDRAW_REASONS, default="withdrawn")


WishWithdrawnSchema = payload_schema(WishWithdrawn)


@dataclass(frozen=True)
class WishOptedOut(WishRef):
    """The student found a place of their own (or opts out of matching for another objective reason)."""

    own_place: bool = flag(True)


WishOptedOutSchema = payload_schema(WishOptedOut)


class WishUpdatedSchema(WishSchema):
    """Same fields as a submitted wish; replaces the earlier one."""


SPECS = (
    spec("wish.submitted", topics.WISHES, WishSchema),
    spec("wish.updated", topics.WISHES, WishUpdatedSchema),
    spec("wish.withdrawn", topics.WISHES, WishWithdrawnSchema),
    spec("wish.opted_out", topics.WISHES, WishOptedOutSchema),
)
