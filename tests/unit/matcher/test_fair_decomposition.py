"""Pass A's group totals by max flows (issue 17.4, `solver/decomposition.py`), held to pass A's min-cost flow.

The max flows minimise pass A's rank cost over the totals of every maximum allocation. The solver takes them only
where they must be pass A's: no other totals vector is as fair, and an allocation with them releases no more
reserved slots than every maximum allocation must. Elsewhere it solves pass A's min-cost flow, as before.
"""

from __future__ import annotations

from dataclasses import replace

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from solver_support import Reservation, generate, place, round_of, wish

from matcher.domain.eligibility import eligible_pairs
from matcher.domain.tables import build_tables
from matcher.solver import constraints as rules
from matcher.solver import decomposition, model, solve
from matcher.solver.components import components
from matcher.solver.instance import build_instance
from matcher.solver.validation import validate


def with_reserved_slots(rnd, every: int):
    """Every `every`-th place reserves its slots but one for the school of the first wish of its sector."""
    school = {w.sector: w.school_id for w in reversed(rnd.wishes)}
    places = [replace(p, reserved=(Reservation(school[p.sector], p.effective_slots - 1),))
              if i % every == 0 and p.effective_slots > 1 and p.sector in school else p
              for i, p in enumerate(rnd.places)]
    return replace(rnd, places=tuple(places))


def per_component(rnd):
    """(instance, component, layout) for every component of the round."""
    rt = build_tables(rnd)
    inst = build_instance(rt, eligible_pairs(rt))
    return [(inst, comp, rules.layout_of(comp)) for comp in components(inst)]


@settings(max_examples=40, deadline=None)
@given(n=st.integers(8, 400), seed=st.integers(0, 10_000), scarcity=st.sampled_from([0.3, 0.6, 1.1]),
       every=st.sampled_from([0, 2, 5]))
def test_the_max_flows_find_pass_a_s_totals_wherever_no_other_vector_is_as_fair(n, seed, scarcity, every) -> None:
    rnd = generate(n, seed, scarcity=scarcity)
    rnd = with_reserved_slots(rnd, every) if every else rnd
    for inst, comp, lay in per_component(rnd):
        g_pos, rank = rules.fair_unit_ranks(inst, comp)
        found = decomposition.fair_totals(inst, comp, lay, g_pos, rank)
        pass_a = model.fair_pass(inst, comp, lay)
        assert int(found.per_group.sum()) == int(pass_a.per_group.sum())  # the most placed
        assert found.enrolled.sum() == found.per_group.sum()  # the flow has the totals
        fewest = decomposition.fewest_released(inst, comp, lay, g_pos, found.most)
        assert found.released_bound <= fewest <= int(pass_a.released.sum())  # lower bounds, the cut's the lower
        if not pass_a.tied and int(found.released.sum()) in (found.released_bound, fewest):  # taken without pass S
            assert np.array_equal(found.per_group, pass_a.per_group)


@settings(max_examples=40, deadline=None)
@given(n=st.integers(8, 400), seed=st.integers(0, 10_000), scarcity=st.sampled_from([0.3, 0.6, 1.1]),
       every=st.sampled_from([0, 2, 5]))
def test_the_cheapest_units_are_the_fair_totals_exactly_when_pass_s_finds_an_allocation_with_them(
        n, seed, scarcity, every) -> None:
    # The solver tries the cheapest units of the most placed in pass S before the max flow that would check them;
    # the first max flow's minimum cut refuses some of them outright.
    rnd = generate(n, seed, scarcity=scarcity)
    rnd = with_reserved_slots(rnd, every) if every else rnd
    for inst, comp, lay in per_component(rnd):
        g_pos, rank = rules.fair_unit_ranks(inst, comp)
        found = decomposition.fair_totals(inst, comp, lay, g_pos, rank)
        cheapest = decomposition._cheapest_shares(g_pos, rank, np.ones(lay.n_groups, dtype=bool), found.most)
        first = decomposition.first_shares(inst, comp, lay, g_pos, rank)
        scarce = model._scarce_if_any(inst, comp, lay, cheapest, rules.scarce_weights(inst, comp, lay))
        assert (scarce is not None) == np.array_equal(cheapest, found.per_group)
        if first is None:
            assert scarce is None
        else:
            assert np.array_equal(first.per_group, cheapest) and first.released_bound == found.released_bound


@pytest.mark.parametrize("every", [0, 2, 3])
def test_a_round_solved_with_the_max_flows_is_the_one_solved_with_pass_a_s_min_cost_flow(every, monkeypatch) -> None:
    rounds = [generate(n, seed, scarcity=s) for n, seed, s in ((300, 1, 0.6), (900, 2, 0.8), (1500, 3, 1.1))]
    rounds = [with_reserved_slots(rnd, every) if every else rnd for rnd in rounds]
    accepted = []
    by_max_flows = model._max_flow_fair
    monkeypatch.setattr(model, "_max_flow_fair", lambda *a: accepted.append(by_max_flows(*a)) or accepted[-1])
    now = [solve(rnd) for rnd in rounds]
    assert any(found is not None for found in accepted)
    monkeypatch.setattr(model, "_max_flow_fair", lambda *a: None)
    for rnd, sol in zip(rounds, now):
        assert sol == solve(rnd)
        assert validate(rnd, sol, fairness="bound").ok


def test_when_the_fairest_totals_need_a_released_slot_pass_a_keeps_the_reservation(monkeypatch) -> None:
    # A keeps its one slot for X; B is open to all. y (of Y) can only go to A. Over every maximum allocation
    # X 1 and Y 1 is fairest, but it releases A's slot; the fewest released slots (none) come first: X 2, Y 0.
    places = [place("A", reserved=(Reservation("X", 1),)), place("B", levels=(3, 4))]
    wishes = [wish("x1", school_id="X"), wish("x2", school_id="X"), wish("y", school_id="Y", level=2)]
    rnd = round_of(wishes, places)
    fallbacks = []
    min_cost = model._min_cost_fair
    monkeypatch.setattr(model, "_min_cost_fair", lambda *a: fallbacks.append(1) or min_cost(*a))
    sol = solve(rnd)
    assert sorted(sol.placement_map()) == ["x1", "x2"] and sol.stats.released_slots == 0
    assert fallbacks == [1]
    assert validate(rnd, sol, fairness="full").ok
    [(inst, comp, lay)] = per_component(rnd)
    g_pos, rank = rules.fair_unit_ranks(inst, comp)
    found = decomposition.fair_totals(inst, comp, lay, g_pos, rank)
    assert found.per_group.tolist() == [1, 1] and found.released.sum() == 1
    assert found.released_bound == 0 and decomposition.fewest_released(inst, comp, lay, g_pos, found.most) == 0


@settings(max_examples=30, deadline=None)
@given(n=st.integers(20, 200), seed=st.integers(0, 100_000), scarcity=st.sampled_from([0.3, 0.8, 1.5]),
       every=st.sampled_from([2, 3, 5]))
def test_with_reserved_slots_every_round_is_solved_as_with_pass_a_s_min_cost_flow(n, seed, scarcity, every) -> None:
    # Where the fairest totals of all maximum allocations would release more slots than the fewest, the check
    # refuses them and pass A's min-cost flow decides: the solution is the same either way.
    rnd = with_reserved_slots(generate(n, seed, scarcity=scarcity), every)
    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(model, "_max_flow_fair", lambda *a: None)
        before = solve(rnd)
    assert solve(rnd) == before
