"""Every student is explained: what was met, which wish was honoured, or why nothing, and what would help."""

from __future__ import annotations

from solver_support import km_east, place, round_of, wish

from matcher.domain.eligibility import CRITERIA
from matcher.domain.travel import travel_minutes
from matcher.domain.wording import describe
from matcher.solver import solve


def test_a_placed_student_sees_the_criteria_the_wish_rank_and_the_travel_time() -> None:
    rnd = round_of([wish("a", top_places=("B", "A"))], [place("A"), place("B", location=km_east(2))])
    e = solve(rnd).explanations[0]
    assert (e.code, e.place_id, e.wish_rank, e.criteria_met) == ("PLACED", "B", "top-1", CRITERIA)
    assert e.travel_minutes == travel_minutes(rnd.wishes[0].home, km_east(2), "bike")


def test_more_travel_time_is_suggested_in_steps_of_five_minutes() -> None:
    far = km_east(6)
    need = travel_minutes(wish("x").home, far, "bike")
    rnd = round_of([wish("a", max_travel_minutes=need - 12)], [place("A", location=far, slots=3)])
    e = solve(rnd).explanations[0]
    assert (e.code, e.binding_constraint) == ("NO_ELIGIBLE_PLACE", "travel_time")
    assert e.nearest_change.criterion == "travel_time"
    assert e.nearest_change.extra_minutes == 15
    assert (e.nearest_change.places_opened, e.nearest_change.places_with_free_slot) == (1, 1)
    assert "15 more minutes of travel opens 1 place (1 with a free slot)" in describe(e, "en")
    assert "15 minuten meer reistijd opent 1 plaats (1 met een vrije plek)" in describe(e)


def test_a_student_who_lost_out_under_fair_shares_is_told_so() -> None:
    rnd = round_of([wish("a"), wish("b")], [place("A"), place("B", offers_allowance=False, slots=0)])
    sol = solve(rnd)
    lost = next(e for e in sol.explanations if e.place_id is None)
    assert lost.code == "ALL_TAKEN_UNDER_FAIR_SHARE" and lost.eligible_places == 1
    assert lost.nearest_change is None  # no single relaxation opens a place with a free slot


def test_a_student_who_lost_out_is_shown_only_changes_that_reach_a_free_slot() -> None:
    # a (alone at S2) can only take A, c only C; b needs an allowance, which only A pays: fair shares give A to a
    rnd = round_of(
        [wish("a", crebo="25491", school_id="S2"), wish("b", needs_allowance=True), wish("c", crebo="25498")],
        [place("A", crebos=("25480", "25491")), place("B", offers_allowance=False),
         place("C", offers_allowance=False, crebos=("25480", "25498"))])
    sol = solve(rnd)
    assert sol.placement_map() == {"a": "A", "c": "C"}
    b = next(e for e in sol.explanations if e.student_ref == "b")
    assert b.code == "ALL_TAKEN_UNDER_FAIR_SHARE"
    # only B, which still has a free slot, counts: C would open too but is full, so it would not have helped
    assert (b.nearest_change.criterion, b.nearest_change.places_opened, b.nearest_change.places_with_free_slot) == (
        "allowance", 1, 1)


def test_explanations_never_contain_the_pseudonym_in_their_text() -> None:
    sol = solve(round_of([wish("secret-ref")], []))
    assert "secret-ref" not in describe(sol.explanations[0], "en")


def test_sentences_say_one_place_and_several_places() -> None:
    from matcher.domain.model import Explanation, Relaxation

    one = Explanation("stu-1", "ALL_TAKEN_UNDER_FAIR_SHARE", None, (), None, None, 1,
                      nearest_change=Relaxation("allowance", 1, 1))
    three = Explanation("stu-2", "ALL_TAKEN_UNDER_FAIR_SHARE", None, (), None, None, 3,
                        nearest_change=Relaxation("allowance", 4, 2))
    assert describe(one) == ("1 passende plaats, bezet bij een eerlijke verdeling over scholen. Zonder de eis "
                             "'stagevergoeding' komt 1 plaats vrij (1 met een vrije plek).")
    assert describe(three, "en") == ("3 eligible places, all taken under a fair share across schools. Without the "
                                     "'allowance' requirement 4 places open (2 with a free slot).")
