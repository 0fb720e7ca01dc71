"""`solve(round) -> Solution`: the fair matcher, per component max flows and min-cost flows (OR-tools; passes S and B
LEMON's).

Steps (docs/matching.md has the proofs):
  1. refuse an inconsistent round (InconsistentInstance naming the record);
  2. canonical tables, eligible pairs, residual capacity after fixed placements (`instance`);
  3. split into independent components (`components`; with the solve's own pairs, each component's are cut
     out and freed once it is solved, the largest last: `components.split`; with shared pairs and several
     workers, forked processes solve them side by side: `fork.py`);
  4. per component, pass A: the group totals of the most placed, the fewest released reserved slots, and the
     lexicographically max-min school rates. First by max flows (`decomposition`: the fairest totals of all
     maximum allocations; the cheapest units of the most placed go straight to pass S, whose flow shows them
     the fairest), taken when no other totals vector is as fair (`totals_tied`) and an allocation with them
     releases no more slots than every maximum allocation must (pass S's, or the max flows' own);
     otherwise max flow with min cost, costs = release penalty > fair-share unit ranks, read per group and per
     release arc, and solved again with the wish cost below the ranks when another vector of group totals is
     as fair, so that the wishes choose between them;
  4b. per component, pass S (LEMON's network simplex): min-cost flow with those group totals fixed as
     supplies, costs = release penalty > scarce-options level on the enrol arcs > wish cost -> as few
     released slots as pass A, then the most students with a support need, then with 1, 2, ... eligible
     places; read the placements per (group, scarce level) bin and the release flows;
  5. per component, pass B: min-cost flow with those bin totals and release flows fixed as supplies,
     costs = wish > travel > seeded lottery (strict weights): pass S's LEMON network solved again from its
     optimal basis (`detail_resolve`), or OR-tools when pass S was skipped or solved by OR-tools;
  6. explanations, school shares, named penalties and counts.
Pure: no I/O, inputs are never mutated. Bounded without a time limit: OR-tools' cost scaling is polynomial
and LEMON's network simplex (passes S and B) terminates on every network (no CP-SAT search); every status other than
OPTIMAL raises SolverFailure (BAD_COST_RANGE first retries with a smaller cost budget).
Imports ortools (graph), numpy and matcher (LEMON through `solver.lemon`).
"""

from __future__ import annotations

import time
from dataclasses import dataclass, replace

import numpy as np
from ortools.graph.python import min_cost_flow

from matcher.domain.consistency import check_round
from matcher.domain.eligibility import Pairs
from matcher.domain.explain import Outcome, explain
from matcher.domain.fairness import share_deficits, shares_from_counts
from matcher.domain.model import Assignment, Penalty, RoundInput, Solution, SolveStats
from matcher.domain.preferences import TIER_STEP, activity_overlap, wish_rank_name, wish_tier
from matcher.domain.reservations import released_by_place
from matcher.domain.tables import RoundTables, build_tables
from matcher.domain.travel import travel_minutes
from matcher.errors import SolverFailure
from matcher.solver import constraints as rules
from matcher.solver import decomposition, fork, heap
from matcher.solver.components import Component, components, split
from matcher.solver.instance import SolverInstance, build_instance, pair_figures
from matcher.solver.lemon import Network
from matcher.solver.variables import SINK, SOURCE, ArcSet, NodeLayout

_OPTIMAL = min_cost_flow.SimpleMinCostFlow.OPTIMAL
#: Pass S's networks below this many arcs go to LEMON's network simplex, larger ones to OR-tools (`_run_simplex`).
SIMPLEX_ARCS = 1 << 20


