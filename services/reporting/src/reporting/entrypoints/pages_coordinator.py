"""The regional coordinator's figures page: the period's figures from reporting's projections with the same
SVG charts and tables as the period report (small cells shown as <5), and the report's HTML and CSV downloads.

Imports flask, the shared web layer and reporting's report renderer.
"""

from __future__ import annotations

from flask import Blueprint, Response, request

from stagepool_shared.web.pages import current_lang, page, render

from ..report.render import messages, render_csv, render_html, report_sections
from .common import reporting
from .pages_common import me, not_found

COORDINATOR = "regional_coordinator"


def coordinator_blueprint() -> Blueprint:
    """/pages/coordinator and the period report downloads."""
    bp = Blueprint("reporting_coordinator", __name__, url_prefix="/pages/coordinator")

    @bp.get("")
    @page(COORDINATOR)
    def figures() -> Response:
        lang, region = current_lang(), me().region_id
        periods = [period for r, period in reporting().views.periods() if r == region]
        asked = request.args.get("period", "")
        period = asked if asked in periods else (periods[-1] if periods else "")
        sections = report_sections(reporting().period_figures(region, period), lang) if period else []
        return render("pages/coordinator.html", region=region, period=period, periods=periods, sections=sections,
                      text=messages(lang))

    @bp.get("/report/<period_id>.<any(html, csv):fmt>")
    @page(COORDINATOR)
    def download(period_id: str, fmt: str) -> Response:
        region = me().region_id
        if (region, period_id) not in reporting().views.periods():
            return not_found()
        figures = reporting().period_figures(region, period_id)
        name = f"report-{region}-{period_id}"
        if fmt == "csv":
            return Response(render_csv(figures), content_type="text/csv; charset=utf-8",
                            headers={"Content-Disposition": f"attachment; filename={name}.csv"})
        return Response(render_html(figures, current_lang()), content_type="text/html; charset=utf-8",
                        headers={"Content-Security-Policy": "default-src 'none'; style-src 'unsafe-inline'",
                                 "Content-Disposition": f"attachment; filename={name}.html"})

    return bp
