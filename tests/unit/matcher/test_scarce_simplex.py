"""Pass S on LEMON's network simplex (`model._run_simplex`): the same optimum as OR-tools on random networks,
the flows back in the arcs' order, OR-tools above the size limit, and a refused network a SolverFailure; pass B
re-solved warm on pass S's network (`model.detail_resolve`) gives pass B's flows from nothing (`detail_pass`)."""

from __future__ import annotations

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from ortools.graph.python import min_cost_flow

from bench.generator import generate
from matcher.errors import SolverFailure
from matcher.solver import model, solve, validate
from matcher.solver.variables import SINK, SOURCE, ArcSet, NodeLayout


def _network(seed: int, n_mid: int, n_arcs: int) -> tuple[ArcSet, NodeLayout, np.ndarray]:
    """A random transport network source -> middle nodes -> sink with parallel arcs and wide costs, in no
    particular arc order, and a supply it can carry."""
    rng = np.random.default_rng(seed)
    lay = NodeLayout(0, n_mid, 0, 0)
    mid = np.arange(2, 2 + n_mid)
    arcs = ArcSet()
    arcs.add("in", np.full(n_mid, SOURCE), mid, rng.integers(1, 4, n_mid), rng.integers(0, 1 << 40, n_mid))
    a, b = rng.integers(2, 2 + n_mid, n_arcs), rng.integers(2, 2 + n_mid, n_arcs)
    arcs.add("across", a, b, rng.integers(0, 3, n_arcs), rng.integers(0, 1 << 20, n_arcs))
    arcs.add("out", mid[::-1], np.full(n_mid, SINK), rng.integers(1, 4, n_mid), rng.integers(0, 7, n_mid))
    arcs.add("spare", mid, np.full(n_mid, SINK), np.full(n_mid, 10), np.full(n_mid, 1 << 41))  # always feasible
    supplies = np.zeros(lay.n_nodes, dtype=np.int64)
    total = int(rng.integers(1, n_mid + 1))
    supplies[SOURCE], supplies[SINK] = total, -total
    return arcs, lay, supplies


def _ortools_cost(arcs: ArcSet, supplies: np.ndarray) -> int:
    tails, heads, caps, costs = arcs.arrays()
    mcf = min_cost_flow.SimpleMinCostFlow()
    mcf.add_arcs_with_capacity_and_unit_cost(tails, heads, caps, costs)
    for node in np.nonzero(supplies)[0]:
        mcf.set_node_supply(int(node), int(supplies[node]))
    assert mcf.solve() == mcf.OPTIMAL
    return mcf.optimal_cost()


@settings(max_examples=40, deadline=None)
@given(st.integers(0, 10**6), st.integers(2, 30), st.integers(0, 120))
def test_the_simplex_finds_an_optimum_of_or_tools_cost_with_every_flow_in_the_arcs_order(seed, n_mid, n_arcs) -> None:
    arcs, lay, supplies = _network(seed, n_mid, n_arcs)
    tails, heads, caps, costs = (a.copy() for a in arcs.arrays())
    expected = _ortools_cost(arcs, supplies)
    flows, network = model._run_simplex(arcs, lay, supplies, "test")
    assert network is not None  # LEMON solved it, and keeps it for a warm re-solve
    assert ((flows >= 0) & (flows <= caps)).all()
    net = np.bincount(tails, weights=flows, minlength=lay.n_nodes) - np.bincount(heads, weights=flows,
                                                                                 minlength=lay.n_nodes)
    assert (net == supplies).all()  # conservation: the flows belong to their own arcs
    assert int((flows * costs).sum()) == expected


def test_a_network_at_the_size_limit_goes_to_or_tools(monkeypatch) -> None:
    arcs, lay, supplies = _network(7, 10, 40)
    used = []
    monkeypatch.setattr(model, "SIMPLEX_ARCS", arcs.size)
    monkeypatch.setattr(model, "_run", lambda *args, **kwargs: used.append(kwargs) or np.zeros(arcs.size))
    assert model._run_simplex(arcs, lay, supplies, "test")[1] is None  # no LEMON network to re-solve
    assert used == [{"max_flow": False}]


def test_a_network_with_a_negative_cost_goes_to_or_tools(monkeypatch) -> None:
    arcs, lay, supplies = _network(7, 10, 40)
    arcs.add("bonus", np.array([2]), np.array([SINK]), np.array([1]), np.array([-5]))
    used = []
    monkeypatch.setattr(model, "_run", lambda *args, **kwargs: used.append(kwargs) or np.zeros(arcs.size))
    model._run_simplex(arcs, lay, supplies, "test")
    assert used == [{"max_flow": False}]


