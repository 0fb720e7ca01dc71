"""The figures of one policy's allocation in a scenario (docs/whatif.md explains each in Dutch and English).

  placed, unplaced by reason  NO_ELIGIBLE_PLACE (no place meets the hard criteria), ALL_TAKEN (every place
                              that does is full under this policy), or the rule's own codes
  per-school rate             placed / students per (school, pool); pool = region/period/sector
  worst rate, spread          the lowest school rate, and the largest gap between two schools of one pool
  ranks                       top1: at the first named place; top3: at one of the three named places
                              (top-1 included); other: placed elsewhere; none: not placed
  travel                      total and median travel minutes of the placed students
  envy                        justified-envy pairs and the students with any (see `envy`)

Imports numpy, matcher.domain and the standard library.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass, field
from typing import Any, Mapping

import numpy as np

from matcher.domain.eligibility import travel_minutes_pairs
from matcher.domain.fairness import pool_name, shares_from_counts, summarise
from matcher.domain.preferences import pair_tiers
from matcher.domain.tables import RoundTables

from .envy import Envy

NO_ELIGIBLE_PLACE, ALL_TAKEN = "NO_ELIGIBLE_PLACE", "ALL_TAKEN"
RANKS = ("top1", "top3", "other", "none")


@dataclass(frozen=True)
class SchoolRate:
    """Placement rate of one school in one pool."""

    pool: str
    school_id: str
    students: int
    placed: int
    rate: float


@dataclass(frozen=True)
class PolicyFigures:
    """Everything the comparison shows of one policy; `seconds` is its wall time."""

    policy: str
    students: int
    placed: int
    unplaced_by_reason: dict[str, int]
    schools: tuple[SchoolRate, ...]
    worst_rate: float
    spread: float
    ranks: dict[str, int]
    travel_total: int
    travel_median: float
    envy_pairs: int
    envy_students: int
    seconds: float = field(default=0.0, compare=False)

    def as_dict(self) -> dict[str, Any]:
        return asdict(self)

    @classmethod
    def from_dict(cls, data: Mapping[str, Any]) -> "PolicyFigures":
        return cls(**{**data, "schools": tuple(SchoolRate(**s) for s in data["schools"])})


def figures(policy: str, rt: RoundTables, place_of: np.ndarray, eligible: np.ndarray, envy: Envy,
            reasons: Mapping[int, str] | None = None, seconds: float = 0.0) -> PolicyFigures:
    """The figures of an allocation given as a place index per student (canonical order, -1 unplaced).

    `reasons`: the policy's own reason per unplaced student; otherwise NO_ELIGIBLE_PLACE for a student
    without an eligible place and ALL_TAKEN for the others.
    """
    st = rt.students
    placed = np.nonzero(place_of >= 0)[0]
    unplaced = np.nonzero(place_of < 0)[0]
    by_reason: dict[str, int] = {}
    for s in unplaced.tolist():
        code = (reasons or {}).get(s) or (NO_ELIGIBLE_PLACE if eligible[s] == 0 else ALL_TAKEN)
        by_reason[code] = by_reason.get(code, 0) + 1
    n_groups = len(rt.groups)
    shares = shares_from_counts(rt.groups, np.bincount(st.group, minlength=n_groups).tolist(),
                                np.bincount(st.group[placed], minlength=n_groups).tolist())
    summary = summarise(shares)
    tiers = pair_tiers(rt, placed, place_of[placed])
    minutes = travel_minutes_pairs(rt, placed, place_of[placed])
    ranks = {"top1": int((tiers == 0).sum()), "top3": int((tiers <= 2).sum()),
             "other": int((tiers > 2).sum()), "none": int(len(unplaced))}
    return PolicyFigures(
        policy=policy, students=st.n, placed=int(len(placed)), unplaced_by_reason=dict(sorted(by_reason.items())),
        schools=tuple(SchoolRate(pool_name(g), g.school_id, g.demand, g.placed, round(g.rate, 6)) for g in shares),
        worst_rate=round(summary.worst_rate, 6), spread=round(summary.spread, 6), ranks=ranks,
        travel_total=int(minutes.sum()), travel_median=float(np.median(minutes)) if len(minutes) else 0.0,
        envy_pairs=envy.pairs, envy_students=envy.students, seconds=round(seconds, 3))
