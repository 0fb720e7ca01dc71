"""The regional coordinator's figures page: the period's figures from reporting's projections with the same
SVG charts and tables as the period report (small cells shown as <5), and the report's HTML and CSV downloads.

Imports flask, the shared web layer, the figures commands and reporting's report renderer.
"""

from __future__ import annotations

from flask import Blueprint, Response, request

from stagepool_shared.web.pages import current_lang, page, render

from ...commands.report import figures_of_period, periods_of_region
from ...report.render import messages, render_csv, render_html, report_sections
from ..web import deps
from .common import me, not_found

COORDINATOR = "regional_coordinator"

blueprint = Blueprint("reporting_coordinator", __name__, url_prefix="/pages/coordinator")


@blueprint.get("")
@page(COORDINATOR)
def figures() -> Response:
    """The figures of the asked period of the coordinator's region (the latest one by default)."""
    lang, region = current_lang(), me().region_id
    periods = periods_of_region(deps(), region)
    asked = request.args.get("period", "")
    period = asked if asked in periods else (periods[-1] if periods else "")
    sections = report_sections(figures_of_period(deps(), region, period), lang) if period else []
    return render("pages/coordinator.html", region=region, period=period, periods=periods, sections=sections,
                  text=messages(lang))


@blueprint.get("/report/<period_id>.<any(html, csv):fmt>")
@page(COORDINATOR)
def download(period_id: str, fmt: str) -> Response:
    """The period report of the coordinator's region as an HTML or CSV download."""
    region = me().region_id
    if period_id not in periods_of_region(deps(), region):
        return not_found()
    numbers = figures_of_period(deps(), region, period_id)
    name = f"report-{region}-{period_id}"
    if fmt == "csv":
        return Response(render_csv(numbers), content_type="text/csv; charset=utf-8",
                        headers={"Content-Disposition": f"attachment; filename={name}.csv"})
    return Response(render_html(numbers, current_lang()), content_type="text/html; charset=utf-8",
                    headers={"Content-Security-Policy": "default-src 'none'; style-src 'unsafe-inline'",
                             "Content-Disposition": f"attachment; filename={name}.html"})
