"""The allocations the rule cannot tell apart from a solved one: its network, its flow, and the residual cycles.

Variant 2 (issue 15.3, docs/matching.md section 9) offers a student a place only when some allocation
*equivalent under the rule* gives it to them: as many placed, the same placed count per (school group,
scarce level) *bin* (so the same school rates and the same scarce-options vector), and the same released
reserved slots. Per component these allocations are exactly the flows of pass B's network with the
solution's bin totals and released slots as supplies (`class_network`). The solution is one such flow
(`solution_flows`); a pair arc s -> h that it leaves empty carries flow in another one iff the residual
graph has a cycle through it, i.e. iff s and h lie in one strongly connected component (`strong_components`).
Imports numpy and matcher.solver (the solver's own network code, the detail pass's supplies from model.py: the
validator certifies independently).
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from matcher.solver import constraints as rules
from matcher.solver.components import Component
from matcher.solver.instance import SolverInstance
from matcher.solver.model import fixed_supplies
from matcher.solver.variables import ArcSet, NodeLayout


@dataclass(frozen=True)
class ClassNet:
    """One component's network of equivalent allocations, with the solution's flow on it."""

    comp: Component
    lay: NodeLayout
    arcs: ArcSet
    supplies: np.ndarray
    flows: np.ndarray       # the solution's flow per arc (ArcSet order)
    chosen: np.ndarray      # per component pair: the solution uses it


def _bins(inst: SolverInstance, comp: Component) -> np.ndarray:
    """Per component student: its (group, scarce level) bin, levels as the solver ranks them."""
    sw = rules.scarce_weights(inst, comp, rules.layout_of(comp))
    g = rules.local(comp.groups, inst.tables.students.group[comp.students])
    return np.unique(g * max(len(sw.values), 1) + sw.level, return_inverse=True)[1].reshape(-1)


def _released(inst: SolverInstance, comp: Component, place_in: np.ndarray, reserved_use: np.ndarray) -> np.ndarray:
    """Reserved slots per reservation of the component that other schools' students must use.

    place_in: per component place, students arriving at the place node (overflow included); reserved_use:
    per reservation, its own school's students in its slots. Fills the spare reserved slots of each place
    in reservation order with what its general slots cannot hold (feasible for any allocation in capacity).
    """
    res = inst.reservations
    spare = res.slots[comp.reservations] - reserved_use
    excess = np.maximum(place_in - inst.general[comp.places], 0)
    released = np.zeros(len(comp.reservations), dtype=np.int64)
    where = rules.local(comp.places, res.place[comp.reservations])
    for i in range(len(comp.reservations)):
        take = min(int(spare[i]), int(excess[where[i]]))
        released[i], excess[where[i]] = take, excess[where[i]] - take
    return released


def class_network(inst: SolverInstance, comp: Component, place_of: np.ndarray) -> ClassNet:
    """The network of the allocations equivalent to `place_of` (per round student: place index or -1)."""
    bins = _bins(inst, comp)
    s, p = inst.pairs.student[comp.pairs], inst.pairs.place[comp.pairs]
    chosen = place_of[s] == p
    placed = place_of[comp.students] >= 0
    lay = NodeLayout(int(bins.max(initial=-1)) + 1, len(comp.students), len(comp.places), len(comp.reservations))
    heads = rules.pair_heads(inst, comp, lay)
    inflow = np.bincount(heads[chosen], minlength=lay.n_nodes).astype(np.int64)
    r = len(comp.reservations)
    slots = inst.reservations.slots[comp.reservations]
    own = np.minimum(inflow[lay.entry0:lay.entry0 + r], slots)
    overflow = inflow[lay.entry0:lay.entry0 + r] - own
    place_in = inflow[lay.place0:lay.place0 + lay.n_places].copy()
    where = rules.local(comp.places, inst.reservations.place[comp.reservations])
    np.add.at(place_in, where, overflow)
    released = _released(inst, comp, place_in, own)
    general = place_in.copy()
    np.subtract.at(general, where, released)
    if (general > inst.general[comp.places]).any():
        raise ValueError("the allocation exceeds a place's slots: not a solution of this round")
    arcs = ArcSet()
    rules.add_enrolment(arcs, inst, comp, lay, 0, source=bins)
    rules.add_pairs(arcs, inst, comp, lay, 0)
    rules.add_capacity(arcs, inst, comp, lay)
    rules.add_reservations(arcs, inst, comp, lay, 0, np.zeros(r, dtype=np.int64))
    flows = np.concatenate([placed, chosen, general, own, overflow, np.zeros(r), own + released]
                           if r else [placed, chosen, general]).astype(np.int64)
    per_bin = np.bincount(bins, weights=placed, minlength=lay.n_groups).astype(np.int64)
    return ClassNet(comp, lay, arcs, fixed_supplies(comp, lay, per_bin, released, inst), flows, chosen)


def strong_components(n: int, tails: np.ndarray, heads: np.ndarray) -> np.ndarray:
    """Strongly connected component label of each of n nodes (iterative Kosaraju on CSR arrays)."""
    order = _post_order(n, *_csr(n, tails, heads))
    start, nxt = _csr(n, heads, tails)
    label = np.full(n, -1, dtype=np.int64)
    lab = label.tolist()
    st, nx = start.tolist(), nxt.tolist()
    count = 0
    for root in reversed(order):
        if lab[root] >= 0:
            continue
        lab[root], stack = count, [root]
        while stack:
            v = stack.pop()
            for w in nx[st[v]:st[v + 1]]:
                if lab[w] < 0:
                    lab[w] = count
                    stack.append(w)
        count += 1
    return np.asarray(lab, dtype=np.int64)


def _csr(n: int, tails: np.ndarray, heads: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    order = np.argsort(tails, kind="stable")
    start = np.zeros(n + 1, dtype=np.int64)
    np.cumsum(np.bincount(tails, minlength=n), out=start[1:])
    return start, heads[order]


def _post_order(n: int, start: np.ndarray, nxt: np.ndarray) -> list[int]:
    """Nodes in DFS finishing order."""
    st, nx = start.tolist(), nxt.tolist()
    seen, order = [False] * n, []
    for root in range(n):
        if seen[root]:
            continue
        seen[root] = True
        stack = [(root, st[root])]
        while stack:
            v, i = stack[-1]
            end = st[v + 1]
            while i < end and seen[nx[i]]:
                i += 1
            if i < end:
                w = nx[i]
                stack[-1] = (v, i + 1)
                seen[w] = True
                stack.append((w, st[w]))
            else:
                stack.pop()
                order.append(v)
    return order


def achievable_pairs(net: ClassNet) -> np.ndarray:
    """Per component pair: some equivalent allocation uses it (the solution's own pairs included).

    A pair arc s -> h the solution leaves empty lies on a cycle of the residual graph iff h reaches s,
    i.e. iff both lie in one strongly connected component; pushing one unit around that cycle gives a
    flow with the same supplies (an equivalent allocation) that uses the pair. Conversely the difference
    of two flows with equal supplies splits into residual cycles of the first.
    """
    tails, heads, caps, _ = net.arcs.arrays()
    fwd, back = net.flows < caps, net.flows > 0
    r_tail = np.concatenate([tails[fwd], heads[back]]).astype(np.int64)
    r_head = np.concatenate([heads[fwd], tails[back]]).astype(np.int64)
    label = strong_components(net.lay.n_nodes, r_tail, r_head)
    lo, hi = net.arcs.spans["pairs"]
    return net.chosen | (label[tails[lo:hi]] == label[heads[lo:hi]])
