"""The fewest released reserved slots certified by two maximum flows per part, when they suffice (validator).

Per independent part of `fair_bound`'s own network, F = the maximum flow with the release arcs open and
F0 = the maximum flow with them closed. Any maximum allocation with r released slots keeps an allocation of
F - r students without releases once those r students are dropped, so r >= F - F0. When the solution places
sum F (+ the fixed students) and releases exactly sum (F - F0) (+ what the fixed placements alone release),
it is a maximum allocation reaching that lower bound in every part, so F - F0 is every part's minimum: no
min-cost flow is needed. Otherwise `fair_bound.min_release` solves the min-cost flows as before. The sum of
the F is the most students any allocation places: with the release bound wanted, the validator's max-placements
check reads it here (`max_placeable`) instead of solving one more maximum flow.
Imports numpy and matcher.solver.fair_bound (the validator's network; never the solver's).
"""

from __future__ import annotations

import numpy as np
from matcher.errors import SolverFailure
from matcher.solver import fair_bound as bound
from matcher.solver import fork
from matcher.solver.fair_bound import Reference


#: The reference's cache key of the solution's new placements per group, once certified maximum.
MAXIMUM_PER_GROUP = "maximum_per_group"


def _max_flow(net: bound._Net, caps: np.ndarray) -> int:
    flow = net.max_flow(caps)
    if flow is None:
        raise SolverFailure("release lower bound", "max flow did not solve")
    return flow


def part_bound(ref: Reference, part: np.ndarray) -> tuple[int, int]:
    """(F, F - F0) of one part: its maximum flow and the lower bound on its released slots. F is the
    solution's count in the part when the max-placements check certified the solution maximum (`augmenting`:
    with every slot open to every eligible student, this network's maximum is the plain network's)."""
    net = bound._network(ref, release=True, part=part)
    _, _, caps, costs = net.arrays()
    caps = caps.copy()
    caps[net.n_groups:2 * net.n_groups] = 0  # rest arcs (min-cost-flow probes only): the quota arcs hold demand
    certified = ref.cache.get(MAXIMUM_PER_GROUP)
    full = _max_flow(net, caps) if certified is None else int(certified[part].sum())
    caps[costs == 1] = 0  # the release arcs: the only arcs of cost 1 in the release network
    return full, full - _max_flow(net, caps)


def part_figures(ref: Reference) -> list[tuple[int, int]]:
    """`part_bound` of every part of `fair_bound._parts`, in their order; computed once per reference."""
    if "release_figures" not in ref.cache:
        parts = bound._parts(ref)
        ref.cache["release_figures"] = fork.map_side_by_side(
            lambda share: [part_bound(ref, part) for part in share], parts, ref.workers, ref.pairs_per_part)
    return ref.cache["release_figures"]


def max_placeable(ref: Reference) -> int:
    """The most students any allocation places, fixed ones included: the parts' maximum flows with the release
    arcs open (every slot open to every eligible student), which the release bound needs anyway."""
    return sum(f for f, _ in part_figures(ref)) + int((ref.tables.students.fixed >= 0).sum())


def certified_by_bound(ref: Reference, placed: int, released: int) -> bool:
    """True when `placed` and `released` (fixed placements included) meet the two-max-flow bound in every
    part; the parts' minimum releases are then recorded in the reference's cache for the later checks."""
    if not any(p.reserved for p in ref.rnd.places):
        return False
    figures = part_figures(ref)
    if placed != max_placeable(ref):
        return False
    if released != sum(lb for _, lb in figures) + bound.residual_of(ref).fixed_released:
        return False
    for part, (_, lb) in zip(bound._parts(ref), figures):
        ref.cache[("release", part.tobytes())] = lb
    return True
