"""Seeded synthetic regions solved and certified by the solver-agnostic validator."""

from __future__ import annotations

from dataclasses import replace

import pytest
from solver_support import generate

from matcher.domain.model import Assignment
from matcher.solver import solve
from matcher.solver.validation import (
    assert_feasible, assert_max_placements, assert_no_improving_transfer, validate,
)
from matcher.errors import ValidationFailure


@pytest.mark.parametrize("seed", [1, 2, 3, 4, 5])
def test_a_generated_region_is_feasible_maximal_and_certified_fair(seed: int) -> None:
    rnd = generate(150 + 40 * seed, seed, exclusion_share=0.05)
    sol = solve(rnd)
    report = validate(rnd, sol, fairness="full")
    assert report.ok, report.problems
    assert report.max_flow == len(sol.assignments) == sol.stats.max_flow


def test_a_scarce_region_with_reserved_slots_is_certified_against_the_bound() -> None:
    rnd = generate(600, 11, scarcity=0.6)
    sol = solve(rnd)
    report = validate(rnd, sol, fairness="bound")
    assert report.ok, report.problems
    from matcher.solver.fair_bound import max_min_rate, reference

    worst = min(g.placed / g.demand for g in sol.shares)
    a, b = max_min_rate(reference(rnd))  # the bound computed outright, by bisection
    assert worst == pytest.approx(a / b) == pytest.approx(report.fair_bound[0] / report.fair_bound[1])


def test_the_validator_catches_an_over_full_place() -> None:
    rnd = generate(200, 3)
    sol = solve(rnd)
    full = next(a.place_id for a in sol.assignments)
    unplaced = next(e.student_ref for e in sol.explanations if e.place_id is None)
    bad = replace(sol, assignments=sol.assignments + tuple(
        Assignment(unplaced, full, False, "none", 0, 0) for _ in range(1)))
    with pytest.raises(ValidationFailure):
        assert_feasible(rnd, bad)


def test_the_validator_catches_a_non_maximal_allocation() -> None:
    rnd = generate(200, 3)
    sol = solve(rnd)
    fewer = replace(sol, assignments=sol.assignments[1:])
    with pytest.raises(ValidationFailure, match="max_placements"):
        assert_max_placements(rnd, fewer)
    with pytest.raises(ValidationFailure):
        assert_no_improving_transfer(rnd, fewer)


def test_the_validator_catches_a_maximal_but_unfair_allocation() -> None:
    from solver_support import place, round_of, wish

    from bench.matcher_baselines import min_cost_flow_plain
    from matcher.solver.validation import assert_fair_share

    big = [wish(f"big{i}", school_id="BIG", top_places=("A", "B")) for i in range(4)]
    rnd = round_of(big + [wish("small", school_id="SMALL")], [place("A"), place("B")])
    fair = solve(rnd)
    plain = min_cost_flow_plain(rnd)
    unfair = replace(fair, assignments=tuple(Assignment(r, p, False, "top-1", 0, 0) for r, p in sorted(plain.items())))
    assert assert_fair_share(rnd, fair) == (1, 4)
    assert_max_placements(rnd, unfair)
    with pytest.raises(ValidationFailure, match="fair_share"):
        assert_fair_share(rnd, unfair)
    with pytest.raises(ValidationFailure, match="lexicographic"):
        assert_no_improving_transfer(rnd, unfair)


def test_the_validator_catches_a_reserved_slot_given_away_while_its_school_waits() -> None:
    from solver_support import Reservation, place, round_of, wish

    from matcher.solver.validation import assert_reservations_honoured

    rnd = round_of([wish("x", school_id="X"), wish("y", school_id="Y")], [place("A", reserved=(Reservation("X", 1),))])
    sol = solve(rnd)
    assert sol.placement_map() == {"x": "A"}
    wrong = replace(sol, assignments=(Assignment("y", "A", False, "none", 0, 0),))
    with pytest.raises(ValidationFailure, match="reserved_slots"):
        assert_reservations_honoured(rnd, wrong)


def test_the_validator_catches_an_explanation_that_names_another_place_or_a_place_for_the_unplaced() -> None:
    rnd = generate(200, 3)
    sol = solve(rnd)
    placed = sol.placement_map()
    first_placed = next(i for i, e in enumerate(sol.explanations) if e.student_ref in placed)
    first_unplaced = next(i for i, e in enumerate(sol.explanations) if e.student_ref not in placed)
    other = next(p.place_id for p in rnd.places if p.place_id != placed[sol.explanations[first_placed].student_ref])
    for i, place_id in ((first_placed, other), (first_unplaced, other), (first_placed, None)):
        explanations = list(sol.explanations)
        explanations[i] = replace(explanations[i], place_id=place_id)
        report = validate(rnd, replace(sol, explanations=tuple(explanations)))
        ref = sol.explanations[i].student_ref
        assert report.problems == (f"explained: explanation of {ref} does not match the allocation",)
    assert validate(rnd, sol).ok
