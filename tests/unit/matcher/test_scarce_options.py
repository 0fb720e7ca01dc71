"""The scarce-options level (issue 17, point 1): among allocations with the most placed and the fairest school
rates, place as many students with a support need as possible, then students by their number of eligible
places from the fewest up; certified by the validator, said in the explanation, blind to identity.

The hand-made pools are the issue's examples: the old rule let a student with a wish (or a lottery tie) take
the only place a support student could use, with the same number placed and the same school rates. The
property compares the solver with a brute force over every allocation of tiny generated pools.
"""

from __future__ import annotations

import itertools
from collections import Counter
from dataclasses import replace

import pytest
from hypothesis import HealthCheck, assume, given, settings
from hypothesis import strategies as st
from solver_support import generate, place, round_of, wish

from matcher.domain.eligibility import pair_failures
from matcher.domain.fairness import group_key
from matcher.domain.model import Assignment
from matcher.domain.reservations import released_by_place
from matcher.domain.wording import describe
from matcher.errors import ValidationFailure
from matcher.solver import solve
from matcher.solver.validation import assert_scarce_options, validate


def support_pool():
    """One place offers the support; a student without the need wishes for it (top-1), a support student
    can only go there. Both are of one school: either allocation places one and gives the school 1/2."""
    places = [place("P-care", support_offered=("wheelchair",))]
    wishes = [wish("stu-wish", top_places=("P-care",)), wish("stu-support", support_needs=("wheelchair",))]
    return round_of(wishes, places)


def few_places_pool():
    """Places A and B (one slot each): stu-a can only go to A (level 3), stu-b only to B (a crebo only B
    recognises), stu-ab to either and wishes for A. Two are placed either way, all of one school; the rule
    must place the two students with one eligible place."""
    places = [place("P-A"), place("P-B", levels=(4,), crebos=("25480", "99999"))]
    wishes = [wish("stu-a"), wish("stu-ab", level=4, top_places=("P-A",)), wish("stu-b", level=4, crebo="99999")]
    return round_of(wishes, places)


def test_a_support_student_gets_the_only_place_offering_the_support() -> None:
    sol = solve(support_pool())
    assert sol.placement_map() == {"stu-support": "P-care"}
    e = next(x for x in sol.explanations if x.student_ref == "stu-support")
    assert e.priority == "support"
    assert "weinig plaatsen de begeleiding bieden die je nodig hebt" in describe(e)
    assert "few places offer the support you need" in describe(e, "en")


def test_students_with_fewer_eligible_places_come_first() -> None:
    rnd = few_places_pool()
    sol = solve(rnd)
    assert sol.placement_map() == {"stu-a": "P-A", "stu-b": "P-B"}
    e = next(x for x in sol.explanations if x.student_ref == "stu-a")
    assert e.priority == "few_places" and e.eligible_places == 1
    assert "maar 1 plaats bij je past" in describe(e) and "only 1 place fits you" in describe(e, "en")


def test_the_validator_refuses_an_allocation_that_passes_over_the_support_student() -> None:
    rnd = support_pool()
    sol = solve(rnd)
    assert validate(rnd, sol, fairness="bound").scarce == (1, 1)
    other = replace(sol, assignments=(Assignment("stu-wish", "P-care", False, "top-1", 0, 100),))
    with pytest.raises(ValidationFailure, match="1 students with a support need|0 students with a support need"):
        assert_scarce_options(rnd, other)
    report = validate(rnd, other, fairness="bound")
    assert not report.ok and any("scarce_options" in p for p in report.problems)


def test_the_level_is_blind_to_identity() -> None:
    rnd = support_pool()
    renamed = replace(rnd, wishes=tuple(replace(w, student_ref={"stu-wish": "zz-1", "stu-support": "aa-2"}[w.student_ref])
                                        for w in reversed(rnd.wishes)))
    assert solve(renamed).placement_map() == {"aa-2": "P-care"}


# --- property: brute force over every allocation of tiny generated pools -------------------------------------

def _eligible(rnd) -> dict[str, list[str]]:
    return {w.student_ref: [p.place_id for p in rnd.places if not pair_failures(w, p)] for w in rnd.wishes}


def _key(w, eligible: int) -> int:
    return 0 if w.support_needs else eligible


def _allocations(rnd, options):
    refs = sorted(options)
    cap = {p.place_id: p.effective_slots for p in rnd.places}
    for combo in itertools.product(*[[None] + options[r] for r in refs]):
        used = Counter(c for c in combo if c)
        if all(n <= cap[p] for p, n in used.items()):
            yield {r: c for r, c in zip(refs, combo) if c}


def _rates(rnd, placement) -> tuple[float, ...]:
    demand = Counter(group_key(w) for w in rnd.wishes)
    got = Counter(group_key(w) for w in rnd.wishes if w.student_ref in placement)
    return tuple(sorted(got[g] / demand[g] for g in demand))