def _run(arcs: ArcSet, lay: NodeLayout, supplies: np.ndarray, stage: str, max_flow: bool) -> np.ndarray:
    """Solve one min-cost flow; returns the flow of every arc (in ArcSet order). Releases `arcs`' blocks."""
    mcf = min_cost_flow.SimpleMinCostFlow()
    tails, heads, caps, costs = arcs.arrays()
    arcs.release()  # OR-tools copies the network: the blocks and the joined arrays go before it solves
    ids = mcf.add_arcs_with_capacity_and_unit_cost(tails, heads, caps, costs)
    n_arcs = len(tails)
    del tails, heads, caps, costs
    if n_arcs and (ids[0] != 0 or ids[-1] != n_arcs - 1):  # a fresh network numbers its arcs 0, 1, ...
        raise SolverFailure(stage, "unexpected arc numbering")
    del ids  # so the index array is not held while OR-tools solves
    heap.give_back_before(n_arcs)  # the pass's freed temporaries go back to the system before OR-tools' solve grows
    nodes = np.nonzero(supplies)[0]
    if len(nodes):
        mcf.set_nodes_supplies(nodes.astype(np.int32), supplies[nodes].astype(np.int64))
    status = mcf.solve_max_flow_with_min_cost() if max_flow else mcf.solve()
    if status != _OPTIMAL:
        raise SolverFailure(stage, str(status))
    return np.asarray(mcf.flows(np.arange(n_arcs, dtype=np.int32)), dtype=np.int64)


def _run_simplex(arcs: ArcSet, lay: NodeLayout, supplies: np.ndarray, stage: str) -> tuple[np.ndarray, Network | None]:
    """`_run` without the max flow, by LEMON's network simplex (pylmcf) below SIMPLEX_ARCS arcs; also the LEMON
    network, to be solved again warm (None when OR-tools solved it).

    Why: pass S ranks its students by scarce-level values that OR-tools' cost scaling is slow on (measured
    on the largest component of the 30k and 50k bench regions: 0.90 and 1.22 s against 0.16 and 0.30 s
    with the network simplex, the same optimal cost), and pass B re-solves pass S's network from its optimal
    basis (`detail_resolve`). Pass A is faster in OR-tools. Larger networks (national components of millions
    of arcs) stay with OR-tools: there memory is the limit, and the simplex's time grows faster than the arcs.
    Both solvers are exact: any optimal flow serves the rule (docs/matching.md, 3).
    """
    if arcs.size >= SIMPLEX_ARCS or arcs.min_cost() < 0:  # LEMON takes no negative cost (pass S has none)
        return _run(arcs, lay, supplies, stage, max_flow=False), None
    tails, heads, caps, costs = arcs.arrays()
    arcs.release()
    network = Network(lay.n_nodes, tails, heads)
    return _simplex_flows(network, caps, costs, supplies, stage), network


def _simplex_flows(network: Network, caps: np.ndarray, costs: np.ndarray, supplies: np.ndarray,
                   stage: str) -> np.ndarray:
    try:
        return network.solve(caps, costs, supplies)
    except RuntimeError as err:  # LEMON's INFEASIBLE or UNBOUNDED
        raise SolverFailure(stage, str(err)) from err


def _span(flows: np.ndarray, arcs: ArcSet, name: str) -> np.ndarray:
    lo, hi = arcs.spans.get(name, (0, 0))
    return flows[lo:hi]


def _retrying(stage_fn, *args):
    """Call stage_fn(*args, limit) with a smaller cost budget while OR-tools answers BAD_COST_RANGE."""
    limit = rules.COST_LIMIT
    while True:
        try:
            return stage_fn(*args, limit)
        except SolverFailure as err:
            if "BAD_COST_RANGE" not in err.status or limit < 2**40:
                raise
            limit //= 4


@dataclass(frozen=True)
class FairTotals:
    """Pass A's result on one component: placed per group position, placed per component student, released
    slots per reservation, whether the wish cost was in, and whether another totals vector is as fair.
    `wish_exact`: the totals are the ones the wishes choose (the only fair ones, or chosen with the wish cost)."""

    per_group: np.ndarray
    enrolled: np.ndarray
    released: np.ndarray
    with_wish: bool
    tied: bool

    @property
    def wish_exact(self) -> bool:
        return self.with_wish or not self.tied


