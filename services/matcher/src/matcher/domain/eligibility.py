"""Hard constraints: may this student be placed at this place at all?

The criteria and their order are those of `stagepool_shared.eligibility` (the rule, with `pair_failures`, the
plain-Python reference for one pair that the validator, the explanations and intake's student catalogue all
call; re-exported here).

Two implementations: `pair_failures` (plain Python, one pair, the shared reference) and the numpy ones
(`failure_masks` for a dense block, `eligible_pairs` for the whole round), which tests cross-check against
the reference. `eligible_pairs` returns compact columns (int32 student and place, int16 minutes) and builds
them in bounded blocks: at 250,000 students a round has ~41 million eligible pairs. Imports numpy, the standard library and the shared pure rule only.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from matcher.domain.tables import RoundTables
from matcher.domain.travel import haversine_km, km_to_central_angle, max_km, minutes_from_km
from stagepool_shared.eligibility import CRITERIA, first_failure, pair_failures

BIT = {c: np.uint16(1 << i) for i, c in enumerate(CRITERIA)}
_CHUNK = 4096  # students per dense block at most
_CELLS = 1 << 21  # students x places per dense block: bounds its temporaries at a few tens of MB
_MINUTES = np.int16  # travel minutes of eligible pairs: at most a student's max travel (a few hours)


def mask_criteria(mask: int) -> tuple[str, ...]:
    """Criterion names of a failure bitmask, in rule order."""
    return tuple(c for c in CRITERIA if mask & int(BIT[c]))


def _subset_ok(need: np.ndarray, offered: np.ndarray) -> np.ndarray:
    """(S, P) True where every bit of need[s] is in offered[p] (bitsets of equal word count)."""
    missing = need[:, None, :] & ~offered[None, :, :]
    return ~np.any(missing, axis=2)


def _excluded(rt: RoundTables, s: np.ndarray, p: np.ndarray) -> np.ndarray:
    """True where the pair (s, p) is excluded (refusal or desk exclusion); arrays of equal shape."""
    if rt.excluded_keys.size == 0:
        return np.zeros(s.shape, dtype=bool)
    keys = np.asarray(s, dtype=np.int64) * rt.places.n + p
    pos = np.minimum(np.searchsorted(rt.excluded_keys, keys), rt.excluded_keys.size - 1)
    return rt.excluded_keys[pos] == keys


def travel_minutes_pairs(rt: RoundTables, s: np.ndarray, p: np.ndarray) -> np.ndarray:
    """Travel minutes of pairs (s[k], p[k]) with each student's own transport mode."""
    st, pt = rt.students, rt.places
    return minutes_from_km(haversine_km(st.lat[s], st.lon[s], pt.lat[p], pt.lon[p]), st.mode[s])


def pair_masks(rt: RoundTables, s: np.ndarray, p: np.ndarray, travel: bool = True) -> tuple[np.ndarray, np.ndarray]:
    """Failure bitmask (uint16, 0 = eligible) and travel minutes of pairs (s[k], p[k]).

    With travel=False the (costly) travel time is skipped: minutes are 0 and the travel bit is never set.
    """
    st, pt = rt.students, rt.places
    if travel:
        minutes = travel_minutes_pairs(rt, s, p)
    else:
        minutes = np.zeros(np.shape(s), dtype=np.int64)
    fails = {
        "programme": ~pt.crebos[p, st.crebo[s]],
        "level": ((pt.levels[p] >> st.level[s]) & 1) == 0,
        "pathway": ((pt.pathways[p] >> st.pathway[s]) & 1) == 0,
        "study_year": ((pt.study_years[p] >> st.study_year[s]) & 1) == 0,
        "period": st.period[s] != pt.period[p],
        "travel_time": minutes > st.max_travel[s],
        "support": np.any(st.support[s] & ~pt.support[p], axis=-1),
        "allowance": st.allowance[s] & ~pt.allowance[p],
        "irregular_shifts": ~st.irregular_ok[s] & pt.irregular[p],
        "min_age": st.age[s] < pt.min_age[p],
        "no_slots": pt.capacity[p] <= 0,
        "excluded": _excluded(rt, s, p),
    }
    mask = np.zeros(np.shape(s), dtype=np.uint16)
    for c, failed in fails.items():
        mask |= failed.astype(np.uint16) * BIT[c]
    return mask, minutes


