"""The fewest released reserved slots certified by two maximum flows per part, when they suffice (validator).

Per independent part of `fair_bound`'s own network, F = the maximum flow with the release arcs open and
F0 = the maximum flow with them closed. Any maximum allocation with r released slots keeps an allocation of
F - r students without releases once those r students are dropped, so r >= F - F0. When the solution places
sum F (+ the fixed students) and releases exactly sum (F - F0) (+ what the fixed placements alone release),
it is a maximum allocation reaching that lower bound in every part, so F - F0 is every part's minimum: no
min-cost flow is needed. Otherwise `fair_bound.min_release` solves the min-cost flows as before.
Imports ortools (graph), numpy and matcher.solver.fair_bound (the validator's network; never the solver's).
"""

from __future__ import annotations

import numpy as np
from ortools.graph.python import max_flow

from matcher.domain.reservations import residual_slots
from matcher.errors import SolverFailure
from matcher.solver import fair_bound as bound
from matcher.solver.fair_bound import Reference


def _max_flow(tails: np.ndarray, heads: np.ndarray, caps: np.ndarray) -> int:
    smf = max_flow.SimpleMaxFlow()
    smf.add_arcs_with_capacity(tails.astype(np.int32), heads.astype(np.int32), caps)
    if smf.solve(0, 1) != smf.OPTIMAL:
        raise SolverFailure("release lower bound", "max flow did not solve")
    return int(smf.optimal_flow())


def part_bound(ref: Reference, part: np.ndarray) -> tuple[int, int]:
    """(F, F - F0) of one part: its maximum flow and the lower bound on its released slots."""
    net = bound._network(ref, release=True, part=part)
    tails, heads, caps, costs = net.arrays()
    caps = caps.copy()
    caps[net.n_groups:2 * net.n_groups] = 0  # rest arcs (min-cost-flow probes only): the quota arcs hold demand
    full = _max_flow(tails, heads, caps)
    caps[costs == 1] = 0  # the release arcs: the only arcs of cost 1 in the release network
    return full, full - _max_flow(tails, heads, caps)


def certified_by_bound(ref: Reference, placed: int, released: int) -> bool:
    """True when `placed` and `released` (fixed placements included) meet the two-max-flow bound in every
    part; the parts' minimum releases are then recorded in the reference's cache for the later checks."""
    if not any(p.reserved for p in ref.rnd.places):
        return False
    parts = bound._parts(ref)
    figures = [part_bound(ref, part) for part in parts]
    fixed = int((ref.tables.students.fixed >= 0).sum())
    if placed != sum(f for f, _ in figures) + fixed:
        return False
    if released != sum(lb for _, lb in figures) + residual_slots(ref.tables).fixed_released:
        return False
    for part, (_, lb) in zip(parts, figures):
        ref.cache[("release", part.tobytes())] = lb
    return True
