"""The matching variant of a school's programme in a period (issue 15.3), and what each means for a student.

1. the school makes one match (the default, also when the school set nothing);
2. the student chooses one of k candidate places (or ranks them) before the period's choice deadline; the
   final round treats the choices as the student's top wishes; a student who does not choose keeps the
   matcher's pick;
3. the student's own top 3 from the catalogue goes into the round as their wishes, and the school makes the
   final match through its review and objections.

Pure Python; imports the domain model only.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, time
from zoneinfo import ZoneInfo

from .model import Period

DEFAULT_VARIANT = 1
DEFAULT_CANDIDATES = 3
AMSTERDAM = ZoneInfo("Europe/Amsterdam")


@dataclass(frozen=True)
class Variant:
    """The variant that applies to one programme (crebo) of a school in a period, and k for variant 2."""

    variant: int = DEFAULT_VARIANT
    candidates: int = DEFAULT_CANDIDATES
    set_by_school: bool = False  # False: nothing was set, the default applies


def variant_key(period_id: str, crebo: str) -> str:
    """The key of a school's setting: period and programme."""
    return f"{period_id}|{crebo}"


def end_of_day(day: date | None) -> datetime | None:
    """The end of a deadline's day in Amsterdam (None: no deadline)."""
    return None if day is None else datetime.combine(day, time.max, tzinfo=AMSTERDAM)


def choices_open(period: Period | None, now: datetime) -> bool:
    """A variant-2 student may still choose: the period has no choice deadline, or it has not passed."""
    until = end_of_day(getattr(period, "choices_until", None))
    return until is None or now < until
