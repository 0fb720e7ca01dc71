"""The production solver adapter's outcomes record who named places, and the summary's top shares use it."""

from __future__ import annotations

from dataclasses import replace

from matcher.adapters.ortools_solver import OrToolsRoundSolver
from matcher.rounds.compute import compute_round
from matcher.rounds.pool import Pool
from tests.fakes.matcher import PERIOD, REGION, place, wish


def test_named_places_come_from_the_wish_and_top_shares_count_only_those_students():
    named = replace(wish("stu-named"), top_places=["plc-1"])
    unnamed = replace(wish("stu-unnamed"), top_places=[])
    places = tuple(replace(place(pid), irregular_shifts=False) for pid in ("plc-1", "plc-2"))  # both fit both
    result = compute_round(Pool(REGION, PERIOD, None, (named, unnamed), places), 7, OrToolsRoundSolver(), "test")
    by_ref = {o.student_ref: o for o in result.outcomes}
    assert by_ref["stu-named"].named_places and not by_ref["stu-unnamed"].named_places
    assert [o.status for o in result.outcomes] == ["placed", "placed"]
    assert by_ref["stu-named"].wish_match == "top1"
    assert (result.summary.top1_share, result.summary.top3_share) == (1.0, 1.0)


def test_a_round_of_the_production_solver_carries_what_the_validator_certified():
    # three students of two schools, two slots: at most 2 placed, and then the worst-off school gets 1/2 at best
    wishes = (wish("stu-a1", "sch-a"), wish("stu-a2", "sch-a"), wish("stu-b1", "sch-b"))
    places = (replace(place("plc-1", 2), irregular_shifts=False),)
    summary = compute_round(Pool(REGION, PERIOD, None, wishes, places), 7, OrToolsRoundSolver(), "test").summary
    assert (summary.placed, summary.max_placeable) == (2, 2)
    assert summary.worst_school_rate == summary.fair_bound == 0.5


def test_a_pool_where_nobody_can_be_placed_is_certified_as_such_and_the_page_says_so_plainly():
    from matcher.entrypoints.page_figures import certificate

    wishes = (wish("stu-a1", "sch-a"), wish("stu-b1", "sch-b"))
    places = (place("plc-1", 2),)  # irregular shifts, which these students do not accept
    summary = compute_round(Pool(REGION, PERIOD, None, wishes, places), 7, OrToolsRoundSolver(), "test").summary
    assert (summary.placed, summary.max_placeable, summary.fair_bound) == (0, 0, 0.0)
    assert certificate(summary, "nl") == "Onafhankelijk nagerekend: geen enkele verdeling kan in deze ronde een student plaatsen."
    empty = compute_round(Pool(REGION, PERIOD, None, (), places), 7, OrToolsRoundSolver(), "test").summary
    assert (empty.max_placeable, empty.fair_bound, certificate(empty, "nl")) == (0, None, None)


def test_a_round_certifies_the_support_students_placed_against_the_most_placeable():
    # one slot offering the support, two students of one school: either placement gives the school 1/2, and
    # the scarce-options level places the student who needs the support (issue 17); the summary says how many
    # such students any allocation with these school totals could place, certified by the validator
    support = replace(wish("stu-support", support=True), top_places=[])
    other = replace(wish("stu-other"), top_places=["plc-1"])
    offers = replace(place("plc-1"), irregular_shifts=False, support_offered=["extra_begeleiding"])
    result = compute_round(Pool(REGION, PERIOD, None, (other, support), (offers,)), 7, OrToolsRoundSolver(), "test")
    by_ref = {o.student_ref: o for o in result.outcomes}
    assert (by_ref["stu-support"].status, by_ref["stu-other"].status) == ("placed", "unplaced")
    assert result.summary.support_placeable == 1
