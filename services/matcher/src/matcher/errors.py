"""Domain exceptions of the matcher.

Only entrypoints translate these (HTTP status, DLQ, retry); handlers and the solver let them propagate.
Imports nothing from the project.
"""

from __future__ import annotations


class MatcherError(Exception):
    """Base class of every matcher domain error."""


class InconsistentInstance(MatcherError):
    """A round input that cannot be solved as given, naming the offending record.

    Attributes:
        record_type: "wish", "place", "exclusion", "fixed" or "round".
        record_id: the student_ref / place_id / round_id of the record.
        reason: what is wrong with it, in plain English.
    """

    def __init__(self, record_type: str, record_id: str, reason: str) -> None:
        self.record_type = record_type
        self.record_id = record_id
        self.reason = reason
        super().__init__(f"{record_type} {record_id!r}: {reason}")


class SolverFailure(MatcherError):
    """The flow solver returned a status other than OPTIMAL (a bug or a numeric limit, never bad input)."""

    def __init__(self, stage: str, status: str) -> None:
        self.stage = stage
        self.status = status
        super().__init__(f"min-cost flow {stage} ended with status {status}")


class ValidationFailure(MatcherError):
    """A solution failed one of the solver-agnostic checks in `matcher.solver.validation`."""

    def __init__(self, check: str, detail: str) -> None:
        self.check = check
        self.detail = detail
        super().__init__(f"{check}: {detail}")
