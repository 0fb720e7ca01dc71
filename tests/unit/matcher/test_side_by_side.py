"""Components and validator parts worked on side by side in forked processes (`solver/fork.py`): real forks,
the same solution and report as in one process, and a lost child costs time, never a round."""

from __future__ import annotations

import os

import pytest

from bench.generator import generate
from matcher.domain import eligibility
from matcher.domain.tables import build_tables
from matcher.solver import fork, prepare, solve, solve_validated, validate
from matcher.solver.components import components
from matcher.solver.instance import build_instance


@pytest.fixture(scope="module")
def region():
    rnd = generate(3000, 5)  # with reserved slots (the release bound) and several components
    tables = build_tables(rnd)
    return rnd, tables, eligibility.eligible_pairs(tables)


@pytest.fixture
def fork_always(monkeypatch):
    """Every round worth forking; counts the children forked."""
    monkeypatch.setattr(fork, "WORTH_FORKING", 0)
    forked = []
    real = fork._Child.__init__

    def counted(self, fn):
        forked.append(self)
        real(self, fn)

    monkeypatch.setattr(fork._Child, "__init__", counted)
    return forked


def test_deal_gives_every_item_once_the_heaviest_first_to_the_lightest_share() -> None:
    shares = fork.deal([5, 9, 1, 7, 3], workers=2)
    assert sorted(i for share in shares for i in share) == [0, 1, 2, 3, 4]
    assert shares == [[1, 2, 4], [0, 3]]  # 9 | 7; 5 to the 7, 3 to the 9, 1 to the first of 12 | 12
    assert fork.deal([4, 4], workers=3) == [[0], [1]]  # no empty share
    assert fork.deal([], workers=2) == []


def test_a_child_works_on_a_share_and_the_results_come_back_in_the_items_order(caplog) -> None:
    parent = os.getpid()
    results = fork.map_side_by_side(lambda share: [(item, os.getpid()) for item in share], list(range(6)), 2,
                                    weight=lambda item: 1)
    assert [item for item, _ in results] == list(range(6))
    pids = {pid for _, pid in results}
    assert parent in pids and len(pids) == 2  # one share here, one in a forked child
    assert "delivered nothing" not in caplog.text


def test_a_share_whose_child_dies_is_worked_on_here_and_said_in_the_log(caplog) -> None:
    parent = os.getpid()

    def work(share):
        if os.getpid() != parent:
            os._exit(9)  # as a child killed for memory would end: no result
        return [item * 10 for item in share]

    assert fork.map_side_by_side(work, [1, 2, 3, 4], 2, weight=lambda item: 1) == [10, 20, 30, 40]
    assert "a solver child delivered nothing" in caplog.text


def test_a_share_that_cannot_be_forked_is_worked_on_here(monkeypatch, caplog) -> None:
    def no_fork():
        raise OSError(12, "Cannot allocate memory")

    monkeypatch.setattr(fork.os, "fork", no_fork)
    assert fork.map_side_by_side(lambda share: [os.getpid()] * len(share), [1, 2, 3], 2,
                                 weight=lambda item: 1) == [os.getpid()] * 3
    assert "no solver child could be forked" in caplog.text


@pytest.mark.parametrize("failing", [3, 4])  # in this process's share, in the child's
def test_an_exception_in_a_share_is_raised_here_as_in_one_process_and_leaves_no_child(failing, fork_always) -> None:
    def work(share):
        if failing in share:
            raise ValueError(f"part {failing}")
        return share

    assert fork.deal([1, 1, 1, 1], 2) == [[0, 2], [1, 3]]  # items 1 and 3 here, 2 and 4 in the child
    with pytest.raises(ValueError, match=f"part {failing}"):
        fork.map_side_by_side(work, [1, 2, 3, 4], 2, weight=lambda item: 1)
    assert len(fork_always) == 1
    child = fork_always[0]
    assert not os.path.exists(f"/proc/{child.pid}")  # killed or ended, and reaped: no zombie, no blocked writer


