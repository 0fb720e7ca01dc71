"""The fairness figures of a round (`Summary`): placement rates per school within each pool, overall shares,
and the differences between two rounds. Imports the shared event dataclasses only.
"""

from __future__ import annotations

from typing import Mapping, Sequence

from stagepool_shared.events.rounds import Outcome, SchoolRate, Summary

PLACED_STATUSES = ("placed", "kept")


def summarise(outcomes: Sequence[Outcome], sector_of: Mapping[str, str] | None = None) -> Summary:
    """Placement figures per school in each pool, and overall.

    A school's rate is placed / students seeking a place, within one pool (region, period, sector): the
    fairness rule evens out rates between the schools of a pool, never across sectors. So `school_rates`
    has one row per (sector, school); worst and best are the lowest and highest of those rows, and
    `school_spread` is the largest gap between two schools of the same pool. `sector_of` maps each
    student to the sector of the wish (without it, all outcomes count as one pool). The top-1/top-3 shares
    count the students who named places (`Outcome.named_places`): "first choice" means nothing for the others.
    """
    sector_of = sector_of or {}
    seeking: dict[tuple[str | None, str], int] = {}
    placed: dict[tuple[str | None, str], int] = {}
    reasons: dict[str, int] = {}
    for o in outcomes:
        key = (sector_of.get(o.student_ref), o.school_id)
        seeking[key] = seeking.get(key, 0) + 1
        if o.status in PLACED_STATUSES:
            placed[key] = placed.get(key, 0) + 1
        else:
            code = o.reason_code or "UNKNOWN"
            reasons[code] = reasons.get(code, 0) + 1
    rates = [SchoolRate(school, n, placed.get(key, 0), round(placed.get(key, 0) / n, 6), sector)
             for key, n in sorted(seeking.items(), key=lambda kv: _pool_order(kv[0]))
             for sector, school in [key]]
    total, done = len(outcomes), sum(placed.values())
    worst = min((r.rate for r in rates), default=0.0)
    best = max((r.rate for r in rates), default=0.0)
    named = sum(1 for o in outcomes if o.named_places)
    top1 = sum(1 for o in outcomes if o.status in PLACED_STATUSES and o.wish_match == "top1")
    top3 = sum(1 for o in outcomes if o.status in PLACED_STATUSES and o.wish_match in ("top1", "top2", "top3"))
    return Summary(
        students=total, placed=done, unplaced=total - done, worst_school_rate=worst, best_school_rate=best,
        school_spread=widest_gap_in_a_pool(rates), top1_share=_share(top1, named), top3_share=_share(top3, named),
        school_rates=rates, unplaced_by_reason=dict(sorted(reasons.items())),
    )


def widest_gap_in_a_pool(rates: Sequence[SchoolRate]) -> float:
    """The largest difference between the rates of two schools of the same pool (sector)."""
    by_pool: dict[str | None, list[float]] = {}
    for r in rates:
        by_pool.setdefault(r.sector, []).append(r.rate)
    return round(max((max(v) - min(v) for v in by_pool.values()), default=0.0), 6)


def _pool_order(key: tuple[str | None, str]) -> tuple[str, str]:
    return key[0] or "", key[1]


def rate_changes(before: Summary, after: Summary) -> list[tuple[str | None, str, float | None, float | None]]:
    """(sector, school, rate before, rate after) for every school of every pool in either summary."""
    a = {(r.sector, r.school_id): r.rate for r in before.school_rates}
    b = {(r.sector, r.school_id): r.rate for r in after.school_rates}
    return [(sector, school, a.get((sector, school)), b.get((sector, school)))
            for sector, school in sorted(set(a) | set(b), key=_pool_order)]


def _share(part: int, whole: int) -> float:
    return round(part / whole, 6) if whole else 0.0