def fair_pass(inst: SolverInstance, comp: Component, lay: NodeLayout, wish: bool = False,
              limit: int = rules.COST_LIMIT) -> FairTotals:
    """Pass A, by default on the fair-share ranks alone (W2 = 1; with `wish`, the wish cost breaks ties).

    Which of the fair allocations it returns matters to the levels below only through its group totals (and,
    when pass S is skipped, its released slots): pass S re-solves with the totals fixed. So the wish cost is
    needed only when another totals vector is as fair (`tied`); `_fair_totals` then solves again with it.
    """
    g_pos, rank = rules.fair_unit_ranks(inst, comp)
    w2, release_cost, with_wish = rules.fair_pass_weights(inst, comp, lay, rank, wish, limit)
    arcs = ArcSet()
    rules.add_fair_shares(arcs, lay, g_pos, rank, w2)
    rules.add_enrolment(arcs, inst, comp, lay)
    rules.add_pairs(arcs, inst, comp, lay, inst.wish[comp.pairs] if with_wish else 0)
    rules.add_capacity(arcs, inst, comp, lay)
    rules.add_reservations(arcs, inst, comp, lay, release_cost, inst.reservations.slots[comp.reservations])
    supplies = np.zeros(lay.n_nodes, dtype=np.int64)
    supplies[SOURCE], supplies[SINK] = len(g_pos), -len(g_pos)
    flows = _run(arcs, lay, supplies, "fair pass", max_flow=True)
    units = _span(flows, arcs, "units")
    per_group = np.bincount(g_pos, weights=units, minlength=lay.n_groups).astype(np.int64)
    return FairTotals(per_group, _span(flows, arcs, "enrol").copy(), _span(flows, arcs, "release").copy(),
                      with_wish, rules.totals_tied(g_pos, rank, units))


def _fair_totals(inst: SolverInstance, comp: Component, lay: NodeLayout) -> FairTotals:
    """Pass A on the ranks alone; again with the wish cost when another totals vector is as fair (rare: two
    groups of equal demand one placement apart), so that the wish chooses between them as the rule says."""
    fair = _retrying(fair_pass, inst, comp, lay, False)
    return _retrying(fair_pass, inst, comp, lay, True) if fair.tied else fair


def _scarce_unless_needless(inst: SolverInstance, comp: Component, lay: NodeLayout, fair: FairTotals,
                            sw: rules.ScarceWeights) -> tuple:
    """Pass S on `fair`'s totals: (placed per component student, released slots, weights, network for pass B).
    Skipped when `fair`'s flow placed every student of a ranked level (no allocation places more of them) and
    pass B may keep its released slots: none, or chosen with the wish cost."""
    if not fair.enrolled[sw.level < len(sw.values) - 1].all() or (fair.released.any() and not fair.with_wish):
        return _retrying(scarce_pass, inst, comp, lay, fair.per_group, fair.released, sw)
    return fair.enrolled, fair.released, sw, None


def _min_cost_fair(inst: SolverInstance, comp: Component, lay: NodeLayout,
                   sw: rules.ScarceWeights) -> tuple[FairTotals, tuple]:
    """Passes A (OR-tools' min-cost flow) and S."""
    fair = _fair_totals(inst, comp, lay)
    return fair, _scarce_unless_needless(inst, comp, lay, fair, sw)


