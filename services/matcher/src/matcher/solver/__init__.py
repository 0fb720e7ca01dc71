"""The fair matcher: `solve(round) -> Solution` (OR-tools min-cost flow) and solver-agnostic validation."""

from matcher.solver.model import solve
from matcher.solver.validation import validate

__all__ = ["solve", "validate"]
