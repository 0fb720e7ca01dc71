"""Variant 2 (issue 15.3): k candidate places per student, every one achievable under the rule; the final round.

Achievable: some allocation with as many placed, the same school totals, the same scarce-options vector and
the fewest released reserved slots gives the student that place. Checked two independent ways: a brute force
over every allocation of tiny pools, and the validator's forced min-cost flow per offered pair on generated
regions (with reserved slots and re-matches). The final round keeps every certified level, grants choices
where the rule allows, gives a student who lost a collision another candidate, and words each outcome.
"""

from __future__ import annotations

from dataclasses import replace

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from solver_support import FixedPlacement, km_east, place, round_of, wish
from test_certified_property import rounds
from test_scarce_options import _allocations, _eligible, _scarce, _totals, small_pools

from matcher.domain.variant2 import describe_choice
from matcher.domain.reservations import released_by_place
from matcher.errors import InvalidChoice, ValidationFailure
from matcher.solver import solve
from matcher.solver.candidate_bound import assert_candidates_achievable
from matcher.solver.candidate_cycles import cycle_certified
from matcher.domain.variant2 import Offer
from matcher.solver.candidates import k_per_student, offer_candidates
from matcher.solver.choices import GRANTED, KEPT_PICK, OTHER_CANDIDATE, final_round
from matcher.solver.fair_bound import reference
from matcher.solver.validation import validate


def blocked_pool():
    """stu-a fits both places, stu-b only P-near: stu-a's P-near would leave stu-b unplaced."""
    return round_of([wish("stu-a", max_travel_minutes=60), wish("stu-b", max_travel_minutes=20)],
                    [place("P-near"), place("P-far", location=km_east(10))])


def open_pool(n: int = 3):
    """n students and n one-slot places, every student fits every place: all n places are candidates."""
    return round_of([wish(f"stu-{i}") for i in range(n)], [place(f"P-{i}") for i in range(n)])


def test_a_candidate_that_would_cost_a_placement_is_not_offered() -> None:
    rnd = blocked_pool()
    sol = solve(rnd)
    assert sol.placement_map() == {"stu-a": "P-far", "stu-b": "P-near"}
    offers = offer_candidates(rnd, sol, {"stu-a": 2, "stu-b": 2})
    assert [(o.student_ref, o.place_ids) for o in offers] == [("stu-a", ("P-far",)), ("stu-b", ("P-near",))]


def test_the_validator_refuses_an_offer_that_cannot_be_granted() -> None:
    rnd = blocked_pool()
    sol = solve(rnd)
    with pytest.raises(ValidationFailure, match="stu-a -> P-near"):
        assert_candidates_achievable(rnd, sol, [Offer("stu-a", "P-far", ("P-far", "P-near"))])
    with pytest.raises(ValidationFailure, match="does not start with its placement"):
        assert_candidates_achievable(rnd, sol, [Offer("stu-a", "P-near", ("P-near",))])


def test_every_student_gets_k_candidates_when_the_places_are_interchangeable() -> None:
    rnd = open_pool(3)
    sol = solve(rnd)
    offers = offer_candidates(rnd, sol, {w.student_ref: 3 for w in rnd.wishes})
    assert all(len(o.place_ids) == 3 and o.place_ids[0] == sol.placement_map()[o.student_ref] for o in offers)
    assert assert_candidates_achievable(rnd, sol, offers) == 6


def test_students_outside_variant_2_and_unplaced_students_get_no_offer() -> None:
    rnd = round_of([wish(f"stu-{i}") for i in range(3)], [place("P-0"), place("P-1")])
    sol = solve(rnd)
    offers = offer_candidates(rnd, sol, {"stu-0": 2, "stu-1": 2, "stu-2": 2})
    unplaced = {w.student_ref for w in rnd.wishes} - set(sol.placement_map())
    assert len(offers) == 2 and not unplaced & {o.student_ref for o in offers}
    assert offer_candidates(rnd, sol, {}) == ()
    with pytest.raises(ValueError):
        offer_candidates(rnd, sol, {"stu-0": 6})


def test_colliding_choices_the_rule_decides_and_the_loser_gets_another_candidate() -> None:
    rnd = open_pool(3)
    sol = solve(rnd)
    offers = offer_candidates(rnd, sol, {w.student_ref: 3 for w in rnd.wishes})
    pick = sol.placement_map()
    wanted = pick["stu-2"]
    final, outcomes = final_round(rnd, sol, offers, {"stu-0": [wanted], "stu-1": [wanted]})
    by = {o.student_ref: o for o in outcomes}
    assert by["stu-2"].code == KEPT_PICK and final.placement_map()["stu-2"] == pick["stu-2"]
    assert {by["stu-0"].code, by["stu-1"].code} == {OTHER_CANDIDATE}  # stu-2 did not choose: keeps the place
    final, outcomes = final_round(rnd, sol, offers, {r: [wanted] for r in ("stu-0", "stu-1", "stu-2")})
    codes = sorted(o.code for o in outcomes)
    assert codes == [GRANTED, OTHER_CANDIDATE, OTHER_CANDIDATE]
    loser = next(o for o in outcomes if o.code == OTHER_CANDIDATE)
    assert loser.place_id in next(o.place_ids for o in offers if o.student_ref == loser.student_ref)
    assert "andere plaats uit je kandidaten" in describe_choice(loser)
    assert "another of your candidates" in describe_choice(loser, "en")
    assert validate(rnd, final, fairness="full").ok