def _max_flow_fair(inst: SolverInstance, comp: Component, lay: NodeLayout,
                   sw: rules.ScarceWeights) -> tuple[FairTotals, tuple] | None:
    """Passes A and S with pass A's totals by max flows (`decomposition`), or None where they may not be pass
    A's: when another totals vector is as fair (the wish chooses, in pass A), or when neither the max flows' own
    allocation nor pass S's releases as few slots as a bound says every maximum allocation must (the minimum
    cut's of the first max flow, else one more max flow's: `decomposition.fewest_released`).

    The cheapest units of the most placed come first (`first_shares`): when pass S finds a flow with them, some
    maximum allocation has them, and they are the optimum without the max flow that would show it. Otherwise
    the whole decomposition follows.
    """
    g_pos, rank = rules.fair_unit_ranks(inst, comp)
    found = decomposition.first_shares(inst, comp, lay, g_pos, rank)
    scarce = None if found is None or _tied(g_pos, rank, found.per_group) else \
        _scarce_if_any(inst, comp, lay, found.per_group, sw)
    if scarce is not None:
        fair = FairTotals(found.per_group, scarce[0], scarce[1], with_wish=False, tied=False)
    else:
        found = decomposition.fair_totals(inst, comp, lay, g_pos, rank)
        if _tied(g_pos, rank, found.per_group):
            return None
        fair = FairTotals(found.per_group, found.enrolled, found.released, with_wish=False, tied=False)
        scarce = _scarce_unless_needless(inst, comp, lay, fair, sw)
    released = int(scarce[1].sum())  # at least either bound: equal to one, it is the fewest
    if released == found.released_bound or released == decomposition.fewest_released(inst, comp, lay, g_pos,
                                                                                        found.most):
        return fair, scarce
    return None


def _tied(g_pos: np.ndarray, rank: np.ndarray, per_group: np.ndarray) -> bool:
    """`totals_tied` for totals given per group: each group's cheapest units used."""
    units = np.bincount(g_pos, minlength=len(per_group))
    used = np.arange(len(g_pos)) - (np.cumsum(units) - units)[g_pos] < per_group[g_pos]
    return rules.totals_tied(g_pos, rank, used.astype(np.int64))


def _scarce_if_any(inst: SolverInstance, comp: Component, lay: NodeLayout, per_group: np.ndarray,
                   sw: rules.ScarceWeights) -> tuple | None:
    """Pass S with these group totals, or None when no allocation has them (its network has no flow)."""
    try:
        return _retrying(scarce_pass, inst, comp, lay, per_group, np.zeros(len(comp.reservations), dtype=np.int64),
                         sw)
    except SolverFailure as err:
        if "INFEASIBLE" not in err.status:
            raise
        return None


def fixed_supplies(comp: Component, lay: NodeLayout, per_group: np.ndarray, released: np.ndarray,
                   inst: SolverInstance) -> np.ndarray:
    """Supplies that fix placements per source node (`lay`'s group nodes) and the released slots: the
    released slots move from their place node to their slot node. Also the supplies of the equivalence
    classes' network (equivalents.py), which rebuilds the detail pass's network around a solution."""
    supplies = np.zeros(lay.n_nodes, dtype=np.int64)
    supplies[lay.group0:lay.group0 + lay.n_groups] = per_group
    supplies[SINK] = -int(per_group.sum())
    if len(comp.reservations):
        place_nodes = lay.place0 + rules.local(comp.places, inst.reservations.place[comp.reservations])
        np.add.at(supplies, place_nodes, -released)
        supplies[lay.slot0:lay.slot0 + len(comp.reservations)] += released
    return supplies


@dataclass(frozen=True)
class ScarceNetwork:
    """Pass S's LEMON network, kept for pass B to re-solve warm (`detail_resolve`). Its source nodes are the
    component's groups, then its (group, scarce level) bins; `bins` is each component student's bin."""

    network: Network
    layout: NodeLayout
    bins: np.ndarray
    spans: dict[str, tuple[int, int]]


