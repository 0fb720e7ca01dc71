"""Small rounds whose optimum is known by hand, one per level of the rule, plus reserved slots."""

from __future__ import annotations

from solver_support import Reservation, km_east, place, round_of, wish

from bench.matcher_baselines import min_cost_flow_plain
from matcher.solver import solve
from matcher.solver.validation import validate


def test_the_most_students_are_placed_before_any_wish_counts() -> None:
    # a prefers A (top-1) but can also take B; b can only take A: both placed, a gets B
    rnd = round_of([wish("a", top_places=("A",)), wish("b", crebo="25491")],
                   [place("A", crebos=("25480", "25491")), place("B")])
    assert solve(rnd).placement_map() == {"a": "B", "b": "A"}


def test_fair_shares_keep_a_small_school_from_being_starved() -> None:
    # BIG's four students all rank A and B first; SMALL's one student has no wishes.
    big = [wish(f"big{i}", school_id="BIG", top_places=("A", "B")) for i in range(4)]
    small = [wish("small", school_id="SMALL")]
    rnd = round_of(big + small, [place("A"), place("B")])

    plain = min_cost_flow_plain(rnd)
    fair = solve(rnd).placement_map()

    assert "small" not in plain                      # the plain flow gives both slots to BIG
    assert "small" in fair and len(fair) == 2        # rates BIG 1/4, SMALL 1/1 beat 2/4 and 0/1
    rates = {g.school_id: g.rate for g in solve(rnd).shares}
    assert rates == {"BIG": 0.25, "SMALL": 1.0}


def test_fairness_is_lexicographic_beyond_the_worst_school() -> None:
    # Three schools in one pool, 3 slots; X has 3 students, Y 2, Z 1 (Z's student can only take C).
    students = [wish(f"x{i}", school_id="X") for i in range(3)] + \
               [wish(f"y{i}", school_id="Y") for i in range(2)] + [wish("z", school_id="Z", crebo="25491")]
    rnd = round_of(students, [place("A"), place("B"), place("C", crebos=("25480", "25491"))])
    rates = sorted(g.rate for g in solve(rnd).shares)
    # 3 slots for 3 schools: one each (X 1/3, Y 1/2, Z 1/1) is the only allocation with no school at 0
    assert rates == [1 / 3, 1 / 2, 1.0]
    assert validate(rnd, solve(rnd), fairness="full").ok


def test_among_equally_fair_allocations_the_wishes_decide() -> None:
    rnd = round_of([wish("a", top_places=("B", "A")), wish("b", top_places=("A",))], [place("A"), place("B")])
    assert solve(rnd).placement_map() == {"a": "B", "b": "A"}


def test_preferred_organisation_type_beats_activity_overlap_beats_nothing() -> None:
    places = [place("A", org_type="ziekenhuis", activities=()), place("B", activities=("A1", "A2"))]
    rnd = round_of([wish("a", preferred_org_types=("ziekenhuis",))], places)
    assert solve(rnd).placement_map() == {"a": "A"}
    rnd = round_of([wish("a")], places)
    assert solve(rnd).placement_map() == {"a": "B"}


def test_among_equal_wishes_the_least_travel_wins() -> None:
    rnd = round_of([wish("a")], [place("FAR", location=km_east(5)), place("NEAR", location=km_east(1))])
    assert solve(rnd).placement_map() == {"a": "NEAR"}


def test_a_pure_tie_is_decided_by_the_seeded_lottery_reproducibly() -> None:
    rnd = round_of([wish("a"), wish("b", home=km_east(0))], [place("A")])
    outcomes = {seed: solve(round_of(rnd.wishes, rnd.places, seed=seed)).placement_map() for seed in range(12)}
    assert all(len(o) == 1 for o in outcomes.values())
    assert {next(iter(o)) for o in outcomes.values()} == {"a", "b"}   # the seed matters...
    assert all(solve(round_of(rnd.wishes, rnd.places, seed=s)).placement_map() == o for s, o in outcomes.items())


def test_reserved_slots_go_to_their_school_even_against_wishes() -> None:
    # A has 1 slot reserved for X. y ranks A first, x has no wish; B is a free alternative for both.
    rnd = round_of([wish("y", school_id="Y", top_places=("A",)), wish("x", school_id="X")],
                   [place("A", reserved=(Reservation("X", 1),)), place("B")])
    sol = solve(rnd)
    assert sol.placement_map() == {"x": "A", "y": "B"}
    assert sol.stats.released_slots == 0


def test_unused_reserved_slots_are_released_to_the_pool() -> None:
    rnd = round_of([wish("y1", school_id="Y"), wish("y2", school_id="Y")],
                   [place("A", slots=2, reserved=(Reservation("X", 1),))])
    sol = solve(rnd)
    assert len(sol.assignments) == 2
    assert sol.stats.released_slots == 1
    assert [p.name for p in sol.penalties if p.name.startswith("reserved")] == [
        "reserved_slots_released(place=A, school=X)"]


def test_a_reserved_slot_is_released_rather_than_losing_a_placement() -> None:
    # x can take A or B; y only A (1 slot, reserved for X); B has 1 slot: placing both needs the release
    rnd = round_of([wish("x", school_id="X"), wish("y", school_id="Y", crebo="25491")],
                   [place("A", crebos=("25480", "25491"), reserved=(Reservation("X", 1),)), place("B")])
    sol = solve(rnd)
    assert sol.placement_map() == {"x": "B", "y": "A"}
    report = validate(rnd, sol, fairness="bound")
    assert report.ok and report.min_release == 1
