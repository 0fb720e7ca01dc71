"""Pass A on the fair-share ranks alone (issue 17.4): the wish cost only where another totals vector is as fair.

Which fair allocation pass A returns matters to the levels below only through its group totals (pass S re-solves
with them fixed) and, when pass S is skipped, its released slots. So pass A leaves the wish out, a smaller cost
range, and solves again with it when `totals_tied` sees another totals vector that is as fair. These tests hold
the result to the pass that always carried the wish: the same levels 1 to 3, on hand-made and generated rounds.
"""

from __future__ import annotations

from collections import Counter

import numpy as np
import pytest
from solver_support import Reservation, generate, place, round_of, wish

from matcher.solver import constraints as rules
from matcher.solver import model, solve
from matcher.solver.validation import validate


def with_wish_always(monkeypatch) -> None:
    """The pass A of before: the wish cost in every component (and pass S skipped on pass A's flow alone), by its
    min-cost flow, never the max flows."""
    monkeypatch.setattr(model, "_max_flow_fair", lambda *args: None)
    monkeypatch.setattr(model, "_fair_totals",
                        lambda inst, comp, lay: model._retrying(model.fair_pass, inst, comp, lay, True))


def levels(rnd, sol) -> tuple:
    """Levels 1 to 3 of the rule: placed, released slots, the school totals, the scarce vector, the wish cost."""
    support = {w.student_ref for w in rnd.wishes if w.support_needs}
    scarce = Counter(0 if e.student_ref in support else e.eligible_places for e in sol.explanations if e.place_id)
    totals = tuple((g.school_id, g.sector, g.placed) for g in sol.shares)
    return sol.stats.placed, sol.stats.released_slots, totals, sorted(scarce.items()), sol.stats.wish_cost


@pytest.mark.parametrize("wishing", ["stu-1", "stu-2"])
def test_when_two_schools_tie_for_the_last_place_the_wish_chooses(wishing) -> None:
    # One slot, two schools of one student each: either school at 1/1 and the other at 0/1 is as fair.
    wishes = [wish("stu-1", school_id="S1"), wish("stu-2", school_id="S2")]
    wishes = [w if w.student_ref != wishing else wish(wishing, school_id=w.school_id, top_places=("P-A",))
              for w in wishes]
    rnd = round_of(wishes, [place("P-A")])
    sol = solve(rnd)
    assert sol.placement_map() == {wishing: "P-A"} and sol.stats.wish_in_fair_pass
    assert validate(rnd, sol, fairness="full").ok


@pytest.mark.parametrize("wished", ["P-A", "P-B"])
def test_which_reserved_slot_is_released_follows_the_wish_when_pass_s_is_not_needed(wished) -> None:
    # Both slots are reserved for X; x and y can take either, so one slot goes to Y: y's wish says which.
    # Both students are placed (pass S has no scarce student to place), and totals cannot change.
    places = [place(pid, reserved=(Reservation("X", 1),)) for pid in ("P-A", "P-B")]
    rnd = round_of([wish("x", school_id="X"), wish("y", school_id="Y", top_places=(wished,))], places)
    sol = solve(rnd)
    assert sol.placement_map()["y"] == wished and sol.stats.released_slots == 1


def test_a_free_transfer_between_two_groups_is_a_tie_and_a_strict_order_is_not() -> None:
    g_pos = np.array([0, 0, 1, 1])
    rank = np.array([0, 2, 0, 2])  # two groups of equal demand: their units share the ranks
    assert rules.totals_tied(g_pos, rank, np.array([1, 1, 1, 0]))      # 2 and 1: the second unit can move
    assert not rules.totals_tied(g_pos, rank, np.array([1, 0, 1, 0]))  # 1 and 1: a transfer makes it worse
    assert not rules.totals_tied(g_pos, np.array([0, 3, 1, 2]), np.array([1, 1, 1, 0]))


def test_on_generated_rounds_the_ranks_alone_keep_levels_one_to_three(monkeypatch) -> None:
    rounds = [generate(n, seed) for n, seeds in ((15, range(30)), (400, range(4)), (1500, range(2))) for seed in seeds]
    ties = []
    tied = rules.totals_tied
    monkeypatch.setattr(rules, "totals_tied", lambda *a: ties.append(tied(*a)) or ties[-1])
    now = [solve(rnd) for rnd in rounds]
    assert any(ties) and not all(ties)  # both paths ran: the ranks alone, and again with the wish
    with_wish_always(monkeypatch)
    before = [solve(rnd) for rnd in rounds]
    for rnd, sol, old in zip(rounds, now, before):
        assert levels(rnd, sol) == levels(rnd, old), rnd.round_id
        assert sol.stats.wish_in_fair_pass == old.stats.wish_in_fair_pass
    assert all(validate(rnd, sol, fairness="bound").ok for rnd, sol in zip(rounds[-4:], now[-4:]))