def scarce_pass(inst: SolverInstance, comp: Component, lay: NodeLayout, per_group: np.ndarray, released: np.ndarray,
                weights: rules.ScarceWeights | None = None, limit: int = rules.COST_LIMIT
                ) -> tuple[np.ndarray, np.ndarray, rules.ScarceWeights, ScarceNetwork | None]:
    """Pass S: (placed per component student, released slots per reservation, the weights used, the network
    for pass B when LEMON solved it) with pass A's group totals fixed as the groups' supplies. Each group
    feeds its students through their (group, scarce level) bins: a group -> bin arc costs the bin's level
    value (`rules.add_scarce_bins`), pair arcs the wish cost. `weights`: the component's `scarce_weights` at
    the full cost budget, when already computed (a retry's smaller budget computes its own).

    Which reserved slots are released stays open (at a cost above every level), so the fewest released
    slots hold as in pass A while the levels may use another reservation's slot than pass A chose.
    """
    sw = weights if weights is not None and limit == rules.COST_LIMIT else rules.scarce_weights(inst, comp, lay, limit)
    bins = bins_of(inst, comp, sw.level, len(sw.values))
    n_bins = int(bins.max(initial=-1)) + 1
    sources = NodeLayout(lay.n_groups + n_bins, lay.n_students, lay.n_places, lay.n_reservations)
    arcs = ArcSet()
    rules.add_scarce_bins(arcs, inst, comp, sources, lay.n_groups, bins, sw)
    rules.add_enrolment(arcs, inst, comp, sources, 0, source=lay.n_groups + bins)
    rules.add_pairs(arcs, inst, comp, sources, inst.wish[comp.pairs])
    rules.add_capacity(arcs, inst, comp, sources)
    rules.add_reservations(arcs, inst, comp, sources, sw.release, inst.reservations.slots[comp.reservations])
    per_source = np.concatenate([per_group, np.zeros(n_bins, dtype=np.int64)])
    flows, network = _run_simplex(arcs, sources, fixed_supplies(comp, sources, per_source, np.zeros_like(released),
                                                                inst), "scarce pass")
    kept = ScarceNetwork(network, sources, bins, dict(arcs.spans)) if network is not None else None
    return _span(flows, arcs, "enrol").copy(), _span(flows, arcs, "release").copy(), sw, kept


def bins_of(inst: SolverInstance, comp: Component, level: np.ndarray, n_levels: int) -> np.ndarray:
    """Per component student: its bin, the position of its (group, scarce level) among those present."""
    g = rules.local(comp.groups, inst.tables.students.group[comp.students])
    return np.unique(g * max(n_levels, 1) + level, return_inverse=True)[1].reshape(-1)


def detail_pass(
    inst: SolverInstance, comp: Component, bins: np.ndarray, per_bin: np.ndarray, released: np.ndarray,
    limit: int = rules.COST_LIMIT,
) -> tuple[np.ndarray, np.ndarray, int, int]:
    """Pass B: (pair flows, reserved-slot flows, lottery size, travel quantum) with pass A's placements per
    (group, scarce level) bin and its released slots fixed as supplies."""
    lay = NodeLayout(len(per_bin), len(comp.students), len(comp.places), len(comp.reservations))
    costs, size, quantum = rules.detail_costs(inst, comp, lay, limit)
    arcs = ArcSet()
    rules.add_enrolment(arcs, inst, comp, lay, 0, source=bins)
    rules.add_pairs(arcs, inst, comp, lay, costs)
    rules.add_capacity(arcs, inst, comp, lay)
    rules.add_reservations(arcs, inst, comp, lay, 0, np.zeros(len(comp.reservations), dtype=np.int64))
    flows = _run(arcs, lay, fixed_supplies(comp, lay, per_bin, released, inst), "detail pass", max_flow=False)
    return _span(flows, arcs, "pairs"), _span(flows, arcs, "reserved"), size, quantum


