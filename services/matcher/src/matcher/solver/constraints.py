"""The rules as arcs of a flow network, one function per rule, plus the objective weights.

Network of one component (all capacities integral):

    source --units--> group --enrol--> student --pairs--> place ----general----> sink
                                               \\--pairs--> entry(p, X) --reserved--> slot(p, X) --> sink
                                                          entry(p, X) --overflow--> place
                                                          place --release--> slot(p, X)

* hard constraints: a student has an arc only to places it is eligible for (`add_pairs`);
* one place per student: the enrol arc has capacity 1 (`add_enrolment`);
* slots per place: general + reserved slot arcs add up to the residual effective slots (`add_capacity`,
  `add_reservations`);
* reserved slots: only school X's students enter entry(p, X); others reach slot(p, X) only through the
  release arc, whose cost makes "fewest released slots" the objective right after "most placed";
* fair shares: the source -> group arcs are unit arcs whose costs rise with the group's rate (`add_fair_shares`);
* scarce options (pass S, group totals fixed): each group feeds its students through one bin per scarce
  level, and the group -> bin arc costs the value of that level (`add_scarce_bins`, `scarce_weights`), above
  wishes; pass B re-solves that network with the bins' totals fixed.

Imports numpy only.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from matcher.domain import scarcity
from matcher.domain.lottery import pair_lottery
from matcher.domain.preferences import MAX_WISH_COST
from matcher.errors import SolverLimit
from matcher.solver.components import Component
from matcher.solver.instance import SolverInstance
from matcher.solver.variables import SINK, SOURCE, ArcSet, NodeLayout

COST_LIMIT = 2**59  # OR-tools answers BAD_COST_RANGE near max|cost| * (nodes + 1) ~ 2^60..2^62: keep a margin
#: `local` looks ids up in a table when the largest sorted id is below this many times the number of ids.
DENSE_LOOKUP = 8


def fits(max_cost: int, layout: NodeLayout, limit: int = COST_LIMIT) -> bool:
    """True when OR-tools' cost-scaling can use costs up to `max_cost` on this many nodes."""
    return max_cost * (layout.n_nodes + 1) < limit


def layout_of(comp: Component) -> NodeLayout:
    """Node numbering of a component."""
    return NodeLayout(len(comp.groups), len(comp.students), len(comp.places), len(comp.reservations))


def local(sorted_ids: np.ndarray, ids: np.ndarray) -> np.ndarray:
    """Positions of `ids` in the sorted, distinct, non-negative array `sorted_ids` (all must be present).

    Many ids against ids no larger than a few times their count (a component's pairs against its students or
    places) are looked up in a table indexed by id: a gather, ~30x faster than the binary search it replaces
    (1.7 million pair ids at 50,000 students); few ids are found by binary search."""
    if len(sorted_ids) == 0 or int(sorted_ids[-1]) >= DENSE_LOOKUP * len(ids):
        return np.searchsorted(sorted_ids, ids)
    table = np.empty(int(sorted_ids[-1]) + 1, dtype=np.intp)
    table[sorted_ids] = np.arange(len(sorted_ids), dtype=np.intp)
    return table[ids]


def pair_heads(inst: SolverInstance, comp: Component, lay: NodeLayout) -> np.ndarray:
    """Head node of every pair arc: the entry of a reservation for the student's school, else the place."""
    s, p = inst.pairs.student[comp.pairs], inst.pairs.place[comp.pairs]
    heads = lay.place0 + local(comp.places, p)
    if len(comp.reservations):
        k = len(inst.schools)
        res = inst.reservations
        keys = res.place[comp.reservations] * k + res.school[comp.reservations]
        with_reservation = np.zeros(inst.tables.places.n, dtype=bool)
        with_reservation[res.place[comp.reservations]] = True
        at = np.flatnonzero(with_reservation[p])  # only pairs at a place with a reservation can enter one
        want = p[at].astype(np.int64) * k + inst.student_school[s[at]]
        pos = np.minimum(np.searchsorted(keys, want), len(keys) - 1)
        hit = keys[pos] == want
        heads[at[hit]] = lay.entry0 + pos[hit]
    return heads


