"""An explanation for every student: why this place, or why none, and what would have helped.

Codes:
    PLACED                      all hard constraints met; wish rank honoured; travel minutes
    PLACED_FIXED                an accepted placement kept from an earlier round
    NO_ELIGIBLE_PLACE           no place passes every hard constraint; `binding_constraint` names why
    ALL_TAKEN_UNDER_FAIR_SHARE  eligible places exist, but all their slots went to other students under
                                the rule (most placed, then fair shares, then wishes, travel, lottery)

Counterfactuals ("relaxations") relax one criterion at a time for that student only, over the places
of the student's period and sector (or recognising the crebo) within max travel + 30 minutes, and
count the places that would open and how many of those still have a free slot in this allocation.
The binding constraint of a student with no eligible place is the criterion whose relaxation alone
opens the most places; when none does: "period" / "programme" if the period has no place of the
sector or programme at all, "travel_time" if all of them lie beyond max travel + 30 minutes, else the
criterion (other than programme) failed by most of the places that recognise the programme.
`nearest_change` is the relaxation with the most opened free places (ties: the order of RELAXABLE),
and is only set when some single relaxation would have helped. Travel is relaxed in steps of 5
minutes, to the smallest step that opens a place (with a free slot if possible).
Refusals and desk exclusions are never relaxed. Imports numpy and the standard library only.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from matcher.domain.eligibility import BIT, CRITERIA, pair_failures, pair_masks, within_reach
from matcher.domain.model import Explanation, Relaxation
from matcher.domain.preferences import wish_rank_name
from matcher.domain.tables import RoundTables

RELAXABLE = ("travel_time", "allowance", "irregular_shifts", "support", "level", "min_age", "programme", "no_slots")
EXTRA_TRAVEL_SCAN = 30
TRAVEL_STEP = 5
_CHUNK = 512
_NONE = np.iinfo(np.int64).max


@dataclass(frozen=True)
class Outcome:
    """Per student (canonical order): place index (-1 none) and the placed pair's figures."""

    place: np.ndarray
    tier: np.ndarray
    minutes: np.ndarray
    eligible: np.ndarray  # number of eligible places
    free: np.ndarray      # per place: slots still free after this allocation


@dataclass
class _Relaxed:
    """Per unplaced student and criterion: places opened / opened with a free slot; travel step."""

    opened: dict[str, np.ndarray]
    free: dict[str, np.ndarray]
    extra: np.ndarray
    fallback: dict[str, np.ndarray]
    any_candidate: np.ndarray   # some place of the pool lies within max travel + the scan
    pool_places: np.ndarray     # the student's period has places of the sector (or crebo) at all
    other_period: np.ndarray    # other periods of the round have such places


