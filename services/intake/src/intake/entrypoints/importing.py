"""Checking and importing one uploaded file of wishes or places, shared by the API and the pages.

All or nothing: every row is validated first; only when all are valid are the events published (one
publish_all, one wait for acks) and then the records stored. A rejected file gets every problem in one pass:
the header's, and every row's in every column (issue 14.14). Reading and checking a large file can take
longer than the request deadline, so the publish of an import gets the publisher's own timeout, counted
from the moment the rows are checked. `check_file` (read and check, nothing written) serves every import,
the register's too (planning_import). Imports marshmallow, intake's commands, the row helpers and the tabular
adapter; no Flask.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, Callable, Sequence

from marshmallow import Schema, ValidationError

from stagepool_shared import deadline

from .. import commands
from ..adapters.tabular import read_table
from ..adapters.upload_limits import TableLimits
from ..errors import FileTooLarge, TableTooLarge, UnreadableFile
from ..ports import Deps
from .rows import Column, RowError, column_of, flatten, header_problems, row_to_data
from .web import load

#: What checks the loaded rows of a whole file: the value to commit (a prepared batch of events, or reference
#: data to store) and the problems of the refused rows.
Check = Callable[[list[tuple[int, dict[str, Any]]]], tuple[Any, list[commands.RowProblem]]]
UNREADABLE = "unreadable"
TOO_LARGE = "too_large"
OVER_LIMIT = "over_limit"
EMPTY = "empty"
REJECTED = "rejected"
ACCEPTED = "accepted"


@dataclass
class ImportResult:
    """What became of one file: accepted (with its event ids), rejected (with row errors) or unusable.

    Unusable: unreadable, too large (unpacks to too much: 413) or over a limit found before its rows were known
    (`problem` says why); a limit found at a row (too many rows, cells or characters) is a rejected row.
    """

    outcome: str
    rows: int = 0
    event_ids: list[str] = field(default_factory=list)
    errors: list[RowError] = field(default_factory=list)
    problem: str = ""


def import_file(deps: Deps, filename: str, content: bytes, limits: TableLimits, columns: Sequence[Column],
                schema: Schema, criteria_keys: tuple[str, ...], check: Check) -> ImportResult:
    """Read within `limits`, validate every row, and publish + store only when all rows are valid."""
    result, prepared = check_file(filename, content, limits, columns, schema, criteria_keys, check)
    if result.outcome != ACCEPTED:
        return result
    with deadline.lifted():
        envelopes = commands.commit(deps, prepared)
    return ImportResult(ACCEPTED, len(envelopes), event_ids=[e.event_id for e in envelopes])


def check_file(filename: str, content: bytes, limits: TableLimits, columns: Sequence[Column], schema: Schema,
               criteria_keys: tuple[str, ...], check: Check) -> tuple[ImportResult, Any]:
    """Read within `limits` and check every row; nothing is published or stored here.

    Returns:
        (an accepted result with the number of rows, the value `check` made of them) for a clean file;
        (the refusal, None) for any other.
    """
    try:
        headers, cells = read_table(filename, content, limits)
    except FileTooLarge as err:
        return ImportResult(TOO_LARGE, problem=str(err)), None
    except TableTooLarge as err:
        if err.row is None:
            return ImportResult(OVER_LIMIT, problem=str(err)), None
        return ImportResult(REJECTED, errors=[RowError(err.row, err.column, str(err))]), None
    except UnreadableFile as err:
        return ImportResult(UNREADABLE, problem=str(err)), None
    mapped, header_errors = header_problems(headers, columns)
    rows, row_errors = load_rows(cells, mapped, columns, schema, criteria_keys)
    if not rows and not row_errors and not header_errors:
        return ImportResult(EMPTY, problem="The file has no rows."), None
    reported = {e.column for e in header_errors}  # a missing column is told once, at the header, not per row
    errors = header_errors + [e for e in row_errors if e.column not in reported]
    value, rule_errors = check(rows)
    errors.extend(RowError(row, column_of(path, columns), msg) for row, path, msg in rule_errors)
    if errors:
        return ImportResult(REJECTED, len(cells), errors=sorted(errors, key=lambda e: e.row)), None
    return ImportResult(ACCEPTED, len(rows)), value


def load_rows(cells: list[list[str]], mapped: Sequence[Column | None], columns: Sequence[Column],
              schema: Schema, criteria_keys: tuple[str, ...]) -> tuple[list[tuple[int, dict]], list[RowError]]:
    """Each non-empty row as loaded input (row 1 is the header), or its errors by column."""
    rows: list[tuple[int, dict]] = []
    errors: list[RowError] = []
    for number, cellrow in enumerate(cells, start=2):
        if not any(c.strip() for c in cellrow):
            continue
        if len(cellrow) > len(mapped):
            errors.append(RowError(number, "", "The row has more cells than the header."))
            continue
        data, cell_errors = row_to_data(cellrow, mapped)
        errors.extend(RowError(number, col, msg) for col, msg in cell_errors.items())
        try:
            loaded = load(schema, data, criteria_keys=criteria_keys)
        except ValidationError as err:  # every column's problem at once, not only the first cell's (issue 14.14)
            errors.extend(RowError(number, column, m) for column, m in
                          ((column_of(p, columns), m) for p, m in flatten(err.messages)) if column not in cell_errors)
            continue
        if not cell_errors:
            rows.append((number, loaded))
    return rows, errors
