"""Intake's errors, all derived from `IntakeError`. Commands, the domain and the import readers raise them;
only entrypoints translate them (HTTP status, a row report, exit code).

Imports nothing from the project.
"""

from __future__ import annotations


class IntakeError(Exception):
    """Base of intake's errors."""


class NotFound(IntakeError):
    """The resource does not exist, or is not the caller's: both answer 404 alike."""


class Conflict(IntakeError):
    """The request contradicts the current state (e.g. a withdrawn wish is withdrawn again)."""


class InvalidInput(IntakeError):
    """Field-level problems found by a domain rule (answered 422 like a schema error).

    `messages` maps a field path to a list of English messages, the shape marshmallow uses.
    """

    def __init__(self, messages: dict):
        super().__init__(str(messages))
        self.messages = messages


class UnreadableFile(IntakeError):
    """The upload is not a CSV or XLSX file we can read, or it has too many rows."""


class CellError(IntakeError, ValueError):
    """A cell's text cannot become the column's type."""


class FileTooLarge(UnreadableFile):
    """The upload unpacks to more than allowed, or is packed like a zip bomb (answered 413)."""


class TableTooLarge(UnreadableFile):
    """The table breaks a limit: too many rows, cells in a row or characters in a cell (answered 422).

    `row` (1 is the header row) and `column` say where, when known.
    """

    def __init__(self, message: str, row: int | None = None, column: str = ""):
        super().__init__(message)
        self.row = row
        self.column = column


class WishesClosed(Conflict):
    """The period's wish deadline has passed: the student's top 3 can no longer change (issue 15.2)."""


class ChoicesClosed(Conflict):
    """The period's choice deadline has passed: a variant-2 student can no longer choose (issue 15.3)."""
