"""A re-match round keeps accepted placements and never offers a refused or excluded place again."""

from __future__ import annotations

from dataclasses import replace

from solver_support import Exclusion, FixedPlacement, Reservation, generate, place, round_of, wish

from matcher.solver import solve
from matcher.solver.validation import validate


def test_fixed_placements_are_kept_and_consume_their_slot() -> None:
    rnd = round_of([wish("kept", top_places=("B",)), wish("new", top_places=("A",))], [place("A"), place("B")],
                   fixed=(FixedPlacement("kept", "A"),))
    sol = solve(rnd)
    assert sol.placement_map() == {"kept": "A", "new": "B"}
    kept = next(e for e in sol.explanations if e.student_ref == "kept")
    assert kept.code == "PLACED_FIXED" and next(a for a in sol.assignments if a.student_ref == "kept").fixed


def test_a_fixed_placement_counts_for_its_schools_share() -> None:
    # X already has one student placed; the one free slot goes to Y (X 1/2 and Y 1/1 beat X 2/2 and Y 0/1)
    rnd = round_of([wish("x1", school_id="X"), wish("x2", school_id="X", top_places=("B",)), wish("y", school_id="Y")],
                   [place("A"), place("B")], fixed=(FixedPlacement("x1", "A"),))
    assert solve(rnd).placement_map() == {"x1": "A", "y": "B"}


def test_a_fixed_student_of_the_reserving_school_uses_its_reserved_slot() -> None:
    rnd = round_of([wish("x", school_id="X"), wish("y", school_id="Y")],
                   [place("A", slots=2, reserved=(Reservation("X", 1),))], fixed=(FixedPlacement("x", "A"),))
    sol = solve(rnd)
    assert sol.placement_map() == {"x": "A", "y": "A"} and sol.stats.released_slots == 0


def test_a_rematch_of_a_generated_region_never_reoffers_a_refused_place() -> None:
    rnd = generate(400, 31)
    first = solve(rnd)
    accepted = first.assignments[::2]
    refused = first.assignments[1::2]
    rematch = replace(
        rnd, seed=rnd.seed + 1, fixed=tuple(FixedPlacement(a.student_ref, a.place_id) for a in accepted),
        exclusions=rnd.exclusions + tuple(Exclusion(a.student_ref, place_id=a.place_id) for a in refused),
    )
    second = solve(rematch)
    again = second.placement_map()
    assert all(again[a.student_ref] == a.place_id for a in accepted)
    assert all(again.get(a.student_ref) != a.place_id for a in refused)
    assert validate(rematch, second, fairness="bound").ok


def test_an_organisation_exclusion_covers_all_its_places() -> None:
    rnd = round_of([wish("a")], [place("A", organisation_id="O"), place("B", organisation_id="O"), place("C")],
                   exclusions=(Exclusion("a", organisation_id="O"),))
    assert solve(rnd).placement_map() == {"a": "C"}
