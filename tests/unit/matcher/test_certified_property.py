"""The solver's result is certified by the independent validator on any generated round, re-match rounds included.

Live rounds refuse a proposal the validator does not certify (`fairness="bound"`), so this property is what
keeps a coordinator's round from failing: feasibility, the max-flow floor, the fewest released reserved
slots and the fair-share bound hold for every instance hypothesis draws, and where no slot is reserved the
full lexicographic max-min check (no improving transfer) holds too.
"""

from __future__ import annotations

from dataclasses import replace

from hypothesis import given, settings
from hypothesis import strategies as st
from solver_support import Exclusion, FixedPlacement, Reservation, generate

from matcher.domain.model import RoundInput
from matcher.solver import augmenting, fair_bound, release_bound, solve
from matcher.solver.validation import validate


@st.composite
def rounds(draw) -> RoundInput:
    """A generated region, scarce or not, with or without extra reserved slots, optionally as a re-match that
    keeps some placements and excludes others."""
    rnd = generate(draw(st.integers(6, 90)), draw(st.integers(0, 100_000)),
                   scarcity=draw(st.sampled_from([0.3, 0.6, 0.8, 1.1])),
                   exclusion_share=draw(st.sampled_from([0.0, 0.05, 0.2])))
    if draw(st.booleans()):
        rnd = with_reservations(draw, rnd)
    if not draw(st.booleans()):
        return rnd
    first = solve(rnd).assignments
    kept = draw(st.lists(st.sampled_from(first), unique=True, max_size=len(first))) if first else []
    refused = [a for a in first if a not in kept and draw(st.booleans())]
    return replace(rnd, seed=rnd.seed + 1,
                   fixed=tuple(FixedPlacement(a.student_ref, a.place_id) for a in kept),
                   exclusions=rnd.exclusions + tuple(Exclusion(a.student_ref, place_id=a.place_id) for a in refused))


def with_reservations(draw, rnd: RoundInput) -> RoundInput:
    """Some places reserve part of their slots for one school of the region (a bilateral agreement)."""
    schools = sorted({w.school_id for w in rnd.wishes})
    if not schools or not rnd.places:
        return rnd
    places = list(rnd.places)
    for i in draw(st.lists(st.integers(0, len(places) - 1), unique=True, max_size=min(6, len(places)))):
        if places[i].effective_slots > 0:
            slots = draw(st.integers(1, places[i].effective_slots))
            places[i] = replace(places[i], reserved=(Reservation(draw(st.sampled_from(schools)), slots),))
    return replace(rnd, places=tuple(places))


def reserves_slots(rnd: RoundInput) -> bool:
    return any(p.reserved for p in rnd.places)


@settings(max_examples=200, deadline=None)
@given(rounds())
def test_every_solved_round_is_certified_feasible_maximal_and_fair(rnd: RoundInput) -> None:
    sol = solve(rnd)
    report = validate(rnd, sol, fairness="bound" if reserves_slots(rnd) else "full")
    assert report.ok, report.problems
    assert report.max_flow == len(sol.assignments)
    if rnd.wishes:
        worst = min(g.placed / g.demand for g in sol.shares)
        assert report.fair_bound is not None and worst == report.fair_bound[0] / report.fair_bound[1]


@settings(max_examples=120, deadline=None)
@given(rounds())
def test_the_solution_certified_the_most_placed_gives_the_release_bound_the_max_flows_it_skips(rnd: RoundInput) -> None:
    """The solver's allocation has no augmenting path, and its count per part is each part's maximum flow with
    the release arcs open, which the release bound then reads instead of solving it (re-matches with kept
    placements and extra reserved slots included)."""
    sol = solve(rnd)
    ref = fair_bound.reference(rnd)
    found = augmenting.certificate(ref, sol.placement_map())
    assert found is not None
    solved = release_bound.part_figures(fair_bound.reference(rnd))
    ref.cache[release_bound.CERTIFICATE] = found
    assert release_bound.part_figures(ref) == solved


@settings(max_examples=150, deadline=None)
@given(rounds())
def test_the_certificate_s_minimum_cut_bounds_every_part_s_fewest_released_slots(rnd: RoundInput) -> None:
    """The minimum cut of the solution's own max-placements certificate gives, per part, a lower bound on the
    released slots of every maximum allocation (the validator takes it where the solution reaches it), never
    above the fewest that the part's own min-cost flow finds."""
    sol = solve(rnd)
    ref = fair_bound.reference(rnd)
    found = augmenting.certificate(ref, sol.placement_map())
    assert found is not None
    ref.cache[release_bound.CERTIFICATE] = found
    by_cut = release_bound.cut_figures(ref)
    fewest = [fair_bound._flow_release(fair_bound.reference(rnd), part) for part in fair_bound._parts(ref)]
    assert len(by_cut) == len(fewest) and all(0 <= cut <= least for cut, least in zip(by_cut, fewest))
