"""Every hard constraint, probed on two-student rounds: one student passes it, the other fails only it."""

from __future__ import annotations

from dataclasses import replace

import numpy as np
import pytest
from solver_support import Exclusion, Location, place, round_of, wish

from matcher.domain.eligibility import (
    CRITERIA, eligible_pairs, failure_masks, mask_criteria, pair_failures, reach_cosine, travel_minutes_pairs,
)
from matcher.domain.tables import build_tables
from matcher.domain.travel import travel_minutes
from matcher.solver import solve

FAR = Location("6900", 51.98, 6.30)  # ~27 km east of HOME: 2h+ by bike, ~1h by public transport

PROBES = {  # criterion: (changes to the failing student, changes to the place, extra round changes)
    "programme": ({"crebo": "25491"}, {}, {}),
    "level": ({"level": 1}, {}, {}),
    "pathway": ({"pathway": "bbl"}, {"pathways": ("bol",)}, {}),
    "study_year": ({"study_year": 3}, {"study_years": (1, 2)}, {}),
    "period": ({"period_id": "P2"}, {}, {"period_ids": ("P1", "P2")}),
    "travel_time": ({"home": FAR}, {}, {}),
    "support": ({"support_needs": ("S-TAAL",)}, {}, {}),
    "allowance": ({"needs_allowance": True}, {"offers_allowance": False}, {}),
    "irregular_shifts": ({"irregular_shifts_ok": False}, {"irregular_shifts": True}, {}),
    "min_age": ({"age_at_start": 16}, {"min_age": 18}, {}),
}


@pytest.mark.parametrize("criterion", sorted(PROBES))
def test_a_student_failing_one_criterion_is_not_placed_and_that_criterion_binds(criterion: str) -> None:
    fail_changes, place_changes, round_changes = PROBES[criterion]
    ok = wish("ok", age_at_start=19)
    bad = wish("bad", **{"age_at_start": 19, **fail_changes})
    rnd = round_of([ok, bad], [place("A", slots=2, **place_changes)], **round_changes)

    sol = solve(rnd)

    assert sol.placement_map() == {"ok": "A"}
    expl = {e.student_ref: e for e in sol.explanations}
    assert expl["bad"].code == "NO_ELIGIBLE_PLACE"
    assert expl["bad"].binding_constraint == criterion
    assert pair_failures(bad, rnd.places[0]) == (criterion,)
    assert pair_failures(ok, rnd.places[0]) == ()


def test_a_place_without_effective_slots_takes_nobody() -> None:
    for changes in ({"slots": 0}, {"supervision_capacity": 0}):
        sol = solve(round_of([wish("a")], [place("A", **changes)]))
        assert sol.placement_map() == {}
        assert sol.explanations[0].code == "NO_ELIGIBLE_PLACE"


def test_effective_slots_are_the_minimum_of_slots_and_supervision() -> None:
    rnd = round_of([wish(f"s{i}") for i in range(4)], [place("A", slots=3, supervision_capacity=2)])
    assert len(solve(rnd).assignments) == 2


def test_refused_place_and_excluded_organisation_are_never_given() -> None:
    rnd = round_of(
        [wish("a"), wish("b")], [place("A", slots=2), place("B", organisation_id="ORG", slots=2)],
        exclusions=(Exclusion("a", place_id="A"), Exclusion("b", organisation_id="ORG")),
    )
    placed = solve(rnd).placement_map()
    assert placed == {"a": "B", "b": "A"}


def test_an_excluded_student_with_no_other_place_is_explained() -> None:
    rnd = round_of([wish("a")], [place("A")], exclusions=(Exclusion("a", place_id="A"),))
    e = solve(rnd).explanations[0]
    assert (e.code, e.binding_constraint, e.nearest_change) == ("NO_ELIGIBLE_PLACE", "excluded", None)


def test_travel_time_uses_the_students_own_mode_and_limit() -> None:
    near = place("A", location=Location("6812", 51.98, 5.99), slots=2)  # ~6 km
    minutes = travel_minutes(wish("x").home, near.location, "bike")
    rnd = round_of([wish("in", max_travel_minutes=minutes), wish("out", max_travel_minutes=minutes - 1)], [near])
    assert solve(rnd).placement_map() == {"in": "A"}


def test_vectorised_eligibility_agrees_with_the_reference_on_a_generated_region() -> None:
    from solver_support import generate

    rnd = generate(400, 5)
    rt = build_tables(rnd)
    excluded = {(e.student_ref, e.place_id) for e in rnd.exclusions if e.place_id}
    excluded |= {(e.student_ref, p.place_id) for e in rnd.exclusions if e.organisation_id
                 for p in rnd.places if p.organisation_id == e.organisation_id}
    rng = np.random.default_rng(0)
    s = rng.choice(rt.students.n, 60, replace=False)
    p = rng.choice(rt.places.n, 80, replace=False)
    masks, _ = failure_masks(rt, s, p)
    for i, si in enumerate(s):
        for j, pj in enumerate(p):
            w, pl = rt.students.wishes[si], rt.places.places[pj]
            assert mask_criteria(int(masks[i, j])) == pair_failures(w, pl, (w.student_ref, pl.place_id) in excluded)
    pairs = eligible_pairs(rt)
    eligible = set(zip(pairs.student.tolist(), pairs.place.tolist()))
    for i, si in enumerate(s):
        for j, pj in enumerate(p):
            assert ((int(si), int(pj)) in eligible) == (masks[i, j] == 0)