def detail_resolve(inst: SolverInstance, comp: Component, scarce: ScarceNetwork, per_bin: np.ndarray,
                   released: np.ndarray) -> tuple[np.ndarray, int, int]:
    """Pass B on pass S's own network, solved again from its optimal basis (LEMON's warm restart): (pair
    flows, lottery size, travel quantum): an optimal flow of `detail_pass`'s network. The group -> bin and release
    arcs are closed, and the bins' placements and the released slots become supplies; the pair arcs cost
    W3 * wish + W4 * travel + lottery. Pass S's allocation is feasible and nearly optimal here, so few pivots
    remain (on the 30k region's largest component 0.02 s against OR-tools' 0.34 s from nothing)."""
    lay = NodeLayout(len(per_bin), len(comp.students), len(comp.places), len(comp.reservations))
    costs, size, quantum = rules.detail_costs(inst, comp, lay)  # `detail_pass`'s costs, for its layout's range
    network, spans = scarce.network, scarce.spans
    caps, arc_costs = network.caps.copy(), network.costs.copy()
    for name in ("bins", "release"):
        lo, hi = spans.get(name, (0, 0))
        caps[lo:hi] = 0
    lo, hi = spans["pairs"]
    arc_costs[lo:hi] = costs
    n_groups = scarce.layout.n_groups - len(per_bin)
    per_source = np.concatenate([np.zeros(n_groups, dtype=np.int64), per_bin])
    flows = _simplex_flows(network, caps, arc_costs, fixed_supplies(comp, scarce.layout, per_source, released, inst),
                           "detail pass")
    return flows[lo:hi], size, quantum


def _fixed_figures(inst: SolverInstance, place: np.ndarray, tier: np.ndarray, minutes: np.ndarray, overlap: np.ndarray) -> None:
    st, pt = inst.tables.students, inst.tables.places
    for s in np.nonzero(st.fixed >= 0)[0]:
        w, p = st.wishes[s], pt.places[st.fixed[s]]
        place[s], tier[s] = st.fixed[s], wish_tier(w, p)
        minutes[s], overlap[s] = travel_minutes(w.home, p.location, w.transport_mode), activity_overlap(w, p)


def solve(rnd: RoundInput, tables: RoundTables | None = None, pairs: Pairs | None = None, *,
          release_pairs: bool = False, workers: int = 1) -> Solution:
    """Allocate places for one round under the rule of docs/matching.md; explain every student.

    `tables`: the round's canonical tables when the caller already built them from the checked round
    (`solve_validated` shares them with the validator); otherwise the round is checked and they are built.
    `pairs`: their eligible pairs, when already computed (the bench times the rule without eligibility; the
    validator shares them). Without them the solve computes its own and frees each component's pairs once
    that component is solved, the largest last, so that its network is built with only its own pairs in
    memory (components are independent: the order changes no placement).
    `release_pairs`: the caller hands `pairs` over and holds no other reference to them, so the solve frees
    them as if they were its own (the national-scale bench times eligibility apart, issue 17.4).
    `workers`: with shared pairs, up to this many processes solve the components side by side (`fork.py`;
    the result is the same, components are independent). The own-pairs path stays in one process: there
    memory, not time, is the limit (one component's network at a time).
    """
    handed = [pairs]
    del pairs  # this frame must not hold the pairs while `allocate` frees each component's (release_pairs)
    return allocate(rnd, tables, handed.pop(), release_pairs=release_pairs, workers=workers).explained()


@dataclass(frozen=True)
class Allocation:
    """A solved round before its explanations: `unexplained` is the Solution without them (all the validator
    needs but its explanation check), `explained()` the Solution. So a caller can certify the allocation
    while the explanations are written (`solve_validated`)."""

    unexplained: Solution
    tables: RoundTables
    outcome: Outcome
    assembly_s: float  # the time the unexplained Solution took: part of the phase `explain`

    def explained(self) -> Solution:
        """The Solution with one explanation per student; its timings gain the phase `explain`."""
        started = time.perf_counter()
        solution = replace(self.unexplained, explanations=explain(self.tables, self.outcome))
        solution.stats.timings["explain"] = round(self.assembly_s + time.perf_counter() - started, 4)
        return solution