def test_choices_are_granted_when_they_do_not_collide_and_ranked_choices_count() -> None:
    rnd = open_pool(3)
    sol = solve(rnd)
    offers = offer_candidates(rnd, sol, {w.student_ref: 3 for w in rnd.wishes})
    pick = sol.placement_map()
    swap = {"stu-0": [pick["stu-1"]], "stu-1": [pick["stu-0"]]}
    final, outcomes = final_round(rnd, sol, offers, swap)
    assert final.placement_map() == {**pick, "stu-0": pick["stu-1"], "stu-1": pick["stu-0"]}
    granted = [o for o in outcomes if o.code == GRANTED]
    assert len(granted) == 2 and all(o.granted_rank == 1 for o in granted)
    assert describe_choice(granted[0]) == "Je krijgt de plaats die je koos."
    kept = next(o for o in outcomes if o.code == KEPT_PICK)
    assert "niet gekozen" in describe_choice(kept) and "did not choose" in describe_choice(kept, "en")
    ranked = {"stu-0": [pick["stu-2"], pick["stu-1"]], "stu-1": [pick["stu-0"]]}
    _, outcomes = final_round(rnd, sol, offers, ranked)
    assert next(o for o in outcomes if o.student_ref == "stu-0").granted_rank == 2  # stu-2 kept its pick


@pytest.mark.parametrize("chosen, message", [([], "at least one"), (["P-0", "P-0"], "twice"),
                                             (["P-9"], "not one of the candidates")])
def test_a_bad_choice_is_refused_naming_the_student(chosen, message) -> None:
    rnd = open_pool(3)
    sol = solve(rnd)
    offers = offer_candidates(rnd, sol, {w.student_ref: 3 for w in rnd.wishes})
    with pytest.raises(InvalidChoice, match=message) as err:
        final_round(rnd, sol, offers, {"stu-1": chosen})
    assert err.value.student_ref == "stu-1"


def _equivalent(rnd, options, sol) -> list[dict[str, str]]:
    """Every allocation with the solution's placed count, school totals, scarce vector and released slots."""
    got = sol.placement_map()
    totals, scarce = _totals(rnd, got), _scarce(rnd, options, got)
    released = sum(released_by_place(rnd, got).values())
    return [a for a in _allocations(rnd, options)
            if len(a) == len(got) and _totals(rnd, a) == totals and _scarce(rnd, options, a) == scarce
            and sum(released_by_place(rnd, a).values()) == released]


@given(rnd=small_pools(), k=st.integers(2, 5))
@settings(max_examples=120, deadline=None, suppress_health_check=[HealthCheck.too_slow])
def test_on_small_pools_every_candidate_is_granted_by_some_equivalent_allocation(rnd, k) -> None:
    sol = solve(rnd)
    offers = offer_candidates(rnd, sol, {w.student_ref: k for w in rnd.wishes})
    same = _equivalent(rnd, _eligible(rnd), sol)
    for o in offers:
        assert len(o.place_ids) <= k
        for pid in o.place_ids:
            assert any(a.get(o.student_ref) == pid for a in same), (o, pid)


@given(rnd=rounds(), k=st.integers(2, 5), choose=st.integers(0, 2**16))
@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.too_slow])
def test_every_candidate_offered_is_certified_and_the_final_round_keeps_the_certified_levels(rnd, k, choose) -> None:
    sol = solve(rnd)
    offers = offer_candidates(rnd, sol, {w.student_ref: k for w in rnd.wishes})
    pairs = assert_candidates_achievable(rnd, sol, offers, exact=True)  # one forced min-cost flow per pair
    ref = reference(rnd)
    rt = ref.tables
    todo = [(rt.student_index[o.student_ref], rt.place_index[q]) for o in offers for q in o.place_ids[1:]]
    assert len(todo) == pairs and all(cycle_certified(ref, sol, todo))  # the cheap certificate agrees
    choices = {o.student_ref: [o.place_ids[(choose + i) % len(o.place_ids)]]
               for i, o in enumerate(offers) if (choose >> (i % 16)) & 1}
    final, outcomes = final_round(rnd, sol, offers, choices)
    report = validate(rnd, final, fairness="bound")
    assert report.ok, report.problems
    assert sorted((g.school_id, g.sector, g.placed) for g in final.shares) == \
        sorted((g.school_id, g.sector, g.placed) for g in sol.shares)
    pick = sol.placement_map()
    assert all(final.placement_map().get(o.student_ref) == pick[o.student_ref]
               for o in outcomes if o.code == KEPT_PICK)


def test_the_final_round_of_a_rematch_keeps_fixed_placements() -> None:
    rnd = open_pool(4)
    first = solve(rnd).assignments[0]
    rnd = replace(rnd, fixed=(FixedPlacement(first.student_ref, first.place_id),))
    sol = solve(rnd)
    offers = offer_candidates(rnd, sol, {w.student_ref: 2 for w in rnd.wishes})
    assert first.student_ref not in {o.student_ref for o in offers}
    final, _ = final_round(rnd, sol, offers, {})
    assert final.placement_map() == sol.placement_map()


def test_k_follows_the_programme_setting_and_a_student_without_offer_cannot_choose() -> None:
    rnd = round_of([wish("stu-0"), wish("stu-1", school_id="S2"), wish("stu-2", crebo="25481")],
                   [place("P-0"), place("P-1")])
    assert k_per_student(rnd, {("S1", "25480", "P1"): 3, ("S2", "25480", "P2"): 4}) == {"stu-0": 3}
    sol = solve(rnd)
    offers = offer_candidates(rnd, sol, {"stu-0": 2})
    with pytest.raises(InvalidChoice, match="no candidates were offered") as err:
        final_round(rnd, sol, offers, {"stu-1": ["P-0"]})
    assert err.value.student_ref == "stu-1"
