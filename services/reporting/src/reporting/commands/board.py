"""The coordinator's supply-and-demand board (issue 16.3): the board of a region and school year, built from
the planning lines (forecasts, supply, participation) and the period snapshots of this year and last, and the
region's warning threshold. The page, the board report and the metrics all call `board_of_year`, so they
agree. Read-only except the threshold. Imports the domain and the ports.
"""

from __future__ import annotations

from ..domain.board import Board, BoardInput, build_board, previous_period_id
from ..errors import InvalidThreshold
from ..ports import AbstractPlanningBoard, Deps

KINDS = ("demand", "supply", "participation")
MAX_THRESHOLD = 10_000


def _plan(deps: Deps) -> AbstractPlanningBoard:
    if deps.planning is None:  # pragma: no cover - bootstrap always wires it
        raise RuntimeError("reporting is wired without the board's planning store")
    return deps.planning


def school_years(deps: Deps, region_id: str) -> list[str]:
    """The school years the region's planning lines name, oldest first."""
    plan = _plan(deps)
    return sorted({line["school_year"] for kind in KINDS for line in plan.lines(region_id, kind)})


def threshold_of(deps: Deps, region_id: str) -> int:
    """The gap at which the region's board warns: the region's own, else the default."""
    own = _plan(deps).threshold(region_id)
    return deps.board_threshold if own is None else own


def set_threshold(deps: Deps, region_id: str, raw: str) -> int:
    """Set the region's warning threshold (InvalidThreshold for anything but 1 to 10,000)."""
    text = raw.strip()
    if not text.isdigit() or not 1 <= int(text) <= MAX_THRESHOLD:
        raise InvalidThreshold("Give a whole number from 1 to 10000.")
    _plan(deps).put_threshold(region_id, int(text))
    return int(text)


def board_of_year(deps: Deps, region_id: str, school_year: str) -> Board:
    """The board of one region and school year."""
    plan = _plan(deps)
    lines = {kind: plan.lines(region_id, kind) for kind in KINDS}
    periods = sorted({line["period_id"] for kind in ("demand", "supply") for line in lines[kind]
                      if line["school_year"] == school_year})
    snapshots = {p: deps.views.snapshot(region_id, p, {}) for p in periods}
    last_year = {p: deps.views.snapshot(region_id, old, {}) for p in periods
                 if (old := previous_period_id(p)) is not None}
    return build_board(BoardInput(region_id, school_year, threshold_of(deps, region_id), lines["demand"],
                                  lines["supply"], lines["participation"], snapshots, last_year))


def board_of_period(deps: Deps, region_id: str, period_id: str) -> Board | None:
    """The board's part of one period (for the period report), None when no planning line names it."""
    plan = _plan(deps)
    years = {line["school_year"] for kind in ("demand", "supply") for line in plan.lines(region_id, kind)
             if line["period_id"] == period_id}
    if not years:
        return None
    return board_of_year(deps, region_id, sorted(years)[-1]).for_period(period_id)


def all_boards(deps: Deps) -> list[Board]:
    """The board of every region and school year with planning lines (for the metrics)."""
    return [board_of_year(deps, region, year) for region in _plan(deps).regions()
            for year in school_years(deps, region)]
