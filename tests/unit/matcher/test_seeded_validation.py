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
    worst = min(g.placed / g.demand for g in sol.shares)
    assert report.fair_bound is not None and worst == pytest.approx(report.fair_bound[0] / report.fair_bound[1])


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
