"""Importing the recognition register and the equivalent-code table (issue 16.2), shared by the API and the
coordinator's page.

Like every import: read within the limits, check every row (the header's problems, each row's in every
column, then the rules over all rows), and only when the whole file is clean replace the region's data.
A refused file changes nothing. Nothing is published: the register is intake's own reference data.
Imports marshmallow, intake's commands, the row helpers and the tabular adapter; no Flask.
"""

from __future__ import annotations

from typing import Any, Callable, Sequence

from marshmallow import Schema

from ..adapters.tabular import read_table
from ..adapters.upload_limits import TableLimits
from ..commands import register
from ..commands.common import RowProblem
from ..ports import Deps
from ..errors import FileTooLarge, TableTooLarge, UnreadableFile
from .importing import ACCEPTED, EMPTY, OVER_LIMIT, REJECTED, TOO_LARGE, UNREADABLE, ImportResult, load_rows
from .planning_rows import EQUIVALENT_COLUMNS, REGISTER_COLUMNS, EquivalentRowIn, RegisterRowIn
from .rows import Column, RowError, column_of, header_problems

#: Checks the loaded rows over the whole file: (the value to store, the problems of refused rows).
Check = Callable[[list[tuple[int, dict[str, Any]]]], tuple[Any, list[RowProblem]]]


def import_reference(filename: str, content: bytes, limits: TableLimits, columns: Sequence[Column],
                     schema: Schema, check: Check, apply: Callable[[Any], None]) -> ImportResult:
    """Read, check every row, and `apply` the checked value only when the whole file is clean."""
    try:
        headers, cells = read_table(filename, content, limits)
    except FileTooLarge as err:
        return ImportResult(TOO_LARGE, problem=str(err))
    except TableTooLarge as err:
        if err.row is None:
            return ImportResult(OVER_LIMIT, problem=str(err))
        return ImportResult(REJECTED, errors=[RowError(err.row, err.column, str(err))])
    except UnreadableFile as err:
        return ImportResult(UNREADABLE, problem=str(err))
    mapped, header_errors = header_problems(headers, columns)
    rows, row_errors = load_rows(cells, mapped, columns, schema, ())
    if not rows and not row_errors and not header_errors:
        return ImportResult(EMPTY, problem="The file has no rows.")
    reported = {e.column for e in header_errors}
    errors = header_errors + [e for e in row_errors if e.column not in reported]
    value, rule_errors = check(rows)
    errors.extend(RowError(row, column_of(path, columns), msg) for row, path, msg in rule_errors)
    if errors:
        return ImportResult(REJECTED, len(cells), errors=sorted(errors, key=lambda e: e.row))
    apply(value)
    return ImportResult(ACCEPTED, len(rows))


def register_file(deps: Deps, limits: TableLimits, kind: str, region_id: str, filename: str,
                  content: bytes) -> ImportResult:
    """Import one of SBB's files for the region: `recognitions` (the register) or `equivalents` (the codes)."""
    if kind == "recognitions":
        return import_reference(filename, content, limits, REGISTER_COLUMNS, RegisterRowIn(),
                                register.check_register_rows,
                                lambda value: register.replace_recognitions(deps, region_id, value))
    return import_reference(filename, content, limits, EQUIVALENT_COLUMNS, EquivalentRowIn(),
                            register.check_equivalent_rows,
                            lambda value: register.replace_equivalents(deps, region_id, value))
