"""Every exception the matcher defines, under one base `MatcherError`.

Two families: the round errors of the service (`RoundError`: not found, conflict, a solver result the round
refuses) and the solver's errors (an inconsistent input, a flow that did not end OPTIMAL, a solution the
validator refused). Only entrypoints translate these (HTTP status, DLQ, retry); handlers and the solver let
them propagate, except `propose_round`, which turns any MatcherError into a failed round. Imports nothing
from the project.
"""

from __future__ import annotations


class MatcherError(Exception):
    """Base class of every matcher domain error."""


class RoundError(MatcherError):
    """A round the service cannot serve or compute as asked (the base of the service's round errors)."""


class RoundNotFound(RoundError):
    """No such round, or not visible to the caller (answered 404 either way)."""


class RoundConflict(RoundError):
    """The round is not in a state that allows the request (answered 409, with optional details)."""

    def __init__(self, message: str, details: dict[str, list] | None = None):
        super().__init__(message)
        self.details = details


class FastTrackInvalid(RoundError):
    """A fast-track request with bad fields (issue 20.3): nothing was published. `fields` maps each field to
    its messages (answered 422)."""

    def __init__(self, fields: dict[str, list[str]]):
        self.fields = fields
        super().__init__("; ".join(f"{name}: {' '.join(texts)}" for name, texts in fields.items()))


class BindingPlacementMoved(RoundError):
    """A round result that moves a binding placement (released and accepted, or still inside its answer
    window): never proposed, the round is marked failed with this reason (issue 14, 1.1)."""

    def __init__(self, moved: list[str]) -> None:
        self.moved = moved
        shown = ", ".join(moved[:5]) + (", ..." if len(moved) > 5 else "")
        super().__init__(f"the result moves {len(moved)} binding placement(s) (accepted, or released and still "
                         f"inside the answer window): {shown}")


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


class InvalidChoice(MatcherError):
    """A variant-2 student's choice the final round refuses (empty, repeated, or not an offered candidate):
    nothing is computed. `student_ref` names the student, `reason` the field message in plain English."""

    def __init__(self, student_ref: str, reason: str) -> None:
        self.student_ref = student_ref
        self.reason = reason
        super().__init__(f"choice of {student_ref}: {reason}")


class SolverLimit(MatcherError, OverflowError):
    """A component too large for the solver's exact integer costs (a numeric limit, never bad input)."""


class StudentNamesUnavailable(MatcherError):
    """Intake cannot give the review page its students' names now (down, refused, or not configured): the
    page says so and shows the rows without names."""


class ScenarioError(MatcherError):
    """A what-if scenario the service cannot serve as asked (issue 16.4)."""


class ScenarioNotFound(ScenarioError):
    """No such scenario, or one of another region (answered 404 either way)."""


class ScenarioInvalid(ScenarioError):
    """A scenario request or edit with bad fields: nothing was changed. `fields` maps each field to its
    messages as (Dutch, English) pairs."""

    def __init__(self, fields: dict[str, list[tuple[str, str]]]):
        self.fields = fields
        super().__init__("; ".join(f"{name}: {en}" for name, texts in fields.items() for _, en in texts))


class ScenarioBusy(ScenarioError):
    """The scenario is queued or running: it cannot be edited or started again until the run ends."""
