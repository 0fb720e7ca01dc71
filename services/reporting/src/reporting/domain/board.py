"""The coordinator's supply-and-demand board of a school year (issue 16.3): demand (forecast and actual),
supply, gap, trend against last year and early warnings, per period, sector, programme (crebo) and school;
the organisations' participation; the students who opted out or found their own place (R91).

Rules, in one place:
- demand of a school in a cell is the larger of its forecast and its actual wishes: the wishes replace the
  forecast as they come in, and a forecast is never counted twice;
- supply of an organisation in a cell is the larger of its supply forecast and its posted places; the forecast
  of an organisation that opted out or is not open counts for nothing (its posted places still count); a
  place open to several programmes counts for each in the programme rows, once in the sector row;
- gap = demand - supply (a shortage is positive); a warning when the gap reaches the region's threshold;
- trend = demand - last year's actual wishes in the same period of last year (the period id with its year
  one lower) and cell.
Raw counts here; the small-cell rule is applied where figures leave the service. Pure Python.
"""

from __future__ import annotations

import re
from collections import Counter, defaultdict
from dataclasses import dataclass, field
from typing import Iterable, Mapping

from .figures import PeriodSnapshot

YEAR_IN_ID = re.compile(r"(20[0-9]{2})")
OPTED_OUT = "opted_out"
PARTICIPATION = ("taking_part", "opted_out", "not_open")


def previous_period_id(period_id: str) -> str | None:
    """Last year's period of the same season: 2027-najaar -> 2026-najaar (None without a year in the id)."""
    match = YEAR_IN_ID.search(period_id)
    if match is None:
        return None
    return period_id[:match.start()] + str(int(match.group(1)) - 1) + period_id[match.end():]


@dataclass(frozen=True)
class BoardRow:
    """One cell of the board: raw counts (students for demand, slots for supply)."""

    key: tuple[str, ...]
    forecast: int = 0
    actual: int = 0
    demand: int = 0
    supply: int = 0
    last_year: int = 0
    warning: bool = False

    @property
    def gap(self) -> int:
        return self.demand - self.supply

    @property
    def trend(self) -> int:
        return self.demand - self.last_year


@dataclass(frozen=True)
class SchoolRow:
    """A school's demand in a period, and its students who opted out or found their own place."""

    key: tuple[str, str]  # (period, school)
    forecast: int
    actual: int
    opted_out: int


@dataclass(frozen=True)
class Board:
    """The board of one region and school year."""

    region_id: str
    school_year: str
    threshold: int
    periods: tuple[str, ...]
    sectors: tuple[BoardRow, ...]  # key (period, sector)
    programmes: tuple[BoardRow, ...]  # key (period, sector, crebo)
    schools: tuple[SchoolRow, ...]
    participation: dict[str, int] = field(default_factory=dict)
    opt_out_reasons: dict[str, int] = field(default_factory=dict)

    @property
    def warnings(self) -> list[BoardRow]:
        return [row for row in self.sectors + self.programmes if row.warning]

    def for_period(self, period_id: str) -> "Board":
        """The board of one period of the year (the period report's part of it)."""
        return Board(self.region_id, self.school_year, self.threshold, (period_id,),
                     tuple(r for r in self.sectors if r.key[0] == period_id),
                     tuple(r for r in self.programmes if r.key[0] == period_id),
                     tuple(s for s in self.schools if s.key[0] == period_id), self.participation,
                     self.opt_out_reasons)


@dataclass(frozen=True)
class BoardInput:
    """What the board is computed from: the planning lines of the year and the period snapshots."""

    region_id: str
    school_year: str
    threshold: int
    forecasts: list[dict]
    supplies: list[dict]
    participation: list[dict]
    snapshots: Mapping[str, PeriodSnapshot]  # this year's periods
    last_year: Mapping[str, PeriodSnapshot]  # by this year's period id


def build_board(data: BoardInput) -> Board:
    """The board of a school year from its planning lines and snapshots."""
    year = data.school_year
    forecasts = [f for f in data.forecasts if f["school_year"] == year]
    statuses = {p["organisation_id"]: p for p in data.participation if p["school_year"] == year}
    closed = {org for org, p in statuses.items() if p["status"] != "taking_part"}
    supplies = [s for s in data.supplies if s["school_year"] == year and s["organisation_id"] not in closed]
    periods = tuple(sorted({f["period_id"] for f in forecasts} | {s["period_id"] for s in supplies}
                           | set(data.snapshots)))
    demand = _demand(forecasts, data.snapshots)
    slots = _supply(supplies, data.snapshots)
    last = _last_year(data.last_year)
    sectors = _rows(demand, slots, last, data.threshold, lambda k: k[:2])
    programmes = _rows(demand, slots, last, data.threshold, lambda k: k[:3])
    reasons = Counter(p["reason_code"] or "other" for p in statuses.values() if p["status"] == OPTED_OUT)
    return Board(data.region_id, year, data.threshold, periods, sectors, programmes,
                 _schools(forecasts, data.snapshots), _participation(statuses, supplies, data.snapshots),
                 dict(sorted(reasons.items())))


