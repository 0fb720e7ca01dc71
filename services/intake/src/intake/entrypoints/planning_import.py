"""Importing the recognition register and the equivalent-code table (issue 16.2), shared by the API and the
coordinator's page.

Like every import: read within the limits, check every row (the header's problems, each row's in every
column, then the rules over all rows), and only when the whole file is clean replace the region's data.
A refused file changes nothing. Nothing is published: the register is intake's own reference data.
Imports marshmallow, intake's register commands and the file check of `importing`; no Flask.
"""

from __future__ import annotations

from typing import Any, Callable, Sequence

from marshmallow import Schema

from ..adapters.upload_limits import TableLimits
from ..commands import register
from ..ports import Deps
from .importing import ACCEPTED, Check, ImportResult, check_file
from .planning_rows import EQUIVALENT_COLUMNS, REGISTER_COLUMNS, EquivalentRowIn, RegisterRowIn
from .rows import Column


def import_reference(filename: str, content: bytes, limits: TableLimits, columns: Sequence[Column],
                     schema: Schema, check: Check, apply: Callable[[Any], None]) -> ImportResult:
    """Read, check every row, and `apply` the checked value only when the whole file is clean."""
    result, value = check_file(filename, content, limits, columns, schema, (), check)
    if result.outcome == ACCEPTED:
        apply(value)
    return result


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
