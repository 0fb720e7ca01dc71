"""The figures per matching variant in `make demo` (issue 15.5), as reporting's period report gives them: of
each variant's students, the share placed at their first choice, at any candidate offered (variant 2), at one
of their top 3, or at none of these.

Read from the coordinator's period report download (`GET /api/v1/reports/<region>/<period>.csv`, section
`by_variant`, the rows of every school together) once it lists the re-match; a report without that section
prints nothing. A programme without a setting is variant 1 (the default); demo.variant3 sets variant 3 for one
school. Imports the standard library only.
"""

from __future__ import annotations

import csv
import io
from dataclasses import dataclass
from typing import Mapping

SECTION = "by_variant"
KINDS = ("students", "first_choice", "any_candidate", "top3", "none")


@dataclass(frozen=True)
class VariantLine:
    """One variant over every school and pool, the cells as the report shows them (small groups <5)."""

    variant: str
    cells: Mapping[str, str]


def parse_report(text: str) -> list[VariantLine]:
    """The per-variant rows of every school together (key2 "all") from the period report CSV."""
    rows: dict[str, dict[str, str]] = {}
    for row in csv.DictReader(io.StringIO(text)):
        if row["section"] == SECTION and row["key2"] == "all":
            rows.setdefault(row["key"], {})[row["column"]] = row["value"]
    return [VariantLine(variant, cells) for variant, cells in sorted(rows.items())]


def lists_round(text: str, round_id: str) -> bool:
    """Whether the period report already lists this round (reporting has taken in its release)."""
    return any(row["section"] == "rounds" and row["key"] == round_id for row in csv.DictReader(io.StringIO(text)))


def english_line(lines: list[VariantLine]) -> str:
    """One short line for the run's progress output."""
    if not lines:
        return "figures per variant: not in the period report"
    return "figures per variant: " + "; ".join(
        f"variant {v.variant}: {v.cells.get('students', '')} students, first choice {v.cells.get('first_choice', '')}, "
        f"any candidate {v.cells.get('any_candidate', '')}, top-3 {v.cells.get('top3', '')}, "
        f"none {v.cells.get('none', '')}" for v in lines)


def rows(lines: list[VariantLine]) -> list[tuple[str, ...]]:
    """One table row per variant: the variant, then the report's cells in KINDS order."""
    return [(v.variant, *(v.cells.get(kind, "") for kind in KINDS)) for v in lines]
