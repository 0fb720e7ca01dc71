"""Blind matching as a property: pseudonyms, record order and attributes that are not criteria change no placement.

Students whose criteria profiles are identical are interchangeable for the rule; between them only the
seeded lottery on the pseudonym decides. So placements are compared per criteria profile (a multiset
of places per profile), which is exact whenever profiles are distinct, as they almost always are.
"""

from __future__ import annotations

from collections import Counter
from dataclasses import replace

from hypothesis import given, settings
from hypothesis import strategies as st
from solver_support import generate

from matcher.domain.lottery import student_profiles
from matcher.domain.model import RoundInput
from matcher.solver import solve


def placements_by_profile(rnd: RoundInput) -> Counter:
    profiles = student_profiles(rnd.wishes, rnd.exclusions, rnd.fixed)
    placed = solve(rnd).placement_map()
    return Counter((profiles[w.student_ref], placed.get(w.student_ref)) for w in rnd.wishes)


@st.composite
def variants(draw):
    """A generated round and a blind-equivalent variant of it."""
    rnd = generate(draw(st.integers(8, 60)), draw(st.integers(0, 10_000)), exclusion_share=0.2)
    refs = [w.student_ref for w in rnd.wishes]
    new = draw(st.lists(st.text("abcdefghijklmnopqrstuvwxyz0123456789", min_size=6, max_size=10),
                        min_size=len(refs), max_size=len(refs), unique=True))
    names = dict(zip(refs, new))
    wishes = [replace(w, student_ref=names[w.student_ref], study_year=draw(st.integers(1, 4)),
                      pathway=draw(st.sampled_from(["bol", "bbl"])), home=replace(w.home, pc4=draw(st.sampled_from(["1000", "9999"]))))
              for w in rnd.wishes]
    places = [replace(p, location=replace(p.location, pc4="0000")) for p in rnd.places]
    exclusions = [replace(e, student_ref=names.get(e.student_ref, e.student_ref)) for e in rnd.exclusions]
    variant = replace(rnd, wishes=tuple(draw(st.permutations(wishes))), places=tuple(draw(st.permutations(places))),
                      exclusions=tuple(draw(st.permutations(exclusions))))
    return rnd, variant, names


@settings(max_examples=100, deadline=None)
@given(variants())
def test_renaming_reordering_and_non_criteria_change_no_placement(case) -> None:
    rnd, variant, names = case
    base = solve(rnd).placement_map()
    other = solve(variant).placement_map()
    profiles = student_profiles(rnd.wishes, rnd.exclusions, rnd.fixed)
    if len(set(profiles.values())) == len(profiles):
        assert {names[r]: p for r, p in base.items()} == other
    else:  # identical profiles may swap places among themselves: compare per profile
        back = {v: k for k, v in names.items()}
        original_names = replace(variant, wishes=tuple(replace(w, student_ref=back[w.student_ref]) for w in variant.wishes),
                                 exclusions=rnd.exclusions)
        assert placements_by_profile(rnd) == placements_by_profile(original_names)


def test_identical_students_share_the_outcome_multiset_whatever_their_names() -> None:
    from solver_support import place, round_of, wish

    rnd = round_of([wish("a"), wish("b"), wish("c")], [place("A"), place("B")])
    renamed = round_of([wish("zz"), wish("yy"), wish("xx")], [place("B"), place("A")])
    assert sorted(solve(rnd).placement_map().values()) == sorted(solve(renamed).placement_map().values()) == ["A", "B"]
