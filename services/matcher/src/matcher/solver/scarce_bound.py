"""Independent certificate of the scarce-options level (validator side; never the solver's graph code).

Per independent part, one OR-tools min-cost flow on `fair_bound`'s own network: every group of the part
places exactly as many new students as in the solution (its quota arcs at those totals, no rest arcs), a
released reserved slot costs P, and placing a student costs the value of its scarce level (a support need
first, then the number of eligible places from the fewest up; `domain.scarcity`). A simple cycle of that
network passes each group node once, so it changes at most M = 2 * groups placements; level values exact
for M changes make the optimum lexicographically best per level, and P = M * (top value) + 1 keeps the
fewest released slots first. Before that flow, a cheap sufficient check: when for every ranked level i the
solution places as many students of levels <= i as a max flow can place of them alone within the solution's
school totals, no allocation with those totals does better per level, and the min-cost flow is not needed (`_prefix_bounds_met`). The solution must reach the optimum's count of placed students per level:
no allocation with the same school totals, as many placed and the fewest released slots places more
students with a support need, or then more students with k eligible places (k from 1 up).
The optimum's flow comes from LEMON's network simplex, proved optimal here from its dual, or else from OR-tools.
Imports ortools (graph), numpy and matcher (the domain; LEMON through `solver.lemon`).
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
from ortools.graph.python import min_cost_flow

from matcher.domain import scarcity
from matcher.errors import SolverFailure
from matcher.solver import fair_bound as bound
from matcher.solver import fork
from matcher.solver.fair_bound import Reference
from matcher.solver.lemon import network_simplex


@dataclass(frozen=True)
class ScarceCheck:
    """Per part: the first level where the solution falls short (None: certified), and the support counts."""

    short: tuple[int, int, int] | None   # (key of the level, best, got)
    support_best: int
    support_got: int


def keys_of(ref: Reference) -> np.ndarray:
    """Scarcity key per student from the validator's own eligible pairs."""
    st = ref.tables.students
    return scarcity.scarcity_keys(st.support, np.bincount(ref.pairs.student, minlength=st.n))


def _levels(keys: np.ndarray, cutoff: int | None) -> tuple[np.ndarray, int, np.ndarray]:
    """(level per student, number of levels, the key of each level) ranking keys up to `cutoff`."""
    present = np.unique(keys)
    ranked = len(present) if cutoff is None else int(np.searchsorted(present, cutoff, side="right"))
    level, n_levels = scarcity.levels_of(keys, ranked)
    return level, n_levels, present[:n_levels]


def _optimum(net: bound._Net, caps: np.ndarray, costs: np.ndarray) -> np.ndarray:
    """The flows of a cheapest maximum flow: LEMON's network simplex, its optimality proved here from its dual
    (`_certified_simplex`), or OR-tools' max flow with min cost when LEMON or that proof fails."""
    tails, heads, _, _ = net.arrays()
    total = int(caps[:net.n_groups].sum())  # the source's arcs: a flow of this value is a maximum flow
    supplies = np.zeros(int(max(tails.max(initial=1), heads.max(initial=1))) + 1, dtype=np.int64)
    supplies[0], supplies[1] = total, -total
    flows = _certified_simplex(tails, heads, caps, costs, supplies)
    return flows if flows is not None else _ortools_optimum(tails, heads, caps, costs, total)


def _certified_simplex(tails: np.ndarray, heads: np.ndarray, caps: np.ndarray, costs: np.ndarray,
                       supplies: np.ndarray) -> np.ndarray | None:
    """A min-cost flow with these supplies, or None. LEMON's answer is not trusted: it is returned only when
    its flows are feasible (within capacity, conserved) and, with its node potentials pi, every arc of
    reduced cost c + pi[tail] - pi[head] above 0 carries nothing and every one below 0 is full. Those are the
    linear program's optimality conditions, so the flow is a cheapest one whatever solver produced it.
    Measured on the 30k bench region's two parts that need this flow: 0.25 + 0.66 s with OR-tools, 0.24 +
    0.14 s with LEMON and the check (0.01 s). LEMON takes no negative cost (a candidate's check, variant 2):
    None then too."""
    if len(costs) and costs.min() < 0:
        return None
    try:
        flows, pi = network_simplex(len(supplies), tails, heads, caps, costs, supplies)
    except RuntimeError:  # infeasible: OR-tools' max flow with min cost says how far it gets
        return None
    reduced = costs + pi[tails] - pi[heads]
    net = np.bincount(tails, weights=flows, minlength=len(supplies)) - np.bincount(heads, weights=flows,
                                                                                  minlength=len(supplies))
    proved = ((flows >= 0).all() and (flows <= caps).all() and (net == supplies).all()
              and not (flows[reduced > 0] != 0).any() and not (flows[reduced < 0] != caps[reduced < 0]).any())
    return flows if proved else None


