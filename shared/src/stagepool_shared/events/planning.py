"""Capacity-planning events (issue 16): what schools expect to need and organisations expect to offer in the
coming school year, and whether an organisation takes part.

Counts and codes only: no names, no free text. An organisation's reason for opting out travels as a code;
its own words stay in intake. Each event replaces the line it names (the same school, period, crebo, level
and study year; the same organisation, period and sector; the same organisation), so a consumer keeps the
latest. Imports events.base, events.rules and events.contract.
"""

from __future__ import annotations

from dataclasses import dataclass

from .. import topics
from .base import payload_schema, spec
from .contract import CREBO, SECTORS
from .rules import choice, code, ident, listing, whole

__all__ = ["DemandForecast", "OPT_OUT_REASONS", "PARTICIPATION", "Participation", "SCHOOL_YEAR", "SPECS",
           "SupplyForecast"]

#: A school year, e.g. 2027-2028.
SCHOOL_YEAR = r"^20[0-9]{2}-20[0-9]{2}$"
#: Where an organisation stands for the coming year (R29, R41).
PARTICIPATION = ("taking_part", "opted_out", "not_open")
#: Why an organisation opts out: a code; the organisation's own words stay in intake.
OPT_OUT_REASONS = ("no_capacity", "no_supervisor", "reorganisation", "own_recruitment", "not_recognised", "other")
#: Each opt-out reason in words (Dutch, English), for every page and report that shows one.
OPT_OUT_REASON_WORDS = {"no_capacity": ("Geen ruimte", "No room"), "no_supervisor": ("Geen begeleider", "No supervisor"),
                        "reorganisation": ("Reorganisatie", "Reorganisation"),
                        "own_recruitment": ("Eigen werving", "Own recruitment"),
                        "not_recognised": ("Geen erkenning", "Not recognised"), "other": ("Anders", "Other")}


@dataclass(frozen=True)
class DemandForecast:
    """A school expects `students` students of one programme, level and study year in a period."""

    school_id: str = ident()
    region_id: str = ident()
    school_year: str = code(SCHOOL_YEAR, solver=None)
    period_id: str = ident()
    sector: str = choice(SECTORS)
    crebo: str = code(CREBO)
    level: int = whole(1, 4)
    study_year: int = whole(1, 4)
    students: int = whole(0, 5000)


@dataclass(frozen=True)
class SupplyForecast:
    """An organisation expects to offer `slots` places of a sector (for these crebos) in a period."""

    organisation_id: str = ident()
    region_id: str = ident()
    school_year: str = code(SCHOOL_YEAR, solver=None)
    period_id: str = ident()
    sector: str = choice(SECTORS)
    crebos: list[str] = listing(code(CREBO), size=(1, 50))
    slots: int = whole(0, 5000)


@dataclass(frozen=True)
class Participation:
    """Whether an organisation takes part in stagematching in a school year, and why not (a code)."""

    organisation_id: str = ident()
    region_id: str = ident()
    school_year: str = code(SCHOOL_YEAR, solver=None)
    status: str = choice(PARTICIPATION)
    reason_code: str | None = choice(OPT_OUT_REASONS, default=None)


DemandForecastSchema = payload_schema(DemandForecast)
SupplyForecastSchema = payload_schema(SupplyForecast)
ParticipationSchema = payload_schema(Participation)

SPECS = (
    spec("demand.forecast_posted", topics.PLANNING, DemandForecastSchema),
    spec("supply.forecast_posted", topics.PLANNING, SupplyForecastSchema),
    spec("organisation.participation_set", topics.PLANNING, ParticipationSchema),
)
