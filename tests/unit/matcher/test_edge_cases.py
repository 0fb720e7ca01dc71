"""Empty pools, rounds where nobody is eligible, and inconsistent rounds refused with the record named."""

from __future__ import annotations

import pytest
from solver_support import FixedPlacement, Reservation, place, round_of, wish

from matcher.domain.model import Exclusion
from matcher.errors import InconsistentInstance
from matcher.solver import solve
from matcher.solver.validation import validate


def test_an_empty_pool_gives_an_empty_solution() -> None:
    sol = solve(round_of([], []))
    assert (sol.assignments, sol.explanations, sol.shares) == ((), (), ())
    assert validate(round_of([], []), sol, fairness="full").ok


def test_students_without_places_are_all_explained() -> None:
    sol = solve(round_of([wish("a"), wish("b")], []))
    assert [(e.code, e.binding_constraint) for e in sol.explanations] == [("NO_ELIGIBLE_PLACE", "programme")] * 2


def test_a_round_where_nobody_is_eligible_is_explained_not_refused() -> None:
    rnd = round_of([wish("a", level=1), wish("b", needs_allowance=True)], [place("A", offers_allowance=False)])
    sol = solve(rnd)
    assert sol.assignments == ()
    assert {e.student_ref: e.binding_constraint for e in sol.explanations} == {"a": "level", "b": "allowance"}
    assert all(e.nearest_change is not None for e in sol.explanations)


def test_places_without_students_are_fine() -> None:
    assert solve(round_of([], [place("A"), place("B")])).assignments == ()


@pytest.mark.parametrize("make, kind, record", [
    (lambda: round_of([wish("a", period_id="P9")], []), "wish", "a"),
    (lambda: round_of([wish("a", region_id="R9")], []), "wish", "a"),
    (lambda: round_of([wish("a"), wish("a")], []), "wish", "a"),
    (lambda: round_of([], [place("A", slots=-1)]), "place", "A"),
    (lambda: round_of([], [place("A"), place("A")]), "place", "A"),
    (lambda: round_of([], [place("A", period_id="P2")]), "place", "A"),
    (lambda: round_of([], [place("A", reserved=(Reservation("X", 2),))]), "place", "A"),
    (lambda: round_of([wish("a", level=5)], []), "wish", "a"),
    (lambda: round_of([wish("a", crebo="2548")], []), "wish", "a"),
    (lambda: round_of([wish("a", top_places=("A", "B", "C", "D"))], []), "wish", "a"),
    (lambda: round_of([wish("a")], [place("A")], fixed=(FixedPlacement("zz", "A"),)), "fixed", "zz"),
    (lambda: round_of([wish("a")], [place("A")], fixed=(FixedPlacement("a", "B"),)), "fixed", "a"),
    (lambda: round_of([wish("a"), wish("b")], [place("A")],
                      fixed=(FixedPlacement("a", "A"), FixedPlacement("b", "A"))), "place", "A"),
    (lambda: round_of([wish("a")], [place("A")], fixed=(FixedPlacement("a", "A"),),
                      exclusions=(Exclusion("a", place_id="A"),)), "fixed", "a"),
    (lambda: round_of([wish("a")], [], exclusions=(Exclusion("a"),)), "exclusion", "a"),
])
def test_an_inconsistent_round_is_refused_naming_the_record(make, kind: str, record: str) -> None:
    with pytest.raises(InconsistentInstance) as err:
        solve(make())
    assert (err.value.record_type, err.value.record_id) == (kind, record)
    assert record in str(err.value)


def test_a_kept_placement_in_another_schools_reserved_slot_is_certified() -> None:
    # a re-match keeps stu-a (school S1) at P-1, whose one slot is reserved for S2; S2's stu-b is eligible but
    # the slot is taken by the kept placement, which no allocation may move: the round is still certified
    from solver_support import FixedPlacement, Reservation, place, round_of, wish

    from matcher.solver import solve
    from matcher.solver.validation import validate

    rnd = round_of([wish("stu-a", school_id="S1"), wish("stu-b", school_id="S2")],
                   [place("P-1", reserved=(Reservation("S2", 1),))], fixed=(FixedPlacement("stu-a", "P-1"),))
    sol = solve(rnd)
    assert sol.placement_map() == {"stu-a": "P-1"}
    report = validate(rnd, sol, fairness="bound")
    assert report.ok, report.problems
