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


class _Pending(OrToolsRoundSolver):
    """The production solver whose certificate is asked later (`Solved.pending`); `refuse` makes it refuse,
    `lose` drops the last outcome (the round's own check then refuses the result too)."""

    def __init__(self, refuse=False, lose=False):
        super().__init__()
        self.refuse, self.lose, self.asked = refuse, lose, 0

    def solve(self, pool, seed):
        from matcher.errors import ValidationFailure

        done = super().solve(pool, seed).certified()

        def certificate():
            self.asked += 1
            if self.refuse:
                raise ValidationFailure("max_placements", "refused for the test")
            return done

        return replace(done, outcomes=done.outcomes[:-1] if self.lose else done.outcomes, pending=certificate,
                       max_placeable=None, fair_bound=None)


def test_a_certificate_still_pending_is_awaited_once_and_its_figures_are_the_rounds():
    wishes = (wish("stu-a1", "sch-a"), wish("stu-a2", "sch-a"), wish("stu-b1", "sch-b"))
    pool = Pool(REGION, PERIOD, None, wishes, (replace(place("plc-1", 2), irregular_shifts=False),))
    solver = _Pending()
    summary = compute_round(pool, 7, solver, "test").summary
    assert solver.asked == 1 and (summary.max_placeable, summary.fair_bound) == (2, 0.5)


def test_a_refused_certificate_is_the_rounds_error_before_its_own_check():
    import pytest

    from matcher.errors import RoundError, ValidationFailure

    pool = Pool(REGION, PERIOD, None, (wish("stu-a1"), wish("stu-a2")), (place("plc-1"),))
    with pytest.raises(RoundError, match="one outcome per student"):
        compute_round(pool, 7, _Pending(lose=True), "test")
    for lose in (False, True):
        solver = _Pending(refuse=True, lose=lose)
        with pytest.raises(ValidationFailure, match="refused for the test"):
            compute_round(pool, 7, solver, "test")
        assert solver.asked == 1


def test_a_round_with_the_validator_in_a_child_is_the_round_of_one_process(monkeypatch):
    from bench.matcher_service import make_region
    from matcher.solver import fork

    region, period, wishes, places, exclusions = make_region(3000)
    pool = Pool(region, period, None, tuple(wishes), tuple(places), exclusions=exclusions)
    one = compute_round(pool, 7, OrToolsRoundSolver(workers=1), "test")
    started, real = [], fork.Pending.__init__

    def noted(self, fn, workers):
        real(self, fn, workers)
        started.append((self, self._child is not None))

    monkeypatch.setattr(fork.Pending, "__init__", noted)
    two = compute_round(pool, 7, OrToolsRoundSolver(workers=2), "test")
    assert two == one and one.summary.max_placeable == one.summary.placed > 0
    # the check beside the tables and the validation: both forked, both reaped
    assert [(forked, p._child) for p, forked in started] == [(True, None)] * 2