def _participation(statuses: Mapping[str, dict], supplies: Iterable[dict],
                   snapshots: Mapping[str, PeriodSnapshot]) -> dict[str, int]:
    """Organisations per status: their own latest statement; one that said nothing but offers places this
    year (a supply line or a posted place) takes part."""
    offering = {s["organisation_id"] for s in supplies} | {
        p.organisation_id for snapshot in snapshots.values() for p in snapshot.places if not p.withdrawn}
    status_of = {org: "taking_part" for org in offering} | {org: p["status"] for org, p in statuses.items()}
    return {s: sum(1 for status in status_of.values() if status == s) for s in PARTICIPATION}


#: A demand or supply cell: (period, sector, crebo, school or organisation) -> (forecast, actual).
Cells = dict[tuple[str, str, str, str], list[int]]


def _demand(forecasts: Iterable[dict], snapshots: Mapping[str, PeriodSnapshot]) -> Cells:
    cells: Cells = defaultdict(lambda: [0, 0])
    for f in forecasts:
        cells[(f["period_id"], f["sector"], f["crebo"], f["school_id"])][0] += f["students"]
    for period, snapshot in snapshots.items():
        for wish in snapshot.wishes:
            if wish.status == "seeking":
                cells[(period, wish.sector, wish.crebo or "?", wish.school_id)][1] += 1
    return cells


def _supply(supplies: Iterable[dict], snapshots: Mapping[str, PeriodSnapshot]) -> dict[str, Cells]:
    """Supply per programme cell and per sector cell (a place counted once per sector)."""
    by_crebo: Cells = defaultdict(lambda: [0, 0])
    by_sector: Cells = defaultdict(lambda: [0, 0])
    for s in supplies:
        for crebo in s["crebos"]:
            by_crebo[(s["period_id"], s["sector"], crebo, s["organisation_id"])][0] += s["slots"]
        by_sector[(s["period_id"], s["sector"], "", s["organisation_id"])][0] += s["slots"]
    for period, snapshot in snapshots.items():
        for place in snapshot.places:
            if place.withdrawn:
                continue
            for crebo in place.crebos:
                by_crebo[(period, place.sector, crebo, place.organisation_id)][1] += place.slots
            by_sector[(period, place.sector, "", place.organisation_id)][1] += place.slots
    return {"crebo": by_crebo, "sector": by_sector}


def _last_year(snapshots: Mapping[str, PeriodSnapshot]) -> Counter:
    counts: Counter = Counter()
    for period, snapshot in snapshots.items():
        for wish in snapshot.wishes:
            if wish.status != "withdrawn":
                counts[(period, wish.sector, wish.crebo or "?")] += 1
                counts[(period, wish.sector)] += 1
    return counts


def _rows(demand: Cells, supply: dict[str, Cells], last: Counter, threshold: int, key_of) -> tuple[BoardRow, ...]:
    sums: dict[tuple, list[int]] = defaultdict(lambda: [0, 0, 0, 0])
    for cell, (forecast, actual) in demand.items():
        total = sums[key_of(cell)]
        total[0] += forecast
        total[1] += actual
        total[2] += max(forecast, actual)
    programme = len(key_of(("a", "b", "c", "d"))) == 3
    for cell, (forecast, posted) in supply["crebo" if programme else "sector"].items():
        sums[key_of(cell)][3] += max(forecast, posted)
    rows = []
    for key, (forecast, actual, wanted, offered) in sorted(sums.items()):
        gap = wanted - offered
        rows.append(BoardRow(key, forecast, actual, wanted, offered, last.get(key, 0),
                             warning=threshold > 0 and gap >= threshold))
    return tuple(rows)


def _schools(forecasts: Iterable[dict], snapshots: Mapping[str, PeriodSnapshot]) -> tuple[SchoolRow, ...]:
    counts: dict[tuple[str, str], list[int]] = defaultdict(lambda: [0, 0, 0])
    for f in forecasts:
        counts[(f["period_id"], f["school_id"])][0] += f["students"]
    for period, snapshot in snapshots.items():
        for wish in snapshot.wishes:
            if wish.status == "seeking":
                counts[(period, wish.school_id)][1] += 1
            elif wish.status == OPTED_OUT:
                counts[(period, wish.school_id)][2] += 1
    return tuple(SchoolRow(key, *values) for key, values in sorted(counts.items()))