def allocate(rnd: RoundInput, tables: RoundTables | None = None, pairs: Pairs | None = None, *,
             release_pairs: bool = False, workers: int = 1) -> Allocation:
    """`solve` up to the explanations (the arguments are `solve`'s)."""
    clock = {"start": time.perf_counter()}
    if tables is None:
        check_round(rnd)
        tables = build_tables(rnd)
    own_pairs = pairs is None or release_pairs
    inst = build_instance(tables, pairs)
    del pairs  # the instance holds them
    clock["build"] = time.perf_counter()
    n = inst.tables.students.n
    place, tier, minutes, overlap = (np.full(n, -1, dtype=np.int64) for _ in range(4))
    notes = _new_notes()
    comps = components(inst)
    n_comps = len(comps)
    if own_pairs:  # each component's pairs go once it is solved, the largest last
        inst, parts = split(inst, comps)
        del comps
        parts.sort(key=lambda part: part.pairs.n)
        while parts:
            _solve_component(*parts.pop(0).narrowed(inst), place, tier, minutes, overlap, notes)
    else:
        _solve_side_by_side(inst, comps, (place, tier, minutes, overlap), notes, workers)
    _fixed_figures(inst, place, tier, minutes, overlap)
    clock["solve"] = time.perf_counter()
    allocation = allocation_of(inst, place, tier, minutes, overlap, notes, n_comps)
    allocation.unexplained.stats.timings.update({k: round(clock[k] - clock[prev], 4)
                                                 for prev, k in (("start", "build"), ("build", "solve"))})
    return allocation


def allocation_of(inst: SolverInstance, place: np.ndarray, tier: np.ndarray, minutes: np.ndarray,
                  overlap: np.ndarray, notes: dict, n_comps: int) -> Allocation:
    """The Allocation of the per-student arrays (also variant 2's final round, `choices.py`)."""
    started = time.perf_counter()
    unexplained = _assemble(inst, place, tier, minutes, overlap, notes, n_comps)
    free = inst.tables.places.capacity - np.bincount(place[place >= 0], minlength=inst.tables.places.n)
    outcome = Outcome(place=place, tier=tier, minutes=minutes, eligible=inst.eligible_count, free=free,
                      scarce_cutoff=notes["scarce_cutoff"])
    return Allocation(unexplained, inst.tables, outcome, time.perf_counter() - started)


def _new_notes() -> dict:
    """What the passes report about the whole round, before any component (merged by `_merge_notes`)."""
    return {"lottery_size": 1 << 16, "travel_quantum": 1, "wish_in_fair_pass": True, "max_flow": 0,
            "scarce_cutoff": None}


def _merge_notes(notes: dict, part: dict) -> None:
    """Fold one component's (or one worker's) notes into the round's: the smallest lottery, the coarsest
    travel unit, the fewest ranked scarce keys, the flows summed."""
    notes["lottery_size"] = min(notes["lottery_size"], part["lottery_size"])
    notes["travel_quantum"] = max(notes["travel_quantum"], part["travel_quantum"])
    notes["wish_in_fair_pass"] &= part["wish_in_fair_pass"]
    if part["scarce_cutoff"] is not None:
        cutoffs = [c for c in (notes["scarce_cutoff"], part["scarce_cutoff"]) if c is not None]
        notes["scarce_cutoff"] = min(cutoffs)
    notes["max_flow"] += part["max_flow"]


def _solved_share(inst: SolverInstance, share: list[Component]) -> list[tuple[np.ndarray, tuple, dict]]:
    """Solve some components; per component (its students, the four figure columns for them, its notes)."""
    n = inst.tables.students.n
    figures = tuple(np.full(n, -1, dtype=np.int64) for _ in range(4))
    solved = []
    for comp in share:
        notes = _new_notes()
        _solve_component(inst, comp, *figures, notes)
        solved.append((comp.students, tuple(column[comp.students] for column in figures), notes))
    return solved


def _solve_side_by_side(inst: SolverInstance, comps: list[Component], figures: tuple, notes: dict,
                        workers: int) -> None:
    """Solve the components, in up to `workers` processes (`fork.py`), and gather their figures and notes."""
    solved = fork.map_side_by_side(lambda share: _solved_share(inst, share), comps,
                                   fork.workers_for(workers, inst.pairs.n), lambda c: len(c.pairs) + len(c.students))
    for students, columns, part in solved:
        for column, values in zip(figures, columns):
            column[students] = values
        _merge_notes(notes, part)


