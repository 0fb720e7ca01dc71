"""The regional coordinator's figures page: the period's figures from reporting's projections with the same
SVG charts and tables as the period report (small cells shown as <5), and the report's HTML and CSV downloads.
Schools appear by the name intake gives them (issue 14.16; the CSV keeps their ids as keys).

Imports flask, the shared web layer, the figures commands and reporting's report renderer.
"""

from __future__ import annotations

from flask import Blueprint, Response, request

from stagepool_shared.web.pages import current_lang, page, render

from ...commands.lookups import school_names
from ...commands.report import figures_of_period, periods_of_region
from ...domain.figures import PeriodFigures
from ...commands.board import board_of_period
from ...report.board import board_tables
from ...report.render import messages, render_csv, render_html, report_sections
from ...report.workbook import render_xlsx
from ..web import deps
from .common import me, not_found

COORDINATOR = "regional_coordinator"
XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"

blueprint = Blueprint("reporting_coordinator", __name__, url_prefix="/pages/coordinator")


@blueprint.get("")
@page(COORDINATOR)
def figures() -> Response:
    """The figures of the asked period of the coordinator's region (the latest one by default)."""
    lang, region = current_lang(), me().region_id
    periods = periods_of_region(deps(), region)
    asked = request.args.get("period", "")
    period = asked if asked in periods else (periods[-1] if periods else "")
    figures = figures_of_period(deps(), region, period) if period else None
    sections = report_sections(figures, lang, _names(figures)) if figures else []
    return render("pages/coordinator.html", region=region, period=period, periods=periods, sections=sections,
                  text=messages(lang))


def _names(figures: PeriodFigures) -> dict[str, str]:
    """The display names of the period's schools, asked of intake once for this page (issue 14.16)."""
    return school_names(deps(), figures.by_school)


@blueprint.get("/report/<period_id>.<any(html, csv, xlsx):fmt>")
@page(COORDINATOR)
def download(period_id: str, fmt: str) -> Response:
    """The period report of the coordinator's region as an HTML, CSV or XLSX download, with the period's part
    of the supply-and-demand board (issue 16.3) when there is one."""
    region = me().region_id
    if period_id not in periods_of_region(deps(), region):
        return not_found()
    numbers = figures_of_period(deps(), region, period_id)
    name = f"report-{region}-{period_id}"
    board = board_of_period(deps(), region, period_id)
    if fmt == "csv":
        extra = board_tables(board, "en") if board else []
        return Response(render_csv(numbers, extra), content_type="text/csv; charset=utf-8",
                        headers={"Content-Disposition": f"attachment; filename={name}.csv"})
    extra = board_tables(board, current_lang(), school_names(deps(), {s.key[1] for s in board.schools})) \
        if board else []
    if fmt == "xlsx":
        return Response(render_xlsx(numbers, current_lang(), _names(numbers), extra), content_type=XLSX,
                        headers={"Content-Disposition": f"attachment; filename={name}.xlsx"})
    html = render_html(numbers, current_lang(), names=_names(numbers), extra=extra)
    return Response(html, content_type="text/html; charset=utf-8",
                    headers={"Content-Security-Policy": "default-src 'none'; style-src 'unsafe-inline'",
                             "Content-Disposition": f"attachment; filename={name}.html"})
