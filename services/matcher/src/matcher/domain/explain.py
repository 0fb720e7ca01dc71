"""An explanation for every student: why this place, or why none, and what would have helped.

Codes:
    PLACED                      all hard constraints met; wish rank honoured; travel minutes
    PLACED_FIXED                an accepted placement kept from an earlier round
    NO_ELIGIBLE_PLACE           no place passes every hard constraint; `binding_constraint` names why
    ALL_TAKEN_UNDER_FAIR_SHARE  eligible places exist, but all their slots went to other students under
                                the rule (most placed, then fair shares, then wishes, travel, lottery)

A placed student (not a kept placement) with a support need gets `priority` "support", one with at most
FEW_PLACES eligible places "few_places": the scarce-options level places as many of them as it can.
Counterfactuals ("relaxations") relax one criterion at a time for that student only, over the places
of the student's period and sector (or recognising the crebo) within max travel + 30 minutes, and
count the places that would open (K, `places_opened`: every place that would become eligible) and how
many of those still have a free slot in this allocation (F, `places_with_free_slot`), for every unplaced
student alike (issue 17: a student who lost out was told F as K). F > 0 is enough: the rule places the
most students first, and one more student fits in the free slot, so every allocation of the relaxed round
places this student. With F == 0 the change may not be enough, and the sentence says so (`wording`).
The binding constraint of a student with no eligible place is the criterion whose relaxation alone
opens the most places; when none does: "period" / "programme" if the period has no place of the
sector or programme at all, "travel_time" if all of them lie beyond max travel + 30 minutes, else the
criterion (other than programme) failed by most of the places that recognise the programme.
`nearest_change` is the relaxation with the most opened free places (ties: the order of RELAXABLE),
and is only set when some single relaxation would have helped. Travel is relaxed in steps of 5
minutes, to the smallest step that opens a place (with a free slot if possible).
Refusals and desk exclusions are never relaxed.
The scan is vectorised per pool (period, sector) in dense blocks of students x places (at most _CHUNK
students and about eligibility's _CELLS cells, so memory stays bounded in large regions): failure bitmasks
from per-value rows, counts per criterion by comparing the bitmask with that criterion's bit (other
criteria only over the places recognising the student's programme), exact travel minutes only where
the great-circle bounds cannot decide or the travel step needs them. Imports numpy and the standard
library only.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from matcher.domain.eligibility import BIT, CRITERIA, block_rows, pair_failures, reach_cosine, travel_minutes_pairs
from matcher.domain.model import Explanation, Relaxation
from matcher.domain.preferences import wish_rank_name
from matcher.domain.scarcity import FEW_PLACES
from matcher.domain.tables import RoundTables

RELAXABLE = ("travel_time", "allowance", "irregular_shifts", "support", "level", "min_age", "programme", "no_slots")
EXTRA_TRAVEL_SCAN = 30
TRAVEL_STEP = 5
_CHUNK = 512  # students per dense block at most (and about eligibility's _CELLS cells)
_NONE = np.iinfo(np.int64).max
_POPCOUNT_LE1 = np.bitwise_count(np.arange(1 << 16, dtype=np.uint16)) <= 1


@dataclass(frozen=True)
class Outcome:
    """Per student (canonical order): place index (-1 none) and the placed pair's figures."""

    place: np.ndarray
    tier: np.ndarray
    minutes: np.ndarray
    eligible: np.ndarray  # number of eligible places
    free: np.ndarray      # per place: slots still free after this allocation
    scarce_cutoff: int | None = None  # SolveStats.scarce_cutoff: the priority said only for ranked students


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


def _fail_rows(values: np.ndarray, fail_of) -> np.ndarray:
    """(S, P) rows of `fail_of(unique values)` (a (U, P) uint16 table), one per student value."""
    uniq, inv = np.unique(values, axis=0 if values.ndim > 1 else None, return_inverse=True)
    return fail_of(uniq)[inv.reshape(-1)]


