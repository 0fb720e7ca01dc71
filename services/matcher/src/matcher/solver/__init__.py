"""The fair matcher: `solve(round) -> Solution` (OR-tools min-cost flow) and solver-agnostic validation."""

from typing import Callable

from matcher.domain.model import RoundInput, Solution
from matcher.errors import ValidationFailure
from matcher.solver import fork
from matcher.solver.model import allocate, solve
from matcher.solver.prepare import checked_tables
from matcher.solver.validation import ValidationReport, assert_explained, validate

__all__ = ["solve", "solve_validated", "solve_validating", "validate"]


def solve_validated(rnd: RoundInput, fairness: str = "none", workers: int = 1) -> tuple[Solution, ValidationReport]:
    """Check, solve and validate one round, building its canonical tables and eligible pairs once for
    solver and validator; `workers` processes check the round beside that build (`prepare.py`), solve
    components and run checks side by side. The allocation is certified while its explanations are written
    (`solve_validating`)."""
    solution, report = solve_validating(rnd, fairness, workers)
    return solution, report()


def solve_validating(rnd: RoundInput, fairness: str = "none",
                     workers: int = 1) -> tuple[Solution, Callable[[], ValidationReport]]:
    """`solve_validated`, handing the solution back before its validation has ended: (solution, report), where
    `report()` waits for the validation. The caller must call it, also on its own errors (it reaps the child).

    With two workers the validator runs in a forked child (`fork.Pending`) on the Solution without
    explanations, from the moment it is allocated: meanwhile this process writes the explanations and checks
    them (`assert_explained`), and the caller can go on with what it makes of the solution (the service: the
    round's outcomes, hashes and summary). A child that delivers nothing has its validation run here, as in one
    process.
    """
    tables, pairs = checked_tables(rnd, workers)
    allocation = allocate(rnd, tables, pairs, workers=workers)
    validation = fork.Pending(
        lambda: validate(rnd, allocation.unexplained, fairness=fairness, tables=tables, pairs=pairs, workers=workers,
                         explained=False),
        fork.workers_for(workers, pairs.n))
    try:
        solution = allocation.explained()
        unexplained = _unexplained(rnd, solution)
    except BaseException:  # an error here leaves no child behind
        validation.stop()
        raise

    def report() -> ValidationReport:
        validated = validation.result()
        return validated if unexplained is None else validated.with_problems(unexplained)

    return solution, report


def _unexplained(rnd: RoundInput, solution: Solution) -> str | None:
    """What `assert_explained` finds wrong with the solution's explanations, None when nothing."""
    try:
        assert_explained(rnd, solution)
    except ValidationFailure as err:
        return str(err)
    return None
