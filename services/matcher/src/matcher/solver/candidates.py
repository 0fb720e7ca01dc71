"""Variant 2 (issue 15.3): offer each student k candidate places, every one of them achievable under the rule.

`offer_candidates(round, solution, k_of)` takes a solved round (the candidates round: the plain rule) and,
for every placed student with a k, offers the matcher's own pick first and then up to k - 1 other places
that some allocation equivalent under the rule gives that student (`equivalents`: as many placed, the same
school totals and scarce-options levels, the same released reserved slots). The others are ranked as pass B
ranks pairs: wish cost, then travel, then the seeded lottery, so the offer is blind like the rule.
Students the solution leaves unplaced get no offer (their explanation says why), nor do kept placements.
Imports numpy and matcher (domain and solver).
"""

from __future__ import annotations

from collections.abc import Mapping

import numpy as np

from matcher.domain.consistency import check_round
from matcher.domain.eligibility import Pairs
from matcher.domain.lottery import pair_lottery
from matcher.domain.model import RoundInput, Solution
from matcher.domain.tables import RoundTables, build_tables
from matcher.domain.variant2 import Offer
from matcher.solver.components import components
from matcher.solver.equivalents import achievable_pairs, class_network
from matcher.solver.instance import SolverInstance, build_instance

MIN_K, MAX_K = 2, 5


def k_per_student(rnd: RoundInput, variants: Mapping[tuple[str, str, str], int]) -> dict[str, int]:
    """Per student ref: k of its (school_id, crebo, period_id) when that programme uses variant 2."""
    return {w.student_ref: variants[key] for w in rnd.wishes
            if (key := (w.school_id, w.crebo, w.period_id)) in variants}


def placement_of(inst: SolverInstance, solution: Solution) -> np.ndarray:
    """Per round student (canonical index): the index of its place in the solution, -1 when unplaced."""
    rt = inst.tables
    place_of = np.full(rt.students.n, -1, dtype=np.int64)
    for a in solution.assignments:
        place_of[rt.student_index[a.student_ref]] = rt.place_index[a.place_id]
    return place_of


def offer_candidates(rnd: RoundInput, solution: Solution, k_of: Mapping[str, int],
                     tables: RoundTables | None = None, pairs: Pairs | None = None) -> tuple[Offer, ...]:
    """Candidate offers for the students in `k_of` (student ref -> k, MIN_K..MAX_K), sorted by student ref.

    `solution` must be the rule's solution of `rnd` (the candidates are achievable relative to it).
    """
    if tables is None:
        check_round(rnd)
        tables = build_tables(rnd)
    inst = build_instance(tables, pairs)
    place_of = placement_of(inst, solution)
    st = inst.tables.students
    want = np.zeros(st.n, dtype=np.int64)
    for ref, k in k_of.items():
        if not MIN_K <= k <= MAX_K:
            raise ValueError(f"k must be {MIN_K}..{MAX_K}, got {k} for {ref}")
        if ref in inst.tables.student_index:
            want[inst.tables.student_index[ref]] = k
    want[place_of < 0] = 0
    offers: list[Offer] = []
    for comp in components(inst):
        if not want[comp.students].any():
            continue
        ok = achievable_pairs(class_network(inst, comp, place_of))
        offers += _choose(inst, comp.pairs[ok], place_of, want)
    return tuple(sorted(offers, key=lambda o: o.student_ref))


def _choose(inst: SolverInstance, idx: np.ndarray, place_of: np.ndarray, want: np.ndarray) -> list[Offer]:
    """Up to k achievable pairs per wanting student: its own pick, then by wish, travel and lottery."""
    s, p = inst.pairs.student[idx], inst.pairs.place[idx]
    keep = want[s] > 0
    idx, s, p = idx[keep], s[keep], p[keep]
    st, pt = inst.tables.students, inst.tables.places
    lottery = pair_lottery(st.profile_hash[s], pt.place_hash[p], 1 << 16)
    order = np.lexsort((lottery, inst.pairs.minutes[idx], inst.wish[idx], place_of[s] != p, s))
    s, p = s[order], p[order]
    first = np.r_[True, s[1:] != s[:-1]]
    rank = np.arange(len(s)) - np.maximum.accumulate(np.where(first, np.arange(len(s)), 0))
    take = rank < want[s]
    s, p = s[take], p[take]
    cuts = np.flatnonzero(np.diff(s)) + 1
    offers = []
    for chunk_s, chunk_p in zip(np.split(s, cuts), np.split(p, cuts)):
        if len(chunk_s):
            ids = tuple(pt.ids[int(q)] for q in chunk_p)
            offers.append(Offer(st.refs[int(chunk_s[0])], ids[0], ids))
    return offers
