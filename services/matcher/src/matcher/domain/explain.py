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
For a student who lost out (ALL_TAKEN_UNDER_FAIR_SHARE) only places with a free slot are scanned, since
no other place would have helped; so there places_opened == places_with_free_slot.
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

from matcher.domain.eligibility import BIT, CRITERIA, pair_failures, pair_masks, travel_minutes_pairs, within_reach
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


def _relax_chunk(
    rt: RoundTables, chunk: np.ndarray, places: np.ndarray, free: np.ndarray, out: _Relaxed, at: np.ndarray,
    no_eligible: np.ndarray,
) -> None:
    si, pj = _candidate_pairs(rt, chunk, places)
    n = len(chunk)
    out.any_candidate[at] = np.bincount(si, minlength=n) > 0
    cheap, _ = pair_masks(rt, chunk[si], places[pj], travel=False)
    # travel minutes only where they can matter: at most one other failure, or the fallback's counts
    keep = (np.bitwise_count(cheap) <= 1) | no_eligible[si]
    si, pj, mask = si[keep], pj[keep], cheap[keep]
    s, p = chunk[si], places[pj]
    minutes = travel_minutes_pairs(rt, s, p)
    mask |= (minutes > rt.students.max_travel[s]).astype(np.uint16) * BIT["travel_time"]
    has_free = free[p] > 0
    count = lambda sel: np.bincount(si[sel], minlength=n)  # noqa: E731
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


def relax(rt: RoundTables, students: np.ndarray, free: np.ndarray, no_eligible: np.ndarray) -> _Relaxed:
    """Counterfactual counts for `students` (indices), per criterion relaxed alone.

    `no_eligible` (per student of `students`) marks those without any eligible place, whose binding
    constraint needs the full failure counts.
    """
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
        open_places = places[free[places] > 0]  # a student who lost out is only helped by a free slot
        for group, scan in ((idx[no_eligible[idx]], places), (idx[~no_eligible[idx]], open_places)):
            for k in range(0, len(group) if len(scan) else 0, _CHUNK):
                at = group[k:k + _CHUNK]
                _relax_chunk(rt, students[at], scan, free, out, at, no_eligible[at])
    return out


def _relaxation_rows(r: _Relaxed) -> list[tuple[tuple[Relaxation, ...], Relaxation | None]]:
    """(relaxations, nearest change) per relaxed student; arrays converted to lists once for speed."""
    opened = {c: r.opened[c].tolist() for c in RELAXABLE}
    free = {c: r.free[c].tolist() for c in RELAXABLE}
    extra = r.extra.tolist()
    rows = []
    for i in range(len(extra)):
        items = tuple(Relaxation(c, opened[c][i], free[c][i], extra[i] if c == "travel_time" else None)
                      for c in RELAXABLE if opened[c][i] > 0)
        best = None
        for x in items:  # most opened places with a free slot; ties: earlier in RELAXABLE
            if x.places_with_free_slot > 0 and (best is None or x.places_with_free_slot > best.places_with_free_slot):
                best = x
        rows.append((items, best))
    return rows


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


def _placed(rt: RoundTables, out: Outcome, placed: list[int]) -> list[Explanation]:
    st, pt = rt.students, rt.places
    place, tier, minutes = out.place.tolist(), out.tier.tolist(), out.minutes.tolist()
    eligible, fixed = out.eligible.tolist(), st.fixed.tolist()
    result = []
    for s in placed:
        p, met, code = place[s], CRITERIA, "PLACED"
        if fixed[s] == p:
            failed = set(pair_failures(st.wishes[s], pt.places[p]))
            met, code = tuple(c for c in CRITERIA if c not in failed), "PLACED_FIXED"
        result.append(Explanation(
            student_ref=st.refs[s], code=code, place_id=pt.ids[p], criteria_met=met, wish_rank=wish_rank_name(tier[s]),
            travel_minutes=minutes[s], eligible_places=eligible[s],
        ))
    return result


def explain(rt: RoundTables, out: Outcome) -> tuple[Explanation, ...]:
    """One explanation per student, sorted by student_ref."""
    st = rt.students
    unplaced = np.nonzero(out.place < 0)[0]
    relaxed = relax(rt, unplaced, out.free, out.eligible[unplaced] == 0)
    result = _placed(rt, out, np.nonzero(out.place >= 0)[0].tolist())
    eligible = out.eligible.tolist()
    for i, (s, (items, nearest)) in enumerate(zip(unplaced.tolist(), _relaxation_rows(relaxed))):
        result.append(Explanation(
            student_ref=st.refs[s], code="ALL_TAKEN_UNDER_FAIR_SHARE" if eligible[s] else "NO_ELIGIBLE_PLACE",
            place_id=None, criteria_met=(), wish_rank=None, travel_minutes=None, eligible_places=eligible[s],
            binding_constraint=None if eligible[s] else _binding(relaxed, i), nearest_change=nearest, relaxations=items,
        ))
    result.sort(key=lambda e: e.student_ref)
    return tuple(result)
