"""Reporting's domain errors; only entrypoints translate them (HTTP status, dead letter).

Imports nothing from the project.
"""


class ReportingError(Exception):
    """Base of reporting's errors."""


class NotFound(ReportingError):
    """The thing does not exist, or the caller may not know that it exists (answered 404)."""


class IncompleteReport(ReportingError):
    """A desk report lacks its required minimum; `fields` maps field name -> messages."""

    def __init__(self, fields: dict[str, list[str]]):
        super().__init__("the report is incomplete")
        self.fields = fields


class InvalidTransition(ReportingError):
    """A desk case cannot move from its status to the asked one."""

    def __init__(self, current: str, wanted: str):
        super().__init__(f"a case in status {current} cannot move to {wanted}")
        self.current = current
        self.wanted = wanted


class Forbidden(ReportingError):
    """The caller may not act on this placement (answered 404, never revealing that it exists)."""


class InvalidInput(ReportingError):
    """A command's input breaks a rule of the domain; `fields` maps field name -> message codes (answered 422)."""

    def __init__(self, fields: dict[str, list[str]]):
        super().__init__("the input is not valid")
        self.fields = fields


class IntakeUnavailable(ReportingError):
    """Intake could not answer a look-up (unreachable, not configured, or an unexpected answer)."""


class InvalidThreshold(ReportingError):
    """The board's warning threshold is not a whole number from 1 to 10,000 (issue 16.3)."""
