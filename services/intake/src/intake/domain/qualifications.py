"""The qualification catalogue: which crebo codes exist and which sector each belongs to (issue 16).

A forecast, a supply line or a register row naming a crebo outside the catalogue is a field error. The
catalogue is a data file (intake/data/crebos.csv). Pure Python; imports nothing from the project.
"""

from __future__ import annotations

import csv
import functools
from importlib import resources


@functools.cache
def catalogue() -> dict[str, tuple[str, str]]:
    """crebo -> (sector, name) of every known qualification."""
    text = resources.files("intake.data").joinpath("crebos.csv").read_text(encoding="utf-8")
    rows = csv.DictReader(line for line in text.splitlines() if not line.startswith("#"))
    return {row["crebo"]: (row["sector"], row["name"]) for row in rows}


def is_known(crebo: str) -> bool:
    """Whether the crebo is in the catalogue."""
    return crebo in catalogue()


def sector_of(crebo: str) -> str | None:
    """The sector of a known crebo, None for an unknown one."""
    known = catalogue().get(crebo)
    return known[0] if known else None