def test_reach_bounds_decide_travel_only_where_the_exact_minutes_agree() -> None:
    """The explanation scan trusts these bounds instead of exact minutes: inner => within, outer => beyond."""
    from solver_support import generate

    rt = build_tables(generate(600, 2))
    s, p = np.arange(rt.students.n), np.arange(rt.places.n)
    dot = rt.students.xyz[s] @ rt.places.xyz[p].T
    ss, pp = np.meshgrid(s, p, indexing="ij")
    within = travel_minutes_pairs(rt, ss.ravel(), pp.ravel()).reshape(dot.shape) <= rt.students.max_travel[:, None]
    sure_in = dot >= reach_cosine(rt, s, 0, -1e-6)[:, None]
    maybe = dot >= reach_cosine(rt, s)[:, None]
    assert np.all(within[sure_in]) and not np.any(within[~maybe])
    assert sure_in.sum() > 0.9 * within.sum() and np.any(~maybe)  # the bounds decide almost every pair


def test_criteria_are_listed_in_the_order_of_the_rule() -> None:
    assert CRITERIA == ("programme", "level", "pathway", "study_year", "period", "travel_time", "support",
                        "allowance", "irregular_shifts", "min_age", "no_slots", "excluded")


def test_travel_minutes_follow_the_documented_formula() -> None:
    from matcher.domain.travel import haversine_km
    import math

    arnhem, nijmegen = Location("6811", 51.985, 5.899), Location("6511", 51.842, 5.853)
    km = float(haversine_km(arnhem.lat, arnhem.lon, nijmegen.lat, nijmegen.lon))
    assert 16.0 < km < 16.5
    assert travel_minutes(arnhem, nijmegen, "bike") == math.ceil(km * 1.3 / 15 * 60)
    assert travel_minutes(arnhem, nijmegen, "public_transport") == math.ceil(km * 1.4 / 25 * 60 + 10)
    assert travel_minutes(arnhem, arnhem, "public_transport") == 10
    assert travel_minutes(arnhem, arnhem, "walk") == 0


def test_a_place_naming_no_pathway_or_study_year_takes_every_student() -> None:
    students = [wish(f"{pathway}{year}", pathway=pathway, study_year=year) for pathway in ("bol", "bbl")
                for year in (1, 2, 3, 4)]
    rnd = round_of(students, [place("A", slots=8, supervision_capacity=8, pathways=(), study_years=())])
    assert len(solve(rnd).placement_map()) == 8


def test_vectorised_pathway_and_study_year_agree_with_the_reference() -> None:
    from solver_support import generate

    rnd = generate(300, 7)
    rng = np.random.default_rng(1)
    choices = ((), ("bol",), ("bbl",), ("bol", "bbl"))
    places = tuple(replace(p, pathways=choices[int(rng.integers(4))],
                           study_years=tuple(int(y) for y in np.nonzero(rng.random(4) < 0.6)[0] + 1))
                   for p in rnd.places)
    wishes = tuple(replace(w, pathway=("bol", "bbl")[int(rng.integers(2))], study_year=int(rng.integers(1, 5)))
                   for w in rnd.wishes)
    rnd = replace(rnd, places=places, wishes=wishes)
    rt = build_tables(rnd)
    excluded = {(e.student_ref, e.place_id) for e in rnd.exclusions if e.place_id}
    excluded |= {(e.student_ref, p.place_id) for e in rnd.exclusions if e.organisation_id
                 for p in rnd.places if p.organisation_id == e.organisation_id}
    s, p = np.arange(min(80, rt.students.n)), np.arange(min(120, rt.places.n))
    masks, _ = failure_masks(rt, s, p)
    for i in s:
        for j in p:
            w, pl = rt.students.wishes[i], rt.places.places[j]
            assert mask_criteria(int(masks[i, j])) == pair_failures(w, pl, (w.student_ref, pl.place_id) in excluded)
    assert np.any(masks & (1 << CRITERIA.index("pathway"))) and np.any(masks & (1 << CRITERIA.index("study_year")))
    pairs = eligible_pairs(rt)
    eligible = set(zip(pairs.student.tolist(), pairs.place.tolist()))
    for i in s:
        for j in p:
            assert ((int(i), int(j)) in eligible) == (masks[i, j] == 0)