def add_pairs(arcs: ArcSet, inst: SolverInstance, comp: Component, lay: NodeLayout, costs: np.ndarray) -> None:
    """Hard constraints: one arc per eligible (student, place) pair, capacity 1."""
    s = inst.pairs.student[comp.pairs]
    arcs.add("pairs", lay.student0 + local(comp.students, s), pair_heads(inst, comp, lay), 1, costs)


def add_enrolment(arcs: ArcSet, inst: SolverInstance, comp: Component, lay: NodeLayout, costs: np.ndarray | int = 0,
                  source: np.ndarray | None = None) -> None:
    """One place per student: group -> student arcs of capacity 1 (pass S: costed by the scarce-options level).

    source: position of each student's source node among the layout's group nodes (pass B: its bin of
    (group, scarce level)); by default its group.
    """
    if source is None:
        source = local(comp.groups, inst.tables.students.group[comp.students])
    arcs.add("enrol", lay.group0 + source, lay.student0 + np.arange(len(comp.students)), 1, costs)


def add_scarce_bins(arcs: ArcSet, inst: SolverInstance, comp: Component, lay: NodeLayout, n_groups: int,
                    bins: np.ndarray, sw: "ScarceWeights") -> None:
    """Scarce options (pass S): group -> bin arcs, one per (group, scarce level) bin of the component's
    students (`bins`, per student), costed by the bin's level value, capacity its students. The bins are the
    source nodes after the `n_groups` groups; each bin leads to its students (`add_enrolment`)."""
    n_bins = int(bins.max(initial=-1)) + 1
    group_of, level_of = np.zeros(n_bins, dtype=np.int64), np.zeros(n_bins, dtype=np.int64)
    group_of[bins] = local(comp.groups, inst.tables.students.group[comp.students])
    level_of[bins] = sw.level
    arcs.add("bins", lay.group0 + group_of, lay.group0 + n_groups + np.arange(n_bins),
             np.bincount(bins, minlength=n_bins), sw.values[level_of] * sw.unit)


def add_capacity(arcs: ArcSet, inst: SolverInstance, comp: Component, lay: NodeLayout) -> None:
    """Slots per place: the residual general slots of each place lead to the sink."""
    arcs.add("general", lay.place0 + np.arange(len(comp.places)), SINK, inst.general[comp.places], 0)


def add_reservations(
    arcs: ArcSet, inst: SolverInstance, comp: Component, lay: NodeLayout, release_cost: int, release_cap: np.ndarray
) -> None:
    """Reserved slots: X's students fill slot(p, X) directly; others only via the costed release arc."""
    r = len(comp.reservations)
    if r == 0:
        return
    res = inst.reservations
    slots = res.slots[comp.reservations]
    entry, slot = lay.entry0 + np.arange(r), lay.slot0 + np.arange(r)
    place = lay.place0 + local(comp.places, res.place[comp.reservations])
    big = len(comp.students) + 1
    arcs.add("reserved", entry, slot, slots, 0)
    arcs.add("overflow", entry, place, big, 0)
    arcs.add("release", place, slot, release_cap, release_cost)
    arcs.add("slot_out", slot, SINK, slots, 0)


def fair_unit_ranks(inst: SolverInstance, comp: Component) -> tuple[np.ndarray, np.ndarray]:
    """Unit arcs of the fair-share objective: (group position, cost rank) per placeable unit.

    Unit u of group g (u = fixed + 1 .. fixed + students that can still be placed) is ranked by
    (rate before it = (u-1)/d_g ascending, rate after it = u/d_g descending); equal keys share a rank.
    Ranks are strictly increasing inside a group (a convex cost), and a unit of a worse-off group is
    always cheaper: see docs/matching.md, "why band arcs give lexicographic max-min".
    """
    flow_students = np.bincount(local(comp.groups, inst.tables.students.group[comp.students]), minlength=len(comp.groups))
    g_pos = np.repeat(np.arange(len(comp.groups)), flow_students)
    start = np.repeat(inst.fixed_count[comp.groups], flow_students)
    u = start + (np.arange(len(g_pos)) - np.repeat(np.cumsum(flow_students) - flow_students, flow_students)) + 1
    d = inst.demand[comp.groups][g_pos].astype(float)
    before, after = (u - 1) / d, u / d
    order = np.lexsort((-after, before))
    new_key = np.ones(len(order), dtype=bool)
    new_key[1:] = (np.diff(before[order]) != 0) | (np.diff(after[order]) != 0)
    rank = np.empty(len(order), dtype=np.int64)
    rank[order] = np.cumsum(new_key) - 1
    return g_pos, rank


