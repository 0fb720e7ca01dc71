"""Capacity planning's pure rules (issue 16): school years, last year's period, and the keys of the lines a
school or an organisation posts (a later line with the same key replaces the earlier one).

Pure Python; imports the domain model only.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date
from typing import Any

from .model import Period

YEAR_IN_ID = re.compile(r"(20[0-9]{2})")


def school_year(day: date) -> str:
    """The school year a day falls in (it starts on 1 August), e.g. 2027-2028."""
    first = day.year if day.month >= 8 else day.year - 1
    return f"{first}-{first + 1}"


def period_year(period: Period) -> str:
    """The school year of a period: that of its first day."""
    return school_year(period.starts_on)


def previous_period_id(period_id: str) -> str | None:
    """Last year's period of the same season: the id with its first year one lower (2027-najaar ->
    2026-najaar); None when the id names no year."""
    match = YEAR_IN_ID.search(period_id)
    if match is None:
        return None
    year = int(match.group(1))
    return period_id[:match.start()] + str(year - 1) + period_id[match.end():]


def forecast_key(line: dict[str, Any]) -> str:
    """A demand line's key: period, crebo, level and study year."""
    return f"{line['period_id']}|{line['crebo']}|{line['level']}|{line['study_year']}"


def supply_key(line: dict[str, Any]) -> str:
    """A supply line's key: period and sector."""
    return f"{line['period_id']}|{line['sector']}"


@dataclass(frozen=True)
class ParticipationRecord:
    """What an organisation said about the coming school year, with its own words (kept in intake only)."""

    organisation_id: str
    region_id: str
    school_year: str
    status: str
    reason_code: str | None = None
    reason_text: str = ""