def test_small_rounds_stay_in_one_process() -> None:
    assert fork.workers_for(2, fork.WORTH_FORKING - 1) == 1
    assert fork.workers_for(2, fork.WORTH_FORKING) == 2
    assert fork.workers_for(1, 10 * fork.WORTH_FORKING) == 1


def test_the_solve_side_by_side_gives_the_solution_of_one_process(region, fork_always) -> None:
    rnd, tables, pairs = region
    assert len(components(build_instance(tables, pairs))) > 2  # several shares to deal
    one = solve(rnd, tables, pairs, workers=1)
    two = solve(rnd, tables, pairs, workers=2)
    assert len(fork_always) == 1  # one child solved the second share
    assert two == one
    assert two.explanations == one.explanations and two.stats == one.stats


def test_the_validation_side_by_side_gives_the_report_of_one_process(region, fork_always) -> None:
    rnd, tables, pairs = region
    solution = solve(rnd, tables, pairs)
    one = validate(rnd, solution, fairness="bound", tables=tables, pairs=pairs, workers=1)
    two = validate(rnd, solution, fairness="bound", tables=tables, pairs=pairs, workers=2)
    assert len(fork_always) == 1  # the scarce-options check's second share of parts
    assert one.ok and two == one
    assert solve_validated(rnd, fairness="bound", workers=2) == (solution, one)


def test_the_release_bound_side_by_side_gives_the_one_process_bound_per_part(region, fork_always) -> None:
    from matcher.domain.reservations import released_by_place
    from matcher.solver import fair_bound, release_bound

    rnd, tables, pairs = region
    assert any(p.reserved for p in rnd.places)
    solution = solve(rnd, tables, pairs)
    released = sum(released_by_place(rnd, solution.placement_map()).values())
    refs = [fair_bound.reference(rnd, tables, pairs, workers) for workers in (1, 2)]
    verdicts = [release_bound.certified_by_bound(ref, len(solution.assignments), released) for ref in refs]
    assert len(fork_always) == 1 and verdicts[0] == verdicts[1]
    bounds = [{k: v for k, v in ref.cache.items() if k[0] == "release"} for ref in refs]
    assert bounds[0] == bounds[1] and (bounds[0] or not verdicts[0])


def test_a_broken_solution_fails_the_validation_side_by_side_too(region, fork_always) -> None:
    rnd, tables, pairs = region
    solution = solve(rnd, tables, pairs)
    fewer = type(solution)(solution.round_id, solution.seed, solution.assignments[1:], solution.explanations,
                           solution.shares, solution.penalties, solution.stats)
    report = validate(rnd, fewer, fairness="bound", tables=tables, pairs=pairs, workers=2)
    assert not report.ok and any("max_placements" in p for p in report.problems)


def test_variant_2_s_candidates_round_side_by_side_is_the_one_process_round(region, fork_always) -> None:
    from matcher.solver.variant2_round import candidates_validated

    rnd = region[0]
    k_of = {w.student_ref: 3 for w in rnd.wishes[:200]}
    one = candidates_validated(rnd, k_of, workers=1)
    assert not fork_always
    two = candidates_validated(rnd, k_of, workers=2)
    assert fork_always and two == one and one[1].ok and one[2]


def test_the_check_beside_the_tables_gives_the_tables_and_pairs_of_one_process(region, fork_always) -> None:
    rnd, tables, pairs = region
    assert len(rnd.wishes) >= prepare.CHECK_BESIDE_FROM
    beside_tables, beside_pairs = prepare.checked_tables(rnd, workers=2)
    assert len(fork_always) == 1
    assert beside_tables.students.refs == tables.students.refs and beside_tables.places.ids == tables.places.ids
    for column in ("student", "place", "minutes"):
        assert (getattr(beside_pairs, column) == getattr(pairs, column)).all()