def add_fair_shares(arcs: ArcSet, lay: NodeLayout, g_pos: np.ndarray, rank: np.ndarray, weight: int) -> None:
    """Fair shares across schools: unit arcs source -> group with cost weight * rank."""
    arcs.add("units", np.full(len(g_pos), SOURCE), lay.group0 + g_pos, 1, rank * weight)


def fair_pass_weights(
    inst: SolverInstance, comp: Component, lay: NodeLayout, rank: np.ndarray, wish: bool, limit: int = COST_LIMIT
) -> tuple[int, int, bool]:
    """(fair weight W2, release cost P, wish included) for pass A: with `wish`, the largest exact choice that fits.

    Bounds per simple residual cycle (docs/matching.md, section 3): a cycle meets each student once, so
    its wish cost changes by less than W2 = sum of the students' largest wish costs + 1; it passes the
    source once, so the fair cost changes by at most max rank * W2; hence P = (max rank + 1) * W2 + W2
    puts "fewest released slots" strictly first, and W2 puts fairness strictly before wishes. Without
    `wish`, W2 = 1: the ranks alone, a cost range OR-tools' cost scaling solves in fewer phases.
    """
    top_rank = int(rank.max(initial=0))
    for with_wish in ((True, False) if wish else (False,)):
        w2 = _wish_bound(inst, comp) + 1 if with_wish else 1
        release = (top_rank + 2) * w2 if len(comp.reservations) else 0
        if fits(max(release, top_rank * w2, MAX_WISH_COST), lay, limit):
            return w2, release, with_wish
    raise SolverLimit("component too large for exact fair-share costs")


def _wish_bound(inst: SolverInstance, comp: Component) -> int:
    """The sum over the component's students of their largest wish cost."""
    s_loc = local(comp.students, inst.pairs.student[comp.pairs])
    return int(largest_per_student(s_loc, inst.wish[comp.pairs], len(comp.students)).sum())


def largest_per_student(s_loc: np.ndarray, values: np.ndarray, n: int) -> np.ndarray:
    """The largest of the non-negative pair `values` per student (0 for a student without pairs).

    A component's pairs are sorted by student, so `s_loc` (each pair's student) is ascending: one `reduceat`
    over the students' runs, ~10x faster than an unbuffered `maximum.at` over every pair (kept for any other
    order)."""
    largest = np.zeros(n, dtype=np.int64)
    step = np.diff(s_loc)
    if (step < 0).any():
        np.maximum.at(largest, s_loc, values)
    elif len(s_loc):
        starts = np.flatnonzero(np.concatenate(([True], step != 0)))
        largest[s_loc[starts]] = np.maximum.reduceat(values, starts)
    return largest


def totals_tied(g_pos: np.ndarray, rank: np.ndarray, unit_flow: np.ndarray) -> bool:
    """Whether another vector of group totals could be as fair as the one a pass A flow placed.

    Another fair-optimal vector differs by a transfer of one placement from a group b to a group a at no
    cost (the optima of pass A's separable convex cost on an M-convex set are M-convex; docs/matching.md,
    section 3): the rank of a's first unused unit equals the rank of b's last used one. Ranks increase
    strictly inside a group, so such a pair is two groups (of equal demand: only then can two keys be equal).
    """
    used = unit_flow > 0
    n_groups = int(g_pos.max(initial=-1)) + 1
    last = np.full(n_groups, -1, dtype=np.int64)
    np.maximum.at(last, g_pos[used], rank[used])
    first_unused = np.full(n_groups, np.iinfo(np.int64).max, dtype=np.int64)
    np.minimum.at(first_unused, g_pos[~used], rank[~used])
    return bool(np.intersect1d(last[last >= 0], first_unused[first_unused < np.iinfo(np.int64).max]).size)


