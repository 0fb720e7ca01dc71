"""The fewest released reserved slots certified by a lower bound, when the solution reaches it (validator).

First the minimum cut of the solution's own max-placements certificate (`cut_figures`: no max flow). Else, per
independent part of `fair_bound`'s own network, F = the maximum flow with the release arcs open and
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


#: The reference's cache key of the solution's max-placements certificate (`augmenting.Certificate`: its new
#: placements per group and its minimum cut), once it certified the solution maximum.
CERTIFICATE = "certificate"


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
    certified = ref.cache.get(CERTIFICATE)
    full = _max_flow(net, caps) if certified is None else int(certified.per_group[part].sum())
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


def cut_figures(ref: Reference) -> list[int] | None:
    """Per part of `fair_bound._parts`, a lower bound on its released slots from the minimum cut of the solution's
    own max-placements certificate (None without one): the reserved slots left at a place the search reached,
    for a school none of whose reached students (the unplaced ones with a pair among them) is eligible there.

    Why: in the release network, put the reached students and places on the source side, with the entries of
    their reservations that a reached student of the reservation's school can use; every other node on the sink
    side. With the release arcs open this cut holds exactly the solution's count (the placed students not
    reached, and the slots of the reached places, all full), a maximum. Closing the release arcs takes the
    slots of the other reservations of the reached places out of it, so every allocation without releases
    places at most that much less, and every maximum allocation releases at least that many slots."""
    found = ref.cache.get(CERTIFICATE)
    if found is None:
        return None
    reserved = bound.residual_of(ref).reserved  # (place, school) -> reserved slots left, all positive, sorted
    parts = bound._parts(ref)
    if not reserved:
        return [0] * len(parts)
    res_place = np.array([p for p, _ in reserved], dtype=np.int64)
    res_slots = np.array(list(reserved.values()), dtype=np.int64)
    s, p = bound._free_pairs(ref)
    at_reservation = np.zeros(ref.tables.places.n, dtype=bool)
    at_reservation[res_place] = True
    reached = found.students[s] & at_reservation[p]
    res_key, pair_key = bound.reservation_keys(ref, list(reserved), s[reached], p[reached])
    entered = np.isin(res_key, pair_key[pair_key >= 0])
    part_of = _place_parts(ref, parts)[res_place]
    closed = found.places[res_place] & ~entered & (part_of >= 0)  # a reached place has a pair, so a part
    return np.bincount(part_of[closed], weights=res_slots[closed], minlength=len(parts)).astype(np.int64).tolist()


def _place_parts(ref: Reference, parts: list[np.ndarray]) -> np.ndarray:
    """Per place, the position of its part in `parts` (-1: no free pair)."""
    part_of_group = np.full(len(ref.tables.groups), -1, dtype=np.int64)
    for i, part in enumerate(parts):
        part_of_group[part] = i
    lg, lp = bound._links(ref)
    place_part = np.full(ref.tables.places.n, -1, dtype=np.int64)
    place_part[lp] = part_of_group[lg]
    return place_part


def certified_by_bound(ref: Reference, placed: int, released: int) -> bool:
    """True when `placed` and `released` (fixed placements included) meet a lower bound in every part: first the
    minimum cut's of the max-placements certificate (`cut_figures`: no max flow), else the two max flows'; the
    parts' minimum releases are then recorded in the reference's cache for the later checks."""
    if not ref.reserved:
        return False
    fixed = bound.residual_of(ref).fixed_released
    by_cut = cut_figures(ref)
    if by_cut is not None and released == sum(by_cut) + fixed \
            and placed == int(ref.cache[CERTIFICATE].per_group.sum()) + int((ref.tables.students.fixed >= 0).sum()):
        bounds = by_cut
    else:
        figures = part_figures(ref)
        if placed != max_placeable(ref) or released != sum(lb for _, lb in figures) + fixed:
            return False
        bounds = [lb for _, lb in figures]
    for part, lb in zip(bound._parts(ref), bounds):
        ref.cache[("release", part.tobytes())] = lb
    return True