def _cheap_block(rt: RoundTables, s: np.ndarray, p: np.ndarray) -> np.ndarray:
    """(S, P) failure bitmasks without travel, as `pair_masks(travel=False)`, built from per-value rows."""
    st, pt = rt.students, rt.places
    bit = lambda c, fails: fails.astype(np.uint16) * BIT[c]  # noqa: E731
    lev, path, year, age, sup = pt.levels[p], pt.pathways[p], pt.study_years[p], pt.min_age[p], pt.support[p]
    mask = np.broadcast_to(bit("no_slots", pt.capacity[p] <= 0), (len(s), len(p))).copy()
    mask |= _fail_rows(st.crebo[s], lambda u: bit("programme", ~pt.crebos[p][:, u].T))
    mask |= _fail_rows(st.level[s], lambda u: bit("level", ((lev[None, :] >> u[:, None]) & 1) == 0))
    mask |= _fail_rows(st.pathway[s], lambda u: bit("pathway", ((path[None, :] >> u[:, None]) & 1) == 0))
    mask |= _fail_rows(st.study_year[s], lambda u: bit("study_year", ((year[None, :] >> u[:, None]) & 1) == 0))
    mask |= _fail_rows(st.age[s], lambda u: bit("min_age", u[:, None] < age[None, :]))
    mask |= _fail_rows(st.support[s], lambda u: bit("support", np.any(u[:, None, :] & ~sup[None, :, :], axis=-1)))
    mask |= _fail_rows(st.allowance[s], lambda u: bit("allowance", u[:, None] & ~pt.allowance[p][None, :]))
    mask |= _fail_rows(st.irregular_ok[s], lambda u: bit("irregular_shifts", ~u[:, None] & pt.irregular[p][None, :]))
    if rt.excluded_keys.size:
        row, col = np.full(st.n, -1), np.full(pt.n, -1)
        row[s], col[p] = np.arange(len(s)), np.arange(len(p))
        r, c = row[rt.excluded_keys // pt.n], col[rt.excluded_keys % pt.n]
        hit = (r >= 0) & (c >= 0)
        mask[r[hit], c[hit]] |= BIT["excluded"]
    return mask


def _travel_step(only: np.ndarray, extra: np.ndarray, free: np.ndarray, row: np.ndarray, n: int) -> np.ndarray:
    """Smallest step of TRAVEL_STEP minutes opening a place (a free one if any), per student."""
    best_free, best_any = np.full(n, _NONE), np.full(n, _NONE)
    np.minimum.at(best_any, row[only], extra[only])
    np.minimum.at(best_free, row[only & free], extra[only & free])
    best = np.where(best_free < _NONE, best_free, best_any)
    return np.where(best < _NONE, -(-best // TRAVEL_STEP) * TRAVEL_STEP, _NONE)


def _travel_block(rt: RoundTables, s: np.ndarray, p: np.ndarray, near: np.ndarray, dot: np.ndarray,
                  cheap: np.ndarray, need: np.ndarray) -> tuple[np.ndarray, tuple[np.ndarray, np.ndarray, np.ndarray]]:
    """(S, P) travel failures: exact minutes for near pairs that fail nothing else (the travel step needs
    them) and for `need` pairs the dot product bounds cannot decide; the rest from those bounds.

    Returns the failures and the exactly computed pairs (row, column, minutes over max travel).
    """
    sure_ok = dot >= reach_cosine(rt, s, 0, -1e-6)[:, None]
    maybe = dot >= reach_cosine(rt, s)[:, None]
    si, pj = np.nonzero(near & ~sure_ok & ((cheap == 0) | (need & maybe)))
    over = travel_minutes_pairs(rt, s[si], p[pj]) - rt.students.max_travel[s[si]]
    fails = ~sure_ok
    fails[si, pj] = over > 0
    return fails, (si, pj, over)


def _relax_chunk(
    rt: RoundTables, chunk: np.ndarray, places: np.ndarray, free: np.ndarray, out: _Relaxed, at: np.ndarray,
    no_eligible: np.ndarray,
) -> None:
    """Dense (students x pool places) block: counts per student and criterion without per-pair Python.

    The pool's places all lie in the chunk's period, so the period bit is never set here.
    """
    st, pt = rt.students, rt.places
    n = len(chunk)
    dot = st.xyz[chunk] @ pt.xyz[places].T
    cheap = _cheap_block(rt, chunk, places)
    near = dot >= reach_cosine(rt, chunk, EXTRA_TRAVEL_SCAN)[:, None]
    near &= (pt.sector[places] == st.sector[chunk[0]])[None, :] | ((cheap & BIT["programme"]) == 0)
    out.any_candidate[at] = near.any(axis=1)
    # exact minutes where they can matter: at most one other failure, or the fallback's counts
    fails, (si, pj, over) = _travel_block(
        rt, chunk, places, near, dot, cheap, _POPCOUNT_LE1[cheap] | no_eligible[:, None])
    mask = cheap | fails.view(np.uint8).astype(np.uint16) * BIT["travel_time"]
    np.copyto(mask, np.uint16(0xFFFF), where=~near)  # a place out of the scan opens nothing
    has_free = free[places] > 0
    _single_counts(out, at, mask, "programme", np.arange(n), np.arange(len(places)), has_free)
    crebo = st.crebo[chunk]
    for u in np.unique(crebo):  # any other criterion opens only places recognising the programme
        rows = np.nonzero(crebo == u)[0]
        cols = np.nonzero(pt.crebos[places, u])[0]
        for c in RELAXABLE:
            if c not in ("travel_time", "programme"):
                _single_counts(out, at, mask, c, rows, cols, has_free)
    _travel_counts(out, at, cheap[si, pj] == 0, si, over, (free[places] > 0)[pj])
    rows = np.nonzero(no_eligible)[0]
    if len(rows):
        m = mask[rows]
        structural = (m & (BIT["programme"] | BIT["period"])) == 0
        for c in CRITERIA:
            out.fallback[c][at[rows]] = np.count_nonzero(structural & ((m & BIT[c]) != 0), axis=1)


def _single_counts(out: _Relaxed, at: np.ndarray, mask: np.ndarray, c: str, rows: np.ndarray, cols: np.ndarray,
                   has_free: np.ndarray) -> None:
    """K and F of criterion `c` for block rows `rows`, over the block columns `cols` (all that can open)."""
    whole = len(rows) == mask.shape[0] and len(cols) == mask.shape[1]
    only = (mask if whole else mask[rows[:, None], cols[None, :]]) == BIT[c]
    out.opened[c][at[rows]] = np.count_nonzero(only, axis=1)
    out.free[c][at[rows]] = np.count_nonzero(only[:, has_free[cols]], axis=1)


def _travel_counts(out: _Relaxed, at: np.ndarray, only_travel: np.ndarray, si: np.ndarray, over: np.ndarray,
                   pair_free: np.ndarray) -> None:
    """Travel step and its counts from the exactly timed pairs (every pair failing on travel alone).

    Only pairs within the scan (max travel + EXTRA_TRAVEL_SCAN) count: the great-circle bound of the scan lets
    some farther pairs through, and a step set by one of those would count only the farther places that
    happened to pass the bound, not every place the step opens (found by the honest-hints property)."""
    n = len(at)
    only_travel = only_travel & (over > 0) & (over <= EXTRA_TRAVEL_SCAN)
    step = _travel_step(only_travel, over, pair_free, si, n)
    out.extra[at] = step
    within_step = only_travel & (over <= step[si])
    out.opened["travel_time"][at] = np.bincount(si[within_step], minlength=n)
    out.free["travel_time"][at] = np.bincount(si[within_step & pair_free], minlength=n)


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
        rows = block_rows(len(places), _CHUNK)  # block temporaries stay bounded
        for k in range(0, len(idx) if len(places) else 0, rows):
            at = idx[k:k + rows]
            _relax_chunk(rt, students[at], places, free, out, at, no_eligible[at])
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
            priority=None if code == "PLACED_FIXED" else _priority(st.wishes[s].support_needs, eligible[s],
                                                                   out.scarce_cutoff),
        ))
    return result


def _priority(support_needs, eligible: int, cutoff: int | None) -> str | None:
    """Why the scarce-options level put this placed student first, if it did (docs/matching.md 1.5, 2b):
    only for keys the solve ranked (`cutoff`: the largest eligible count ranked; -1 none, None all)."""
    ranked = FEW_PLACES if cutoff is None else min(FEW_PLACES, cutoff)
    if support_needs:
        return "support" if cutoff is None or cutoff >= 0 else None
    return "few_places" if eligible <= ranked else None


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
