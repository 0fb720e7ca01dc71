"""Cells a spreadsheet shows as text, never runs (CSV/XLSX formula injection): one rule for every export.

A text cell that starts with `=`, `+`, `-`, `@`, a tab or a carriage return gets a leading `'`. Used by the
lists' XLSX downloads (web/listing.py), intake's CSV files and reporting's CSV report. Standard library only.
"""

from __future__ import annotations

from typing import Any

FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")


def safe_cell(value: Any) -> Any:
    """A cell value for a spreadsheet: numbers stay numbers, None is empty, formula-like text is quoted."""
    if value is None:
        return ""
    if isinstance(value, (int, float)) and not isinstance(value, bool):
        return value
    text = str(value)
    return "'" + text if text.startswith(FORMULA_STARTS) else text


def safe_text(value: Any) -> str:
    """`safe_cell` as text (a CSV cell)."""
    return str(safe_cell(value))
