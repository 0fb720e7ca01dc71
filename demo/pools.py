"""Placement figures per pool of a round, the way the fairness rule compares schools (docs/matching.md 1.4).

A pool is (region, period, sector). The matcher evens out the placement rates of the schools *inside* each
pool; it promises nothing between pools (care places are scarce, ICT places are not). So the summary shows
worst, best and spread per pool, and the region only as a plain total across pools.

The matcher's round record has one outcome per student with its school, status, wish match and reason, but
not its sector. `student_pools` names each pseudonym's pool from what the demo imported: intake's keyed
pseudonym of school id and student number (with the run's secret) and the period and sector of that
student's wish row. `pool_figures` then counts the served outcomes per pool and school (which also gives the
top-1/top-3 shares and the reasons per pool, which the matcher's summary has only for the whole round), and
`disagreements` checks those counts against the matcher's own per-pool rows. Pure: plain data in, frozen
dataclasses out. Imports the standard library, demo.region and stagepool_shared.auth only.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, Iterable, Mapping

from stagepool_shared.auth import pseudonym

from .region import DemoRegion

PLACED_STATUSES = ("placed", "kept")
TOP3 = ("top1", "top2", "top3")
NO_ELIGIBLE = "NO_ELIGIBLE_PLACE"
UNKNOWN = "?"


@dataclass(frozen=True, order=True)
class PoolKey:
    """The pool of a student within a region: period and sector."""

    period_id: str
    sector: str


@dataclass(frozen=True)
class Count:
    """Students of a group: seeking a place, placed, who named places, placed at their first wish / one of
    their top 3, and unplaced because no place met every hard constraint (the rule cannot lift those)."""

    seeking: int = 0
    placed: int = 0
    top1: int = 0
    top3: int = 0
    no_eligible: int = 0
    named: int = 0

    def __add__(self, other: "Count") -> "Count":
        return Count(self.seeking + other.seeking, self.placed + other.placed, self.top1 + other.top1,
                     self.top3 + other.top3, self.no_eligible + other.no_eligible, self.named + other.named)

    @property
    def rate(self) -> float:
        """placed / seeking (0.0 for an empty group)."""
        return self.placed / self.seeking if self.seeking else 0.0

    @property
    def top1_share(self) -> float:
        """Placed at their first named place, as a share of the students who named places (as the matcher's
        summary)."""
        return self.top1 / self.named if self.named else 0.0

    @property
    def top3_share(self) -> float:
        """Placed at one of their named places, as a share of the students who named places."""
        return self.top3 / self.named if self.named else 0.0


@dataclass(frozen=True)
class PoolFigures:
    """One pool: the counts of each school with students in it (school id -> Count)."""

    pool: PoolKey
    schools: Mapping[str, Count] = field(default_factory=dict)

    @property
    def total(self) -> Count:
        return sum(self.schools.values(), Count())

    @property
    def worst_rate(self) -> float:
        return min((c.rate for c in self.schools.values()), default=0.0)

    @property
    def best_rate(self) -> float:
        return max((c.rate for c in self.schools.values()), default=0.0)

    @property
    def spread_pp(self) -> float:
        """Best minus worst school rate in percentage points: what the fairness rule keeps small."""
        return (self.best_rate - self.worst_rate) * 100


def count_of(outcome: Mapping[str, Any]) -> Count:
    """The Count of one student's outcome (a dict as the matcher's API serves it)."""
    placed = outcome["status"] in PLACED_STATUSES
    match = outcome.get("wish_match") or "none"
    return Count(seeking=1, placed=int(placed), top1=int(placed and match == "top1"),
                 top3=int(placed and match in TOP3),
                 no_eligible=int(not placed and outcome.get("reason_code") == NO_ELIGIBLE),
                 named=int(bool(outcome.get("named_places"))))


def pool_figures(outcomes: Iterable[Mapping[str, Any]], pools: Mapping[str, PoolKey]) -> list[PoolFigures]:
    """Counts per pool and school, pools sorted by (period, sector), schools by id.

    A student missing from `pools` lands in a pool with sector "?" so no outcome is silently dropped."""
    counts: dict[PoolKey, dict[str, Count]] = {}
    for outcome in outcomes:
        pool = pools.get(outcome["student_ref"], PoolKey(UNKNOWN, UNKNOWN))
        schools = counts.setdefault(pool, {})
        schools[outcome["school_id"]] = schools.get(outcome["school_id"], Count()) + count_of(outcome)
    return [PoolFigures(pool, dict(sorted(schools.items()))) for pool, schools in sorted(counts.items())]


def region_total(figures: Iterable[PoolFigures]) -> Count:
    """Every pool added up: a total across pools, not a fairness figure."""
    return sum((f.total for f in figures), Count())


def disagreements(figures: Iterable[PoolFigures], summary: Mapping[str, Any]) -> list[tuple[str, str, Any, Any]]:
    """(sector, school, ours, matcher's) wherever (seeking, placed) differ from the matcher's own summary rows.

    The matcher's `school_rates` carry the sector of the pool (rounds summarised before they did have no
    sector: then nothing is compared here). A round is one period, so sectors name its pools."""
    theirs = {(r["sector"], r["school_id"]): (r["seeking"], r["placed"])
              for r in summary.get("school_rates", ()) if r.get("sector")}
    if not theirs:
        return []
    ours: dict[tuple[str, str], tuple[int, int]] = {}
    for f in figures:
        for school, c in f.schools.items():
            seeking, placed = ours.get((f.pool.sector, school), (0, 0))
            ours[(f.pool.sector, school)] = (seeking + c.seeking, placed + c.placed)
    return [(sector, school, ours.get(key), theirs.get(key))
            for key in sorted(ours.keys() | theirs.keys()) if ours.get(key) != theirs.get(key)
            for sector, school in [key]]


def student_pools(area: DemoRegion, secret: bytes) -> dict[str, PoolKey]:
    """Pseudonym -> pool of every imported student: intake's pseudonym (school id, student number)."""
    return {pseudonym(secret, s.school_id, s.number): PoolKey(area.period_id, s.sector) for s in area.students}
