"""The fair matcher: `solve(round) -> Solution` (OR-tools min-cost flow) and solver-agnostic validation."""

from matcher.domain.consistency import check_round
from matcher.domain.model import RoundInput, Solution
from matcher.domain.tables import build_tables
from matcher.solver.model import solve
from matcher.solver.validation import ValidationReport, validate

__all__ = ["solve", "solve_validated", "validate"]


def solve_validated(rnd: RoundInput, fairness: str = "none") -> tuple[Solution, ValidationReport]:
    """Check, solve and validate one round, building its canonical tables once for solver and validator."""
    check_round(rnd)
    tables = build_tables(rnd)
    solution = solve(rnd, tables)
    return solution, validate(rnd, solution, fairness=fairness, tables=tables)