def test_a_network_that_cannot_carry_its_supply_is_a_solver_failure() -> None:
    lay = NodeLayout(0, 1, 0, 0)
    arcs = ArcSet()
    arcs.add("in", np.array([SOURCE]), np.array([2]), np.array([1]), np.array([0]))
    arcs.add("out", np.array([2]), np.array([SINK]), np.array([1]), np.array([0]))
    supplies = np.zeros(lay.n_nodes, dtype=np.int64)
    supplies[SOURCE], supplies[SINK] = 2, -2
    with pytest.raises(SolverFailure, match="scarce pass"):
        model._run_simplex(arcs, lay, supplies, "scarce pass")


def test_a_round_solved_with_pass_s_on_or_tools_is_as_good_at_every_certified_level(monkeypatch) -> None:
    """The two solvers may pick different optima among ties; both are certified, with the same placed count,
    worst rate, support students placed and wish total."""
    rnd = generate(1500, 11)
    real, passes = model._run_simplex, []
    monkeypatch.setattr(model, "_run_simplex", lambda *args: passes.append(args[0].size) or real(*args))
    simplex = solve(rnd)
    assert passes  # pass S ran (it is skipped when pass A placed every ranked student)
    monkeypatch.setattr(model, "SIMPLEX_ARCS", 0)
    ortools = solve(rnd)
    for sol in (simplex, ortools):
        assert validate(rnd, sol, fairness="bound").ok
    assert simplex.stats.placed == ortools.stats.placed
    assert simplex.stats.wish_cost == ortools.stats.wish_cost
    assert sorted(g.placed for g in simplex.shares) == sorted(g.placed for g in ortools.shares)
    reports = [validate(rnd, sol, fairness="bound") for sol in (simplex, ortools)]
    assert reports[0].fair_bound == reports[1].fair_bound and reports[0].scarce == reports[1].scarce


@pytest.mark.parametrize("seed", [11, 23])
def test_pass_b_solved_again_warm_on_pass_s_network_reaches_pass_bs_optimum_and_keeps_the_bins(seed) -> None:
    from matcher.domain.eligibility import eligible_pairs
    from matcher.domain.tables import build_tables
    from matcher.solver import constraints as rules
    from matcher.solver.components import components
    from matcher.solver.instance import build_instance

    rnd = generate(1500, seed)
    tables = build_tables(rnd)
    inst = build_instance(tables, eligible_pairs(tables))
    resolved = 0
    for comp in components(inst):
        lay = rules.layout_of(comp)
        fair = model.fair_pass(inst, comp, lay)
        enrolled, released, _, scarce = model.scarce_pass(inst, comp, lay, fair.per_group, fair.released)
        if scarce is None:
            continue
        per_bin = np.bincount(scarce.bins, weights=enrolled).astype(np.int64)
        warm, size, quantum = model.detail_resolve(inst, comp, scarce, per_bin, released)
        cold, _, *rest = model.detail_pass(inst, comp, scarce.bins, per_bin, released)
        costs = rules.detail_costs(inst, comp, NodeLayout(len(per_bin), len(comp.students), len(comp.places),
                                                          len(comp.reservations)))[0]
        assert [size, quantum] == rest and scarce.network.warm_starts() == 1
        assert int(costs[warm > 0].sum()) == int(costs[cold > 0].sum())  # the same optimum
        placed = np.bincount(rules.local(comp.students, inst.pairs.student[comp.pairs]), weights=warm,
                             minlength=len(comp.students))
        assert placed.max(initial=0) <= 1
        assert (np.bincount(scarce.bins, weights=placed, minlength=len(per_bin)) == per_bin).all()  # bins kept
        resolved += 1
    assert resolved  # pass S ran on LEMON in some component


def test_lemon_gets_the_arcs_in_tail_then_head_order_with_parallel_arcs_in_their_own_order() -> None:
    """The network sorts its arcs once by a combined (tail, head) key; that must be lexsort's order, ties (parallel
    arcs) included, since LEMON's pivots and so the chosen optimum among equal ones depend on it."""
    from matcher.solver.lemon import Network

    rng = np.random.default_rng(4)
    tails, heads = rng.integers(0, 50, 4000), rng.integers(0, 50, 4000)  # many parallel arcs
    blocks = np.concatenate([np.sort(tails[:2000]), tails[2000:]])  # a sorted block, then an unsorted one
    for t in (tails, blocks):
        assert np.array_equal(Network(50, t, heads)._order, np.lexsort((heads, t)))
