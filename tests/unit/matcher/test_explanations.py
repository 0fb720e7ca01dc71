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


def test_a_student_who_lost_out_is_told_every_place_a_change_opens_and_those_with_a_free_slot() -> None:
    # a (alone at S2) can only take A, c only C; b needs an allowance, which only A pays: fair shares give A to a
    rnd = round_of(
        [wish("a", crebo="25491", school_id="S2"), wish("b", needs_allowance=True), wish("c", crebo="25498")],
        [place("A", crebos=("25480", "25491")), place("B", offers_allowance=False),
         place("C", offers_allowance=False, crebos=("25480", "25498"))])
    sol = solve(rnd)
    assert sol.placement_map() == {"a": "A", "c": "C"}
    b = next(e for e in sol.explanations if e.student_ref == "b")
    assert b.code == "ALL_TAKEN_UNDER_FAIR_SHARE"
    # issue 17: B and C both open without the allowance requirement; only B still has a free slot
    assert (b.nearest_change.criterion, b.nearest_change.places_opened, b.nearest_change.places_with_free_slot) == (
        "allowance", 2, 1)
    assert "Without the 'allowance' requirement 2 places open (1 with a free slot)." in describe(b, "en")


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


def test_a_student_who_lost_out_is_told_every_place_a_change_opens_not_only_the_free_ones() -> None:
    # issue 17: a and b share A; four places lie 10-15 minutes beyond their reach, three of them taken by
    # n0-n2, so 15 more minutes opens 4 places of which 1 has a free slot (it was reported as 1 of 1)
    far = [km_east(6 + k * 0.1) for k in range(4)]
    need = max(travel_minutes(wish("x").home, loc, "bike") for loc in far)
    near = [wish("a", school_id="S2", max_travel_minutes=need - 8), wish("b", max_travel_minutes=need - 8)]
    reach = [wish(f"n{k}", max_travel_minutes=need + 5) for k in range(3)]
    rnd = round_of(near + reach, [place("A")] + [place(f"F{k}", location=loc) for k, loc in enumerate(far)])
    lost = next(e for e in solve(rnd).explanations if e.place_id is None)
    assert lost.code == "ALL_TAKEN_UNDER_FAIR_SHARE"
    travel = next(r for r in lost.relaxations if r.criterion == "travel_time")
    assert (travel.places_opened, travel.places_with_free_slot) == (4, 1)


def test_a_change_that_opens_only_full_places_says_it_may_not_be_enough() -> None:
    from matcher.domain.model import Explanation, Relaxation
    from matcher.domain.wording import relaxation_text

    full = Relaxation("allowance", 3, 0)
    assert relaxation_text(full, "en") == ("without the 'allowance' requirement 3 places open (none with a free "
                                           "slot, so this may not be enough)")
    assert relaxation_text(full) == ("zonder de eis 'stagevergoeding' komen 3 plaatsen vrij (geen met een vrije "
                                     "plek, dus dit is misschien niet genoeg)")
    assert relaxation_text(Relaxation("travel_time", 1, 0, 10), "en") == (
        "10 more minutes of travel opens 1 place (none with a free slot, so this may not be enough)")
    e = Explanation("stu-3", "ALL_TAKEN_UNDER_FAIR_SHARE", None, (), None, None, 2, relaxations=(full,))
    assert describe(e, "en") == "2 eligible places, all taken under a fair share across schools."