@dataclass(frozen=True)
class ScarceWeights:
    """Pass S's exact weights: the cost of each scarce level in units of `unit` (the wish bound).

    `level` is the scarce-options level of each component student (0 = placed first), `values` the cost of
    each level, `cutoff` the largest eligible count ranked on its own (None when every count present is;
    -1 when none, 0 when only a support need is), `release` the cost of a released reserved slot: more than
    any cycle can gain on levels and wishes, so the fewest released slots come first.
    """

    unit: int
    level: np.ndarray
    values: np.ndarray
    cutoff: int | None
    release: int


def _status_changes(comp: Component) -> int:
    """Most placements a simple residual cycle of pass S can change: two per group node it passes."""
    return min(2 * len(comp.groups), len(comp.students))


def scarce_weights(inst: SolverInstance, comp: Component, lay: NodeLayout, limit: int = COST_LIMIT) -> ScarceWeights:
    """Pass S's weights: as many scarce levels as fit, each strictly before the ones after it and wishes.

    Bounds per simple residual cycle (docs/matching.md, section 3): it meets each student once, so its wish
    cost changes by less than U = sum of the students' largest wish costs + 1; it passes each group node
    once (pass S has no source arcs: group totals are supplies), so it changes at most M = 2 * groups
    placements. Level values exact for M changes (`scarcity.level_values`), times U, put each level strictly
    before the later ones and before wishes. Keys beyond the budget share the last level (`cutoff`).
    """
    unit, changes = _wish_bound(inst, comp) + 1, _status_changes(comp)
    keys = inst.scarce_key[comp.students]
    present = np.unique(keys)

    def top(ranked: int) -> int:
        values = scarcity.level_values(scarcity.level_count(len(present), ranked), changes)
        return values[-1] if values else 0

    def release(ranked: int) -> int:
        return (changes * top(ranked) + 1) * unit if len(comp.reservations) else 0

    ranked = 0
    while ranked < len(present) and fits(max(top(ranked + 1) * unit, release(ranked + 1), MAX_WISH_COST), lay, limit):
        ranked += 1
    level, n_levels = scarcity.levels_of(keys, ranked)
    values = np.array(scarcity.level_values(n_levels, changes), dtype=np.int64)
    cutoff = None if ranked >= len(present) - 1 else int(present[ranked - 1]) if ranked else -1
    return ScarceWeights(unit, level, values, cutoff, release(ranked))


def detail_costs(
    inst: SolverInstance, comp: Component, lay: NodeLayout, limit: int = COST_LIMIT, seed_size: int = 1 << 16
) -> tuple[np.ndarray, int, int]:
    """Pass B pair costs W3 * wish + W4 * travel + lottery; returns (costs, lottery size, travel quantum).

    Weights make the order strict: W4 > any total lottery difference, W3 > any total travel + lottery
    difference. The lottery range shrinks (and, for huge components, travel is counted in coarser
    minutes) until the largest cost fits OR-tools' range; both are reported in SolveStats.
    """
    s_loc = local(comp.students, inst.pairs.student[comp.pairs])
    minutes, wish = inst.pairs.minutes[comp.pairs].astype(np.int64), inst.wish[comp.pairs].astype(np.int64)
    n = len(comp.students)
    for quantum in (1, 2, 5, 10, 15, 30, 60):
        travel = minutes // quantum
        max_travel = largest_per_student(s_loc, travel, n)
        size = seed_size
        while size >= 1:
            w4 = n * (size - 1) + 1
            w3 = int(max_travel.sum()) * w4 + n * (size - 1) + 1
            if fits(MAX_WISH_COST * w3 + int(max_travel.max(initial=0)) * w4 + size, lay, limit):
                st, pt = inst.tables.students, inst.tables.places
                s, p = inst.pairs.student[comp.pairs], inst.pairs.place[comp.pairs]
                lot = pair_lottery(st.profile_hash[s], pt.place_hash[p], size)
                return w3 * wish + w4 * travel + lot, size, quantum
            size //= 2
    raise SolverLimit("component too large for exact wish/travel costs")
