"""The fair matcher: `solve(round) -> Solution` (OR-tools min-cost flow) and solver-agnostic validation."""

from matcher.domain.model import RoundInput, Solution
from matcher.errors import ValidationFailure
from matcher.solver import fork
from matcher.solver.model import allocate, solve
from matcher.solver.prepare import checked_tables
from matcher.solver.validation import ValidationReport, assert_explained, validate

__all__ = ["solve", "solve_validated", "validate"]


def solve_validated(rnd: RoundInput, fairness: str = "none", workers: int = 1) -> tuple[Solution, ValidationReport]:
    """Check, solve and validate one round, building its canonical tables and eligible pairs once for
    solver and validator; `workers` processes check the round beside that build (`prepare.py`), solve
    components and run checks side by side.

    The allocation is certified while its explanations are written: with two workers the validator runs
    in a forked child (`fork.beside`) on the Solution without explanations, and they are checked here once
    written. A child that delivers nothing has its validation run here, as in one process.
    """
    tables, pairs = checked_tables(rnd, workers)
    allocation = allocate(rnd, tables, pairs, workers=workers)
    report, solution = fork.beside(
        lambda: validate(rnd, allocation.unexplained, fairness=fairness, tables=tables, pairs=pairs, workers=workers,
                         explained=False),
        allocation.explained, fork.workers_for(workers, pairs.n))
    try:
        assert_explained(rnd, solution)
    except ValidationFailure as err:
        return solution, report.with_problems(str(err))
    return solution, report
