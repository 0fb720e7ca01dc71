"""Every number in a hint is true, and a hint that claims to help does (issue 17, point 2).

On generated regions, for unplaced students: each relaxation's K (places that would become eligible) and F
(of those, places with a free slot in this allocation) are recounted pair by pair with the plain-Python
reference `pair_failures`; then the round is re-solved with the hinted change for that student alone.
Either the student is placed, or the hint says honestly that it may not be enough (F == 0).
"""

from __future__ import annotations

from collections import Counter
from dataclasses import replace

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from solver_support import generate

import matcher.solver.instance as solver_instance
from matcher.domain.eligibility import BIT, Pairs, pair_failures, pair_masks
from matcher.domain.model import Relaxation, RoundInput, Solution, Wish
from matcher.domain.travel import travel_minutes
from matcher.domain.wording import relaxation_text
from matcher.solver import solve

#: The hinted change as a change of the student's own wish, where the wish can express it.
WISH_CHANGES = {
    "support": lambda w, r: replace(w, support_needs=()),
    "allowance": lambda w, r: replace(w, needs_allowance=False),
    "irregular_shifts": lambda w, r: replace(w, irregular_shifts_ok=True),
    "min_age": lambda w, r: replace(w, age_at_start=99),
    "travel_time": lambda w, r: replace(w, max_travel_minutes=w.max_travel_minutes + r.extra_minutes),
}


def _excluded(rnd: RoundInput, w: Wish) -> set[str]:
    mine = [e for e in rnd.exclusions if e.student_ref == w.student_ref]
    return {p.place_id for p in rnd.places
            if any(e.place_id == p.place_id or e.organisation_id == p.organisation_id for e in mine)}


def opened_places(rnd: RoundInput, w: Wish, r: Relaxation) -> list[str]:
    """The places relaxing `r.criterion` alone makes eligible for `w`, by the reference check."""
    excluded, out = _excluded(rnd, w), []
    for p in rnd.places:
        if pair_failures(w, p, p.place_id in excluded) != (r.criterion,):
            continue
        if r.criterion == "travel_time" and (
                travel_minutes(w.home, p.location, w.transport_mode) > w.max_travel_minutes + r.extra_minutes):
            continue
        if r.criterion == "programme" and p.sector != w.sector:
            continue  # the scan: the places of the student's sector (docs/matching.md section 7)
        out.append(p.place_id)
    return out


def resolve_with_pairs(rnd: RoundInput, ref: str, criterion: str, monkeypatch: pytest.MonkeyPatch) -> Solution:
    """Re-solve with `criterion` waived for student `ref` only (level, programme: no wish field expresses it)."""
    original = solver_instance.eligible_pairs

    def with_extra(rt) -> Pairs:
        pairs = original(rt)
        s = rt.students.refs.index(ref)
        places = np.arange(rt.places.n)
        mask, minutes = pair_masks(rt, np.full(rt.places.n, s), places)
        extra = (mask == BIT[criterion]) & (rt.places.sector[places] == rt.students.sector[s])
        student = np.concatenate([pairs.student, np.full(int(extra.sum()), s)])
        place = np.concatenate([pairs.place, places[extra]])
        order = np.argsort(student * rt.places.n + place, kind="stable")
        return Pairs(student[order], place[order], np.concatenate([pairs.minutes, minutes[extra]])[order])

    with monkeypatch.context() as m:
        m.setattr(solver_instance, "eligible_pairs", with_extra)
        return solve(rnd)


def check_student(rnd: RoundInput, sol: Solution, ref: str, monkeypatch: pytest.MonkeyPatch) -> None:
    e = next(x for x in sol.explanations if x.student_ref == ref)
    w = next(x for x in rnd.wishes if x.student_ref == ref)
    taken = Counter(a.place_id for a in sol.assignments)
    free = {p.place_id: p.effective_slots - taken[p.place_id] for p in rnd.places}
    for r in e.relaxations:
        opened = opened_places(rnd, w, r)
        assert r.places_opened == len(opened), (ref, r)
        assert r.places_with_free_slot == sum(free[p] > 0 for p in opened), (ref, r)
        if r.places_with_free_slot == 0:
            assert "may not be enough" in relaxation_text(r, "en")
            assert "misschien niet genoeg" in relaxation_text(r, "nl")
            continue
        assert "may not be enough" not in relaxation_text(r, "en")
        if r.criterion in WISH_CHANGES:
            changed = WISH_CHANGES[r.criterion](w, r)
            again = solve(replace(rnd, wishes=tuple(changed if x is w else x for x in rnd.wishes)))
        else:
            again = resolve_with_pairs(rnd, ref, r.criterion, monkeypatch)
        assert ref in again.placement_map(), (ref, r)


@settings(max_examples=25, deadline=None)
@given(n=st.integers(20, 120), seed=st.integers(0, 100_000), scarcity=st.sampled_from([0.3, 0.6, 0.8]),
       exclusions=st.sampled_from([0.0, 0.1]), pick=st.randoms(use_true_random=False))
def test_every_hint_counts_truly_and_helps_or_says_it_may_not(n, seed, scarcity, exclusions, pick) -> None:
    rnd = generate(n, seed, scarcity=scarcity, exclusion_share=exclusions)
    sol = solve(rnd)
    hinted = [e.student_ref for e in sol.explanations if e.relaxations]  # explanations of the placed have none
    lost = [e.student_ref for e in sol.explanations if e.relaxations and e.code == "ALL_TAKEN_UNDER_FAIR_SHARE"]
    with pytest.MonkeyPatch.context() as monkeypatch:
        for ref in sorted(set(pick.sample(hinted, min(3, len(hinted))) + lost[:1])):
            check_student(rnd, sol, ref, monkeypatch)
