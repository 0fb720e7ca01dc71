"""The fair matcher: `solve(round) -> Solution` (OR-tools min-cost flow) and solver-agnostic validation."""

from matcher.domain.consistency import check_round
from matcher.domain.eligibility import eligible_pairs
from matcher.domain.model import RoundInput, Solution
from matcher.domain.tables import build_tables
from matcher.solver.model import solve
from matcher.solver.validation import ValidationReport, validate

__all__ = ["solve", "solve_validated", "validate"]


def solve_validated(rnd: RoundInput, fairness: str = "none", workers: int = 1) -> tuple[Solution, ValidationReport]:
    """Check, solve and validate one round, building its canonical tables and eligible pairs once for
    solver and validator; `workers` processes solve components and run checks side by side."""
    check_round(rnd)
    tables = build_tables(rnd)
    pairs = eligible_pairs(tables)
    solution = solve(rnd, tables, pairs, workers=workers)
    return solution, validate(rnd, solution, fairness=fairness, tables=tables, pairs=pairs, workers=workers)