def _totals(rnd, placement) -> Counter:
    return Counter(group_key(w) for w in rnd.wishes if w.student_ref in placement)


def _scarce(rnd, options, placement) -> tuple[int, ...]:
    keys = Counter(_key(w, len(options[w.student_ref])) for w in rnd.wishes if w.student_ref in placement)
    return tuple(keys[k] for k in range(0, max(len(v) for v in options.values()) + 1))


@given(n=st.integers(3, 7), seed=st.integers(0, 100_000), support=st.sampled_from([0.0, 0.3, 0.6]),
       scarcity=st.sampled_from([0.3, 0.6, 1.0]))
@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow, HealthCheck.filter_too_much])
def test_the_solver_places_the_lexicographically_most_scarce_students(n, seed, support, scarcity) -> None:
    rnd = generate(n, seed, scarcity=scarcity, support_share=support, exclusion_share=0.0)
    options = _eligible(rnd)
    assume(sum(len(v) for v in options.values()) > 0)
    count = 1
    for v in options.values():
        count *= 1 + len(v)
    assume(count <= 50_000)
    sol = solve(rnd)
    got = sol.placement_map()
    every = list(_allocations(rnd, options))
    most = max(len(a) for a in every)
    top = [a for a in every if len(a) == most]
    fewest = min(sum(released_by_place(rnd, a).values()) for a in top)
    top = [a for a in top if sum(released_by_place(rnd, a).values()) == fewest]
    fairest = max(_rates(rnd, a) for a in top)
    assert len(got) == most and _rates(rnd, got) == fairest
    same_totals = [a for a in top if _rates(rnd, a) == fairest and _totals(rnd, a) == _totals(rnd, got)]
    assert _scarce(rnd, options, got) == max(_scarce(rnd, options, a) for a in same_totals)
    assert validate(rnd, sol, fairness="bound").ok


@st.composite
def small_pools(draw):
    """Random tiny pools with varied eligibility: each place takes some levels and may offer the support;
    each student has a level, maybe a support need, a school and maybe a wish for one place."""
    n_places = draw(st.integers(1, 4))
    places = [place(f"P-{i}", levels=tuple(sorted(draw(st.sets(st.sampled_from([2, 3, 4]), min_size=1)))),
                    slots=draw(st.integers(1, 2)), support_offered=("rolstoel",) if draw(st.booleans()) else ())
              for i in range(n_places)]
    wishes = []
    for i in range(draw(st.integers(2, 7))):
        top = draw(st.sampled_from([None] + [p.place_id for p in places]))
        wishes.append(wish(f"stu-{i}", school_id=draw(st.sampled_from(["S1", "S2"])),
                           level=draw(st.sampled_from([2, 3, 4])), top_places=(top,) if top else (),
                           support_needs=("rolstoel",) if draw(st.integers(0, 3)) == 0 else ()))
    return round_of(wishes, places, seed=draw(st.integers(0, 1000)))


@given(rnd=small_pools())
@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
def test_on_random_small_pools_the_scarce_students_come_first(rnd) -> None:
    options = _eligible(rnd)
    sol = solve(rnd)
    got = sol.placement_map()
    every = list(_allocations(rnd, options))
    most = max(len(a) for a in every)
    top = [a for a in every if len(a) == most]
    fairest = max(_rates(rnd, a) for a in top)
    assert len(got) == most and _rates(rnd, got) == fairest
    same_totals = [a for a in top if _rates(rnd, a) == fairest and _totals(rnd, a) == _totals(rnd, got)]
    assert _scarce(rnd, options, got) == max(_scarce(rnd, options, a) for a in same_totals)
    assert validate(rnd, sol, fairness="bound").ok


def test_the_explanation_claims_priority_only_for_students_the_solve_ranked() -> None:
    from matcher.domain.explain import _priority

    assert _priority((), 3, None) == "few_places" and _priority((), 4, None) is None
    assert _priority((), 3, 1) is None and _priority((), 1, 1) == "few_places"  # only 1 eligible place ranked
    assert _priority(("rolstoel",), 9, 0) == "support" and _priority(("rolstoel",), 9, -1) is None


@given(st.lists(st.integers(0, 6), max_size=30), st.integers(0, 9))
def test_the_level_count_is_the_number_of_levels_the_students_get(keys, distinguished) -> None:
    import numpy as np

    from matcher.domain import scarcity

    level, n_levels = scarcity.levels_of(np.array(keys, dtype=np.int64), distinguished)
    assert scarcity.level_count(len(set(keys)), distinguished) == n_levels
    assert set(level.tolist()) <= set(range(n_levels)) and (not keys or level.max() == n_levels - 1)