def _solve_component(inst: SolverInstance, comp: Component, place: np.ndarray, tier: np.ndarray,
                     minutes: np.ndarray, overlap: np.ndarray, notes: dict) -> None:
    """Passes A (by max flows where they give pass A's totals), S (skipped when pass A's allocation placed every
    student of every ranked scarce level and released no slot it chose without the wishes) and B on one
    component; writes the chosen place and pair figures per student."""
    lay = rules.layout_of(comp)
    sw = rules.scarce_weights(inst, comp, lay)
    fair, (enrolled, released, sw, scarce) = _max_flow_fair(inst, comp, lay, sw) or _min_cost_fair(inst, comp, lay, sw)
    bins = bins_of(inst, comp, sw.level, len(sw.values)) if scarce is None else scarce.bins
    per_bin = np.bincount(bins, weights=enrolled).astype(np.int64)
    if scarce is not None:  # pass B from pass S's basis
        pair_flow, size, quantum = detail_resolve(inst, comp, scarce, per_bin, released)
    else:
        pair_flow, _, size, quantum = _retrying(detail_pass, inst, comp, bins, per_bin, released)
    pair_figures(inst, comp.pairs[pair_flow > 0], place, tier, minutes, overlap)
    _merge_notes(notes, {"lottery_size": size, "travel_quantum": quantum, "wish_in_fair_pass": fair.wish_exact,
                         "scarce_cutoff": sw.cutoff, "max_flow": int(per_bin.sum())})


def _assemble(inst: SolverInstance, place: np.ndarray, tier: np.ndarray, minutes: np.ndarray,
              overlap: np.ndarray, notes: dict, n_comps: int) -> Solution:
    """Assignments, shares, penalties and counts around the per-student arrays (no explanations yet)."""
    rt = inst.tables
    wish_sum = int((TIER_STEP * tier[place >= 0] + 100 - overlap[place >= 0]).sum())
    st, pt = rt.students, rt.places
    placed = np.nonzero(place >= 0)[0].tolist()
    ids, fixed, tiers, mins, over = pt.ids, st.fixed.tolist(), tier.tolist(), minutes.tolist(), overlap.tolist()
    where = place.tolist()
    assignments = [Assignment(
        student_ref=st.refs[s], place_id=ids[where[s]], fixed=fixed[s] >= 0, wish_rank=wish_rank_name(tiers[s]),
        travel_minutes=mins[s], activity_overlap=over[s],
    ) for s in placed]
    assignments.sort(key=lambda a: a.student_ref)
    n_groups = len(rt.groups)
    shares = shares_from_counts(rt.groups, np.bincount(st.group, minlength=n_groups).tolist(),
                                np.bincount(st.group[place >= 0], minlength=n_groups).tolist())
    released = released_by_place(rt.round, {a.student_ref: a.place_id for a in assignments})
    penalties = [Penalty(k, v) for k, v in share_deficits(shares).items()]
    penalties += [Penalty(f"reserved_slots_released(place={p}, school={x})", n) for (p, x), n in released.items()]
    stats = SolveStats(
        students=st.n, placed=len(placed), max_flow=notes["max_flow"] + int((st.fixed >= 0).sum()),
        eligible_pairs=inst.all_pairs, components=n_comps, released_slots=sum(released.values()),
        wish_cost=int(wish_sum),
        travel_minutes=int(minutes[placed].sum()), lottery_size=notes["lottery_size"],
        travel_quantum=notes["travel_quantum"], wish_in_fair_pass=notes["wish_in_fair_pass"],
        scarce_cutoff=notes["scarce_cutoff"],
    )
    return Solution(rt.round.round_id, rt.round.seed, tuple(assignments), (), shares, tuple(penalties), stats)
