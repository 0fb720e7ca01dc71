"""Pass A's group totals by max flows: Fujishige's decomposition algorithm (docs/matching.md, section 2, step 7).

With the release arcs open, the group totals of the maximum allocations are the bases of a polymatroid: f(X) =
the most students of the groups X that can be placed together (a max flow from those groups). Pass A's cost is
separable and convex in the totals (the unit ranks rise inside a group), and such a cost is minimised over the
bases by max flows alone (the decomposition algorithm: Fujishige, "Submodular Functions and Optimization";
Groenevelt 1991 for integers):
  1. give each group its share of the total by the cheapest units, as if only the total bound them;
  2. a max flow with those shares as the groups' capacities: when it places them all, they are the optimum;
  3. otherwise the groups on the source side of its minimum cut ask for more than they can have together: they
     get exactly their own maximum (solved again among themselves), the others share the rest (solved again
     with the first ones placed first).
A few max flows replace pass A's min-cost flow, whose cost scaling is slow on the rank costs (docs 8.0h). Step 2's
max flow is often left to pass S (`first_shares`): its network with the shares as group totals has a flow
exactly when some maximum allocation has them.

Pass A minimises the rank cost among the maximum allocations with the fewest released reserved slots, a subset
of these bases. The bases' optimum is therefore pass A's only when some allocation with those totals releases
no more than the fewest. `fair_totals` returns the totals with a flow that has them, and a lower bound on the
fewest released slots: the release capacity across the minimum cut of the first max flow (`released_bound`;
closing those arcs lowers that cut, and so every max flow without releases, by as much). The caller accepts the
totals when a flow with them reaches that bound (the flow here, or pass S's, which releases the fewest slots the
totals allow); else when it reaches `fewest_released`, a bound at least as high (the max flow with every
release arc open, less the max flow with them closed: one more max flow), and solves pass A otherwise.
Imports ortools (graph), numpy and matcher.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
from ortools.graph.python import max_flow

from matcher.errors import SolverFailure
from matcher.solver import constraints as rules
from matcher.solver import heap
from matcher.solver.components import Component
from matcher.solver.instance import SolverInstance
from matcher.solver.variables import SINK, SOURCE, ArcSet, NodeLayout


@dataclass(frozen=True)
class MaxFlowTotals:
    """The fair totals per group position (pass A's optimum among all maximum allocations), the most placed, a
    lower bound on the fewest released slots of any maximum allocation (from a minimum cut), and a flow with the
    totals: placed per component student, released slots per reservation (None from `first_shares`, whose
    totals are the optimum only when some allocation has them)."""

    per_group: np.ndarray
    most: int
    released_bound: int
    enrolled: np.ndarray | None = None
    released: np.ndarray | None = None


class _Network:
    """One component's allocation network for max flows: source -> group arcs first, whose capacities each
    probe sets, then the arcs of the rules (enrolment, pairs, slots, reservations with the release arcs)."""

    def __init__(self, inst: SolverInstance, comp: Component, lay: NodeLayout) -> None:
        arcs = ArcSet()
        arcs.add("groups", np.full(lay.n_groups, SOURCE), lay.group0 + np.arange(lay.n_groups), 0, 0)
        rules.add_enrolment(arcs, inst, comp, lay)
        rules.add_pairs(arcs, inst, comp, lay, 0)
        rules.add_capacity(arcs, inst, comp, lay)
        self.slots = inst.reservations.slots[comp.reservations]
        rules.add_reservations(arcs, inst, comp, lay, 0, self.slots)
        self.spans, self.lay = dict(arcs.spans), lay
        tails, heads, caps, _ = arcs.arrays()
        lo, hi = self.spans.get("release", (0, 0))
        self.release_ends = tails[lo:hi].copy(), heads[lo:hi].copy()
        arcs.release()
        self.smf = max_flow.SimpleMaxFlow()
        self.smf.add_arcs_with_capacity(tails, heads, caps)
        del tails, heads, caps
        heap.give_back_before(arcs.size)

    def _ids(self, name: str) -> np.ndarray:
        lo, hi = self.spans.get(name, (0, 0))
        return np.arange(lo, hi, dtype=np.int32)

    def flow(self, group_caps: np.ndarray, releases: bool = True) -> int:
        """The max flow with these source -> group capacities (kept as `caps`) and the release arcs open or
        closed."""
        self.caps = group_caps.astype(np.int64)
        self.smf.set_arcs_capacity(self._ids("groups"), self.caps)
        release = self._ids("release")
        if len(release):
            self.smf.set_arcs_capacity(release, self.slots if releases else np.zeros_like(self.slots))
        if self.smf.solve(SOURCE, SINK) != self.smf.OPTIMAL:
            raise SolverFailure("fair totals", "max flow not optimal")
        self.value, self._side = int(self.smf.optimal_flow()), None
        return self.value

    def _source_side(self) -> np.ndarray:
        """Whether each node lies on the source side of the last flow's minimum cut (read once per flow)."""
        if self._side is None:
            self._side = np.zeros(self.lay.n_nodes, dtype=bool)
            self._side[np.asarray(self.smf.get_source_side_min_cut(), dtype=np.int64)] = True
        return self._side

    def source_side_groups(self) -> np.ndarray:
        """Whether each group lies on the source side of the last flow's minimum cut."""
        return self._source_side()[self.lay.group0:self.lay.group0 + self.lay.n_groups]

    def released_across_cut(self) -> int:
        """The release capacity from the source side of the last flow's minimum cut to its sink side. With the
        release arcs closed, that cut holds that much less, so every maximum allocation of the last flow's
        capacities releases at least this many slots (docs/matching.md, section 3)."""
        tails, heads = self.release_ends
        side = self._source_side()
        return int(self.slots[side[tails] & ~side[heads]].sum())

    def arc_flows(self, name: str) -> np.ndarray:
        return np.asarray(self.smf.flows(self._ids(name)), dtype=np.int64)


def _cheapest_shares(g_pos: np.ndarray, rank: np.ndarray, ground: np.ndarray, total: int) -> np.ndarray:
    """Step 1: the `total` cheapest units of the groups in `ground` (a group's units in rank order), per group."""
    units = np.flatnonzero(ground[g_pos])
    chosen = units[np.argsort(rank[units], kind="stable")[:total]]
    return np.bincount(g_pos[chosen], minlength=len(ground)).astype(np.int64)


def _first_step(net: _Network, g_pos: np.ndarray, rank: np.ndarray) -> tuple[np.ndarray, MaxFlowTotals, bool]:
    """(students per group, the cheapest units of the most placed per group with the max flow and its bound,
    whether those units ask too much of the groups on the source side of the max flow's minimum cut)."""
    students = np.bincount(g_pos, minlength=net.lay.n_groups).astype(np.int64)
    most = net.flow(students)
    released_bound = net.released_across_cut()
    shares = _cheapest_shares(g_pos, rank, np.ones(len(students), dtype=bool), most)
    tight = net.source_side_groups()  # together they place at most what the others leave of the max flow
    too_much = int(shares[tight].sum()) > most - int(students[~tight].sum())
    return students, MaxFlowTotals(shares, most, released_bound), too_much


def first_shares(inst: SolverInstance, comp: Component, lay: NodeLayout, g_pos: np.ndarray,
                 rank: np.ndarray) -> MaxFlowTotals | None:
    """Step 1 alone: the cheapest units of the most placed. They are the optimum exactly when some maximum
    allocation has them (step 2), which the caller learns from pass S: its network has a flow exactly then.
    None when the first max flow's minimum cut already shows that no allocation has them."""
    _, found, too_much = _first_step(_Network(inst, comp, lay), g_pos, rank)
    return None if too_much else found


def fair_totals(inst: SolverInstance, comp: Component, lay: NodeLayout, g_pos: np.ndarray,
                rank: np.ndarray) -> MaxFlowTotals:
    """Pass A's cost minimised over the group totals of all maximum allocations (steps 1-3 above)."""
    net = _Network(inst, comp, lay)
    n = lay.n_groups
    students, first, _ = _first_step(net, g_pos, rank)
    most = first.most
    totals = np.zeros(n, dtype=np.int64)
    # Each task: (groups placed first, at full capacity; the most they place; the groups to share out; what
    # they share).
    tasks = [(np.zeros(n, dtype=bool), 0, np.ones(n, dtype=bool), most)]
    while tasks:
        first_groups, base, ground, total = tasks.pop()
        shares = _cheapest_shares(g_pos, rank, ground, total)
        if net.flow(np.where(first_groups, students, shares)) == base + total:
            totals[ground] = shares[ground]
            continue
        tight = net.source_side_groups() & ground
        if not tight.any() or (tight == ground).all():
            raise SolverFailure("fair totals", "no group set to split at")
        own = net.flow(np.where(first_groups | tight, students, 0)) - base
        tasks.append((first_groups, base, tight, own))
        tasks.append((first_groups | tight, base + own, ground & ~tight, total - own))
    if (not np.array_equal(net.caps, totals) or net.value != most) and net.flow(totals) != most:
        raise SolverFailure("fair totals", "the shares are not one allocation")  # (the last task's flow may serve)
    return MaxFlowTotals(totals, most, first.released_bound, net.arc_flows("enrol"), net.arc_flows("release"))


def fewest_released(inst: SolverInstance, comp: Component, lay: NodeLayout, g_pos: np.ndarray, most: int) -> int:
    """A lower bound on the fewest released slots of any allocation placing `most` (the max flow): `most` less
    the max flow with the release arcs closed. Removing its released students from a maximum allocation leaves
    one without releases."""
    students = np.bincount(g_pos, minlength=lay.n_groups).astype(np.int64)
    return most - _Network(inst, comp, lay).flow(students, releases=False)