def _ortools_optimum(tails: np.ndarray, heads: np.ndarray, caps: np.ndarray, costs: np.ndarray,
                     total: int) -> np.ndarray:
    mcf = min_cost_flow.SimpleMinCostFlow()
    ids = mcf.add_arcs_with_capacity_and_unit_cost(tails.astype(np.int32), heads.astype(np.int32), caps, costs)
    mcf.set_node_supply(0, total)
    mcf.set_node_supply(1, -total)
    if mcf.solve_max_flow_with_min_cost() != mcf.OPTIMAL:
        raise SolverFailure("scarce-options reference", "not optimal")
    return np.asarray(mcf.flows(np.asarray(ids, dtype=np.int32)), dtype=np.int64)


def _prefix_bounds_met(net: bound._Net, quota: np.ndarray, level: np.ndarray, n_levels: int, got: np.ndarray) -> bool:
    """True when, for every ranked level i, the solution places as many students of levels <= i as one max
    flow can place of them alone with at most `quota` (the solution's totals) per group: then no allocation
    with those totals places lexicographically more per level (a better one would place more of the levels
    <= its first better level, and its students of those levels alone are such a flow).

    A level whose students the solution all places needs no flow of its own: each student's enrol arc carries
    at most 1, so opening them adds at most their number to the level below's maximum, which the solution
    reaches, and the solution reaches that sum too. Only the levels with a student left unplaced are solved (at
    1,000 students 16 of 54 flows)."""
    caps = net.arrays()[2].copy()
    lo = 2 * net.n_groups
    caps[:net.n_groups], caps[net.n_groups:lo] = quota, 0  # rest arcs closed
    size = np.bincount(level, minlength=n_levels)
    for i in range(n_levels - 1):
        if got[i] == size[i]:
            continue
        caps[lo:lo + len(level)] = level <= i
        if net.max_flow(caps) != int(got[:i + 1].sum()):  # None (not solved) is not a met bound either
            return False
    return True


def check_part(ref: Reference, part: np.ndarray, placed: np.ndarray, cutoff: int | None) -> ScarceCheck:
    """Compare the solution's placed students per scarce level of one part with the best reachable.

    placed: per student, placed by the solution (fixed students included; they are not in the network).
    """
    st = ref.tables.students
    floor = bound._flow_release(ref, part) if ref.reserved else 0
    net = bound._network(ref, release=floor > 0, part=part)
    students = net.enrol_students
    keys = keys_of(ref)[students]
    level, n_levels, level_keys = _levels(keys, cutoff)
    changes = min(2 * int(part.sum()), max(len(students), 1))
    values = scarcity.level_values(n_levels, changes)
    top = values[-1] if values else 0
    new = placed & (st.fixed < 0)
    got = np.bincount(level, weights=new[students], minlength=n_levels).astype(np.int64)
    quota = np.where(part, np.bincount(st.group[new], minlength=net.n_groups), 0)
    if (n_levels <= 1 or new[students[level < n_levels - 1]].all()  # no allocation places more of them
            or _prefix_bounds_met(net, quota, level, n_levels, got)):
        support = n_levels > 0 and level_keys[0] == scarcity.SUPPORT_KEY
        return ScarceCheck(None, int(got[0]) if support else 0, int(got[0]) if support else 0)
    _, _, caps, costs = net.arrays()
    caps, costs = caps.copy(), costs * (changes * top + 1)  # release arcs cost 1 in the base network
    caps[:net.n_groups] = quota
    caps[net.n_groups:2 * net.n_groups] = 0
    lo = 2 * net.n_groups
    costs[lo:lo + len(students)] = np.asarray(values, dtype=np.int64)[level]
    flows = _optimum(net, caps, costs)[lo:lo + len(students)]
    best = np.bincount(level, weights=flows, minlength=n_levels).astype(np.int64)
    diff = np.nonzero(best != got)[0]
    short = (int(level_keys[diff[0]]), int(best[diff[0]]), int(got[diff[0]])) if len(diff) else None
    support = level_keys[0] == scarcity.SUPPORT_KEY if n_levels else False
    return ScarceCheck(short, int(best[0]) if support else 0, int(got[0]) if support else 0)


def check(ref: Reference, placed: np.ndarray, cutoff: int | None) -> list[ScarceCheck]:
    """One check per independent part (see `check_part`), the parts side by side in `ref.workers` processes."""
    return fork.map_side_by_side(lambda share: [check_part(ref, part, placed, cutoff) for part in share],
                                 bound._parts(ref), ref.workers, ref.pairs_per_part)