@pytest.mark.parametrize("workers", [1, 2])
def test_a_refused_round_gets_the_check_s_refusal_first_beside_the_tables_too(region, fork_always, workers) -> None:
    from dataclasses import replace

    from matcher.errors import InconsistentInstance

    rnd = region[0]
    bad = replace(rnd.wishes[7], transport_mode="hovercraft")  # the tables alone would fail on it (ValueError)
    rnd = replace(rnd, wishes=rnd.wishes[:7] + (bad,) + rnd.wishes[8:])
    with pytest.raises(ValueError):
        build_tables(rnd)
    with pytest.raises(InconsistentInstance) as refused:
        prepare.checked_tables(rnd, workers=workers)
    assert refused.value.record_type == "wish" and refused.value.record_id == bad.student_ref
    assert "hovercraft" in refused.value.reason
    assert len(fork_always) == (1 if workers == 2 else 0)


def test_the_validation_beside_the_explanations_gives_the_solution_and_report_of_one_process(region,
                                                                                              fork_always) -> None:
    rnd = region[0]
    one = solve_validated(rnd, fairness="bound", workers=1)
    assert not fork_always
    two = solve_validated(rnd, fairness="bound", workers=2)
    assert len(fork_always) == 3  # the check beside the tables, the second share of components, the validation
    assert two == one and two[0].explanations == one[0].explanations and one[1].ok


@pytest.mark.parametrize("workers", [1, 2])
def test_an_explanation_that_does_not_match_is_a_problem_with_the_validation_beside_too(region, fork_always,
                                                                                         monkeypatch, workers) -> None:
    from dataclasses import replace

    from matcher.solver import model

    real = model.Allocation.explained
    monkeypatch.setattr(model.Allocation, "explained", lambda self: replace(real(self),
                                                                            explanations=real(self).explanations[1:]))
    solution, report = solve_validated(region[0], fairness="bound", workers=workers)
    assert report.problems == ("explained: not exactly one explanation per student",)
    assert report.max_flow == len(solution.assignments)  # the allocation itself was certified


def test_a_validation_whose_child_dies_is_run_here(region, fork_always, monkeypatch, caplog) -> None:
    from matcher import solver

    parent, real = os.getpid(), solver.validate

    def validate_here_only(*args, **kwargs):
        if os.getpid() != parent:
            os._exit(9)  # as a child killed for memory would end: no result
        return real(*args, **kwargs)

    monkeypatch.setattr(solver, "validate", validate_here_only)
    solution, report = solve_validated(region[0], fairness="bound", workers=2)
    assert report.ok and report.max_flow == len(solution.assignments)
    assert "a solver child delivered nothing" in caplog.text


def test_a_pending_job_runs_in_a_child_while_this_process_goes_on_and_a_stopped_one_leaves_no_child() -> None:
    parent = os.getpid()
    pending = fork.Pending(lambda: os.getpid(), workers=2)
    meanwhile = os.getpid()  # this process goes on before the result is asked
    assert pending.result() not in (parent, None) and meanwhile == parent
    assert fork.Pending(lambda: os.getpid(), workers=1).result() == parent  # one worker: at once, here
    stopped = fork.Pending(lambda: os.getpid(), workers=2)
    child = stopped._child.pid
    stopped.stop()
    with pytest.raises(ChildProcessError):  # killed and reaped: no zombie left to wait for
        os.waitpid(child, os.WNOHANG)


def test_solve_validating_hands_the_solution_back_while_the_validator_works_and_reports_as_one_process(
        region, fork_always) -> None:
    from matcher.solver import solve_validating

    one = solve_validated(region[0], fairness="bound", workers=1)
    solution, report = solve_validating(region[0], fairness="bound", workers=2)
    validating = [child for child in fork_always if not child._waited]
    assert len(validating) == 1  # the validator is still a child of its own when the solution is back
    assert (solution, report()) == one and validating[0]._waited