def failure_masks(rt: RoundTables, s: np.ndarray, p: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Dense block: (S, P) failure bitmasks and travel minutes for every student s x place p."""
    ss, pp = np.meshgrid(np.asarray(s), np.asarray(p), indexing="ij")
    return pair_masks(rt, ss, pp)


@dataclass(frozen=True)
class Pairs:
    """Eligible (student, place) pairs, sorted by (student, place), with their travel minutes."""

    student: np.ndarray
    place: np.ndarray
    minutes: np.ndarray

    @property
    def n(self) -> int:
        return len(self.student)


def runs(start: np.ndarray, count: np.ndarray) -> np.ndarray:
    """The positions start[i] .. start[i] + count[i] - 1 of every i, concatenated (int32): e.g. the pairs of some
    students, the pairs being sorted by student (a component's pairs; the validator's augmenting-path search)."""
    shift = np.repeat((start - (np.cumsum(count) - count)).astype(np.int32), count)
    return shift + np.arange(len(shift), dtype=np.int32)


#: pairs per slice when `group_place_links` reads them (no per-pair temporary of a whole national round)
LINK_SLICE = 1 << 22
#: groups x places up to which `group_place_links` marks the links in a dense matrix (50 MB of booleans)
DENSE_LINKS = 50_000_000


def group_place_links(group: np.ndarray, student: np.ndarray, place: np.ndarray, n_groups: int,
                      n_places: int) -> tuple[np.ndarray, np.ndarray]:
    """The distinct (group, place) links of the pairs (student[i], place[i]), `group` per student, sorted by
    group then place: the solver's components and the validator's parts. Read in slices of LINK_SLICE pairs;
    marked in a dense matrix when it is small (numpy 2.4's `unique` hashes: 0.23-0.25 s on the 50k region's
    1.7 million pairs against 0.03 s), else sorted keys."""
    slices = [slice(lo, lo + LINK_SLICE) for lo in range(0, len(student), LINK_SLICE)]
    if n_groups * n_places <= DENSE_LINKS:
        mark = np.zeros((n_groups, n_places), dtype=bool)
        for sl in slices:
            mark[group[student[sl]], place[sl]] = True
        return np.nonzero(mark)
    keys = np.unique(np.concatenate([np.unique(group[student[sl]].astype(np.int64) * n_places + place[sl])
                                     for sl in slices] or [np.zeros(0, dtype=np.int64)]))
    return keys // n_places, keys % n_places


def within_reach(rt: RoundTables, s: np.ndarray, p: np.ndarray, extra_minutes: int = 0) -> np.ndarray:
    """(S, P) prefilter: True for every place that may lie within max_travel + extra minutes.

    Compares great-circle angles through dot products of unit vectors (no trigonometry per pair) with
    a small slack, so it never drops a pair the exact minute computation would keep.
    """
    return (rt.students.xyz[s] @ rt.places.xyz[p].T) >= reach_cosine(rt, s, extra_minutes)[:, None]


def reach_cosine(rt: RoundTables, s: np.ndarray, extra_minutes: int = 0, slack: float = 1e-6) -> np.ndarray:
    """Per student: the cosine bound of `within_reach` (a dot product below it lies beyond max_travel + extra).

    A negative `slack` gives the inner bound instead: a dot product at or above it surely lies within
    reach (2.0, never met, where the reach is too small for the bound to be safe).
    """
    st = rt.students
    reach = max_km(st.max_travel[s].astype(float) + extra_minutes, st.mode[s])
    angle = np.minimum(km_to_central_angle(np.maximum(reach, 0.0)) + slack, np.pi)
    return np.where((reach >= 0) & (angle >= 1e-4 if slack < 0 else True), np.cos(angle), 2.0)


def _block_candidates(rt: RoundTables, s: np.ndarray, p: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Pairs of one (period, crebo) block passing every criterion but travel, with a travel prefilter."""
    st, pt = rt.students, rt.places
    ok = ((pt.levels[p][None, :] >> st.level[s][:, None]) & 1) == 1
    ok &= ((pt.pathways[p][None, :] >> st.pathway[s][:, None]) & 1) == 1
    ok &= ((pt.study_years[p][None, :] >> st.study_year[s][:, None]) & 1) == 1
    ok &= _subset_ok(st.support[s], pt.support[p])
    ok &= ~(st.allowance[s][:, None] & ~pt.allowance[p][None, :])
    ok &= ~(~st.irregular_ok[s][:, None] & pt.irregular[p][None, :])
    ok &= st.age[s][:, None] >= pt.min_age[p][None, :]
    ok &= within_reach(rt, s, p)
    si, pj = np.nonzero(ok)
    return s[si], p[pj]


def block_rows(n_places: int, most: int = _CHUNK) -> int:
    """Students per dense block of `n_places` columns: about _CELLS cells, at least 64 and at most `most` rows."""
    return int(min(most, max(64, _CELLS // max(n_places, 1))))


def eligible_pairs(rt: RoundTables) -> Pairs:
    """Every eligible pair of the round (fast path: blocks by period and programme).

    Each block is finished (exact travel minutes, exclusions) before the next one is built, so the
    temporaries stay block-sized; only the compact columns of the kept pairs (int32 student and place,
    int16 minutes) grow with the round.
    """
    st, pt = rt.students, rt.places
    parts: list[tuple[np.ndarray, np.ndarray, np.ndarray]] = []
    open_places = pt.capacity > 0
    for period in np.unique(st.period[st.period >= 0]):
        for crebo in np.unique(st.crebo[st.period == period]):
            p = np.nonzero(open_places & (pt.period == period) & pt.crebos[:, crebo])[0]
            s_all = np.nonzero((st.period == period) & (st.crebo == crebo))[0]
            rows = block_rows(len(p))
            for k in range(0, len(s_all) if len(p) else 0, rows):
                parts.append(_finish_block(rt, *_block_candidates(rt, s_all[k:k + rows], p)))
    return _sorted_pairs(parts, st.n)


def _finish_block(rt: RoundTables, s: np.ndarray, p: np.ndarray) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Exact travel check and exclusions on one block's prefiltered candidates, as compact columns."""
    minutes = travel_minutes_pairs(rt, s, p)
    keep = minutes <= rt.students.max_travel[s]
    if rt.excluded_keys.size:
        keep &= ~_excluded(rt, s, p)
    return s[keep].astype(np.int32), p[keep].astype(np.int32), minutes[keep].astype(_MINUTES)


def _sorted_pairs(parts: list[tuple[np.ndarray, np.ndarray, np.ndarray]], n_students: int) -> Pairs:
    """The blocks' pairs in (student, place) order, each block written into place and dropped (`parts` is
    emptied), so no sort of the whole round's pairs and no second copy of it is held.

    A student's pairs all come from one block (one period and programme), in place order (`np.nonzero` is
    row-major over ascending students and places), so a student's pairs start where the students before it end.
    """
    count = np.zeros(n_students, dtype=np.int64)
    for s, _, _ in parts:
        students, per_student = np.unique(s, return_counts=True)
        count[students] = per_student
    start = np.cumsum(count) - count
    total = int(count.sum())
    student, place = np.empty(total, dtype=np.int32), np.empty(total, dtype=np.int32)
    minutes = np.empty(total, dtype=_MINUTES)
    while parts:
        s, p, m = parts.pop()
        at = start[s] + (np.arange(len(s)) - np.searchsorted(s, s))  # the student's start + the pair's rank in it
        student[at], place[at], minutes[at] = s, p, m
    return Pairs(student=student, place=place, minutes=minutes)


__all__ = [
    "BIT", "CRITERIA", "Pairs", "block_rows", "eligible_pairs", "failure_masks",
    "first_failure", "mask_criteria", "pair_failures", "pair_masks",
]
