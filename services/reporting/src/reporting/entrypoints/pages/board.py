"""The coordinator's supply-and-demand board (issue 16.3): per period, sector, programme and school the demand
(forecast and wishes), supply, gap, trend against last year and the early warnings at the region's threshold;
the organisations' participation; the students who found their own place. Inline SVG bars, small cells as
<5, and the board as HTML, CSV and XLSX downloads.

Imports flask, the shared web layer, the board commands and the board report.
"""

from __future__ import annotations

from flask import Blueprint, Response, redirect, request, url_for

from stagepool_shared.web.pages import current_lang, page, render, t

from ...commands.board import board_of_year, school_years, set_threshold
from ...commands.lookups import school_names
from ...domain.board import Board
from ...errors import InvalidThreshold
from ...report.board import (board_tables, demand_supply_svg, render_board_csv, render_board_html,
                              render_board_xlsx)
from ...report.render import messages
from ..web import deps
from .common import me, not_found

COORDINATOR = "regional_coordinator"
XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"

blueprint = Blueprint("reporting_board", __name__, url_prefix="/pages/coordinator/board")


def _year(region: str) -> tuple[str, list[str]]:
    years = school_years(deps(), region)
    asked = request.args.get("year", "")
    return (asked if asked in years else (years[-1] if years else "")), years


def _names(board: Board) -> dict[str, str]:
    return school_names(deps(), sorted({school for _, school in (s.key for s in board.schools)}))


@blueprint.get("")
@page(COORDINATOR)
def board(status: int = 200, error: str = "") -> Response:
    """The board of the asked school year of the coordinator's region (the latest by default)."""
    region, lang = me().region_id, current_lang()
    year, years = _year(region)
    current = board_of_year(deps(), region, year) if year else None
    tables = board_tables(current, lang, _names(current)) if current else []
    return render("pages/board.html", status=status, region=region, year=year, years=years, board=current,
                  tables=tables, chart=demand_supply_svg(current, lang) if current else "", w=messages(lang),
                  error=error)


@blueprint.post("/threshold")
@page(COORDINATOR)
def threshold() -> Response:
    """Set the gap at which the region's board warns."""
    try:
        set_threshold(deps(), me().region_id, request.form.get("threshold", ""))
    except InvalidThreshold:
        return board(422, t("Geef een heel getal van 1 tot en met 10000.", "Give a whole number from 1 to 10000."))
    return redirect(url_for(".board", year=request.form.get("year", "")))


@blueprint.get("/<year>.<any(html, csv, xlsx):fmt>")
@page(COORDINATOR)
def download(year: str, fmt: str) -> Response:
    """The board of a school year as an HTML, CSV or XLSX download."""
    region = me().region_id
    if year not in school_years(deps(), region):
        return not_found()
    current = board_of_year(deps(), region, year)
    name = f"bord-{region}-{year}"
    if fmt == "csv":
        return Response(render_board_csv(current), content_type="text/csv; charset=utf-8",
                        headers={"Content-Disposition": f"attachment; filename={name}.csv"})
    if fmt == "xlsx":
        return Response(render_board_xlsx(current, current_lang(), _names(current)), content_type=XLSX,
                        headers={"Content-Disposition": f"attachment; filename={name}.xlsx"})
    return Response(render_board_html(current, current_lang(), _names(current)),
                    content_type="text/html; charset=utf-8",
                    headers={"Content-Security-Policy": "default-src 'none'; style-src 'unsafe-inline'",
                             "Content-Disposition": f"attachment; filename={name}.html"})
