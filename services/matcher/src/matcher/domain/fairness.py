"""Objective 2, fair shares across schools: placement rates per school within a pool, and their summary.

A *group* is (school, pool) with pool = (region, period, sector) of the student. Its demand is the
number of its students in the round (fixed placements included), placed counts fixed and new
placements, and rate = placed / demand. The rule maximises the rates lexicographically from the worst
group up (see docs/matching.md); this module only measures. Imports the standard library only.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable, Mapping
from dataclasses import dataclass

from matcher.domain.model import GroupShare, Wish


def group_key(w: Wish) -> tuple[str, str, str, str]:
    """(school_id, region_id, period_id, sector) of a student."""
    return (w.school_id, w.region_id, w.period_id, w.sector)


def group_shares(wishes: Iterable[Wish], placed_refs: Iterable[str]) -> tuple[GroupShare, ...]:
    """One GroupShare per (school, pool), sorted by pool then school."""
    wishes = list(wishes)
    placed = set(placed_refs)
    demand = Counter(group_key(w) for w in wishes)
    hits = Counter(group_key(w) for w in wishes if w.student_ref in placed)
    keys = sorted(demand, key=lambda k: (k[1], k[2], k[3], k[0]))
    return tuple(GroupShare(k[0], k[1], k[2], k[3], demand[k], hits[k]) for k in keys)


def shares_from_counts(groups: Iterable[tuple[str, str, str, str]], demand: Iterable[int],
                       placed: Iterable[int]) -> tuple[GroupShare, ...]:
    """GroupShares from (school, region, period, sector) keys and counts, sorted like `group_shares`."""
    rows = [GroupShare(k[0], k[1], k[2], k[3], int(d), int(x)) for k, d, x in zip(groups, demand, placed) if d]
    return tuple(sorted(rows, key=lambda g: (g.region_id, g.period_id, g.sector, g.school_id)))


@dataclass(frozen=True)
class FairnessSummary:
    """Worst and best group rate, and the largest spread between schools inside one pool."""

    groups: int
    worst_rate: float
    best_rate: float
    spread: float
    worst_group: str | None

    def as_dict(self) -> dict[str, object]:
        return {
            "groups": self.groups, "worst_school_rate": round(self.worst_rate, 6),
            "best_school_rate": round(self.best_rate, 6), "school_spread": round(self.spread, 6),
            "worst_group": self.worst_group,
        }


def pool_name(share: GroupShare) -> str:
    """"region/period/sector" of a share."""
    return f"{share.region_id}/{share.period_id}/{share.sector}"


def summarise(shares: Iterable[GroupShare], min_demand: int = 1) -> FairnessSummary:
    """Summary over groups with at least `min_demand` students.

    spread = the largest (max rate - min rate) among the schools of one pool: rates of different pools
    are not comparable (care places are scarcer than retail places), rates inside a pool are.
    """
    kept = [g for g in shares if g.demand >= min_demand]
    if not kept:
        return FairnessSummary(0, 1.0, 1.0, 0.0, None)
    worst = min(kept, key=lambda g: (g.rate, pool_name(g), g.school_id))
    by_pool: dict[str, list[float]] = {}
    for g in kept:
        by_pool.setdefault(pool_name(g), []).append(g.rate)
    spread = max(max(r) - min(r) for r in by_pool.values())
    return FairnessSummary(
        len(kept), worst.rate, max(g.rate for g in kept), spread, f"{pool_name(worst)}:{worst.school_id}"
    )


def share_deficits(shares: Iterable[GroupShare]) -> Mapping[str, int]:
    """Named penalties: students of a school left without a place in a pool (style rule 7)."""
    return {
        f"school_share_deficit(pool={pool_name(g)}, school={g.school_id})": g.demand - g.placed
        for g in shares if g.demand > g.placed
    }
