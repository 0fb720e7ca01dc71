"""Independent certificate of variant 2's candidates (validator side; never the solver's graph code).

Every candidate offered must be achievable: some allocation with as many placed, the same school totals, the
same placed count per scarce level and the fewest released reserved slots gives the student that place. Per
offered (student, place), one OR-tools min-cost flow on `fair_bound`'s own network decides it exactly: the
quota arcs at the solution's school totals (new placements), the student's other pair arcs closed, its enrol
arc given a bonus B larger than every other cost, released slots costing P and placing a student the value of
its scarce level (`scarce_bound`'s weights). The optimum places the student at the place whenever any flow
saturating the quotas can; among those it is lexicographically best in (fewest released, then the levels),
by the cycle argument of docs/matching.md section 3. The pair is achievable iff that optimum saturates the
quotas, uses the pair, releases the minimum and places as many per level as the solution (which
`assert_scarce_options` certifies as the best). One flow per pair is fine at test sizes; at scale a pair on a
residual cycle of the validator's own bin network (`candidate_cycles`, one pass over the graph) needs none.
Imports ortools (through scarce_bound), numpy and matcher.domain.
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np

from matcher.domain import scarcity
from matcher.domain.model import RoundInput, Solution
from matcher.domain.variant2 import Offer
from matcher.errors import ValidationFailure
from matcher.solver import fair_bound as bound
from matcher.solver import scarce_bound
from matcher.solver.candidate_cycles import cycle_certified
from matcher.solver.fair_bound import Reference


def _part_of(ref: Reference, s: int) -> np.ndarray | None:
    g = ref.tables.students.group[s]
    return next((part for part in bound._parts(ref) if part[g]), None)


def forced_pair_achievable(ref: Reference, placed: np.ndarray, cutoff: int | None, s: int, p: int) -> bool:
    """Does an allocation equivalent under the rule to the one with `placed` students give student s place p?

    placed: per student, placed by the solution (fixed students included).
    """
    st = ref.tables.students
    part = _part_of(ref, s)
    if part is None or st.fixed[s] >= 0:
        return False
    floor = bound._flow_release(ref, part) if any(pl.reserved for pl in ref.rnd.places) else 0
    net = bound._network(ref, release=floor > 0, part=part)
    _, _, caps, base = net.arrays()
    g_n, students = net.n_groups, net.enrol_students
    level, n_levels, _ = scarce_bound._levels(scarce_bound.keys_of(ref)[students], cutoff)
    values = np.asarray(scarcity.level_values(n_levels, min(2 * int(part.sum()), max(len(students), 1))) or [0],
                        dtype=np.int64)
    release_cost = min(2 * int(part.sum()), max(len(students), 1)) * int(values[-1]) + 1
    new = placed & (st.fixed < 0)
    is_release = base == 1
    caps, costs = caps.copy(), base * release_cost
    caps[:g_n] = np.where(part, np.bincount(st.group[new], minlength=g_n), 0)
    caps[g_n:2 * g_n] = 0
    lo, n_e = 2 * g_n, len(students)
    costs[lo:lo + n_e] = values[level]
    ps, pp = bound._free_pairs(ref)
    inside = part[st.group[ps]]
    ps, pp = ps[inside], pp[inside]
    hit = np.nonzero((ps == s) & (pp == p))[0]
    if not len(hit):
        return False  # not an eligible pair of a student still to place
    pair_lo = lo + n_e
    caps[pair_lo:pair_lo + len(ps)][(ps == s) & (pp != p)] = 0
    bonus = release_cost * int(caps[is_release].sum()) + int(values[-1]) * n_e + 1  # above every other cost
    costs[lo + int(np.searchsorted(students, s))] -= bonus
    flows = scarce_bound._optimum(net, caps, costs)
    got = np.bincount(level, weights=new[students], minlength=n_levels)
    best = np.bincount(level, weights=flows[lo:lo + n_e], minlength=n_levels)
    return bool(flows[pair_lo + hit[0]] == 1 and flows[:g_n].sum() == caps[:g_n].sum()
                and np.array_equal(best, got) and int(flows[is_release].sum()) == floor)


def offered_pairs(ref: Reference, sol: Solution, offers: Sequence[Offer]) -> list[tuple[str, str]]:
    """The (student, place) pairs to certify (picks excluded); refuses a malformed offer outright."""
    placement = sol.placement_map()
    todo = []
    for o in offers:
        if placement.get(o.student_ref) != o.pick or not o.place_ids or o.place_ids[0] != o.pick:
            raise ValidationFailure("candidates", f"offer of {o.student_ref} does not start with its placement")
        if len(set(o.place_ids)) != len(o.place_ids) or len(o.place_ids) > 5:
            raise ValidationFailure("candidates", f"offer of {o.student_ref} repeats a place or has more than 5")
        todo += [(o.student_ref, q) for q in o.place_ids[1:]]
    return todo


def assert_candidates_achievable(rnd: RoundInput, sol: Solution, offers: Sequence[Offer],
                                 ref: Reference | None = None, exact: bool = False) -> int:
    """Every offered candidate is achievable (see module docstring); returns the number of pairs certified.

    By default a pair on a residual cycle of the validator's own bin network (`candidate_cycles`) needs no
    further flow; every other pair, and every pair with exact=True, gets the forced min-cost flow.
    """
    ref = ref or bound.reference(rnd)
    rt = ref.tables
    todo = offered_pairs(ref, sol, offers)
    unknown = [(s, q) for s, q in todo if q not in rt.place_index or s not in rt.student_index]
    if unknown:
        _refuse(*unknown[0])
    idx = [(rt.student_index[s], rt.place_index[q]) for s, q in todo]
    cycled = [False] * len(idx) if exact else cycle_certified(ref, sol, idx)
    placed_refs = sol.placement_map()
    placed = np.array([r in placed_refs for r in rt.students.refs], dtype=bool)
    for (student, pid), (s, q), ok in zip(todo, idx, cycled):
        if not ok and not forced_pair_achievable(ref, placed, sol.stats.scarce_cutoff, s, q):
            _refuse(student, pid)
    return len(todo)


def _refuse(student: str, pid: str) -> None:
    raise ValidationFailure("candidates", f"{student} -> {pid} is offered but no allocation with the same placed, "
                                          "school totals, scarce levels and released slots gives it")