def _candidate_pairs(rt: RoundTables, chunk: np.ndarray, places: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    st, pt = rt.students, rt.places
    near = within_reach(rt, chunk, places, EXTRA_TRAVEL_SCAN)
    near &= (pt.sector[places][None, :] == st.sector[chunk][:, None]) | pt.crebos[places][:, st.crebo[chunk]].T
    near &= pt.period[places][None, :] == st.period[chunk][:, None]
    return np.nonzero(near)


def _travel_step(only: np.ndarray, extra: np.ndarray, free: np.ndarray, row: np.ndarray, n: int) -> np.ndarray:
    """Smallest step of TRAVEL_STEP minutes opening a place (a free one if any), per student."""
    best_free, best_any = np.full(n, _NONE), np.full(n, _NONE)
    np.minimum.at(best_any, row[only], extra[only])
    np.minimum.at(best_free, row[only & free], extra[only & free])
    best = np.where(best_free < _NONE, best_free, best_any)
    return np.where(best < _NONE, -(-best // TRAVEL_STEP) * TRAVEL_STEP, _NONE)


def _relax_chunk(rt: RoundTables, chunk: np.ndarray, places: np.ndarray, free: np.ndarray, out: _Relaxed, at: np.ndarray) -> None:
    si, pj = _candidate_pairs(rt, chunk, places)
    s, p, n = chunk[si], places[pj], len(chunk)
    mask, minutes = pair_masks(rt, s, p)
    has_free = free[p] > 0
    count = lambda sel: np.bincount(si[sel], minlength=n)  # noqa: E731
    out.any_candidate[at] = count(np.ones(len(si), dtype=bool)) > 0
    only_travel = mask == BIT["travel_time"]
    step = _travel_step(only_travel, minutes - rt.students.max_travel[s], has_free, si, n)
    out.extra[at] = step
    within_step = only_travel & (minutes - rt.students.max_travel[s] <= step[si])
    for c in RELAXABLE:
        only = within_step if c == "travel_time" else mask == BIT[c]
        out.opened[c][at], out.free[c][at] = count(only), count(only & has_free)
    structural = (mask & (BIT["programme"] | BIT["period"])) == 0
    for c in CRITERIA:
        out.fallback[c][at] = count(structural & ((mask & BIT[c]) != 0))


def relax(rt: RoundTables, students: np.ndarray, free: np.ndarray) -> _Relaxed:
    """Counterfactual counts for `students` (indices), per criterion relaxed alone."""
    n = len(students)
    out = _Relaxed(
        opened={c: np.zeros(n, np.int64) for c in RELAXABLE}, free={c: np.zeros(n, np.int64) for c in RELAXABLE},
        extra=np.full(n, _NONE), fallback={c: np.zeros(n, np.int64) for c in CRITERIA},
        any_candidate=np.zeros(n, dtype=bool), pool_places=np.zeros(n, dtype=bool),
        other_period=np.zeros(n, dtype=bool),
    )
    st, pt = rt.students, rt.places
    pools = st.period[students] * (int(st.sector.max(initial=0)) + 1) + st.sector[students]
    for pool in np.unique(pools):
        idx = np.nonzero(pools == pool)[0]
        first = students[idx[0]]
        crebos = np.unique(st.crebo[students[idx]])
        relevant = (pt.sector == st.sector[first]) | pt.crebos[:, crebos].any(axis=1)
        places = np.nonzero(relevant & (pt.period == st.period[first]))[0]
        out.pool_places[idx] = len(places) > 0
        out.other_period[idx] = bool(np.any(relevant & (pt.period != st.period[first])))
        for k in range(0, len(idx), _CHUNK):
            at = idx[k:k + _CHUNK]
            if len(places):
                _relax_chunk(rt, students[at], places, free, out, at)
    return out


def _relaxations(r: _Relaxed, i: int) -> tuple[tuple[Relaxation, ...], Relaxation | None]:
    items = tuple(
        Relaxation(c, int(r.opened[c][i]), int(r.free[c][i]), int(r.extra[i]) if c == "travel_time" else None)
        for c in RELAXABLE if r.opened[c][i] > 0
    )
    helpful = [x for x in items if x.places_with_free_slot > 0]
    nearest = max(helpful, key=lambda x: (x.places_with_free_slot, -RELAXABLE.index(x.criterion)), default=None)
    return items, nearest


def _binding(r: _Relaxed, i: int) -> str:
    """The criterion that keeps a student with no eligible place out (see module docstring)."""
    opened = {c: int(r.opened[c][i]) for c in RELAXABLE}
    if max(opened.values()) > 0:
        return max(RELAXABLE, key=lambda c: (opened[c], -CRITERIA.index(c)))
    if not r.pool_places[i]:
        return "period" if r.other_period[i] else "programme"
    if not r.any_candidate[i]:
        return "travel_time"
    fallback = {c: int(r.fallback[c][i]) for c in CRITERIA if c not in ("programme", "period")}
    if max(fallback.values()) > 0:
        return max(fallback, key=lambda c: (fallback[c], -CRITERIA.index(c)))
    return "programme"


def _placed(rt: RoundTables, s: int, out: Outcome) -> Explanation:
    st, pt = rt.students, rt.places
    p = int(out.place[s])
    fixed = int(st.fixed[s]) == p
    met = CRITERIA
    if fixed:
        failed = set(pair_failures(st.wishes[s], pt.places[p]))
        met = tuple(c for c in CRITERIA if c not in failed)
    return Explanation(
        student_ref=st.refs[s], code="PLACED_FIXED" if fixed else "PLACED", place_id=pt.ids[p], criteria_met=met,
        wish_rank=wish_rank_name(out.tier[s]), travel_minutes=int(out.minutes[s]), eligible_places=int(out.eligible[s]),
    )


def explain(rt: RoundTables, out: Outcome) -> tuple[Explanation, ...]:
    """One explanation per student, sorted by student_ref."""
    st = rt.students
    unplaced = np.nonzero(out.place < 0)[0]
    relaxed = relax(rt, unplaced, out.free)
    result = [_placed(rt, int(s), out) for s in np.nonzero(out.place >= 0)[0]]
    for i, s in enumerate(unplaced.tolist()):
        items, nearest = _relaxations(relaxed, i)
        eligible = int(out.eligible[s])
        result.append(Explanation(
            student_ref=st.refs[s], code="ALL_TAKEN_UNDER_FAIR_SHARE" if eligible else "NO_ELIGIBLE_PLACE",
            place_id=None, criteria_met=(), wish_rank=None, travel_minutes=None, eligible_places=eligible,
            binding_constraint=None if eligible else _binding(relaxed, i), nearest_change=nearest, relaxations=items,
        ))
    return tuple(sorted(result, key=lambda e: e.student_ref))
