"""The period report over HTTP: GET /api/v1/reports/<region>/<period>.html and .csv (regional coordinator of
that region; another region answers 404). Imports flask, stagepool_shared.http, the figures command and the
report renderer.
"""

from __future__ import annotations

import re

from flask import Blueprint, Response

from stagepool_shared.events.base import ID_PATTERN
from stagepool_shared.http import current_principal, error, lang, require

from ..commands.report import figures_of_period, periods_of_region
from ..report.render import render_csv, render_html
from .web import deps, tokens

blueprint = Blueprint("reports", __name__, url_prefix="/api/v1/reports")


@blueprint.get("/<region_id>/<period_id>.<fmt>")
@require(tokens, "regional_coordinator")
def period_report(region_id: str, period_id: str, fmt: str) -> Response:
    if not re.fullmatch(ID_PATTERN, period_id):  # CR LF would end up in a header: 422, never 500
        return error(422, "validation_failed", "The input is not valid.",
                     fields={"period_id": ["Not a valid id."]})
    if current_principal().region_id != region_id or fmt not in ("html", "csv"):
        return error(404, "not_found", "Not found.")
    if period_id not in periods_of_region(deps(), region_id):
        return error(404, "not_found", "Not found.")
    figures = figures_of_period(deps(), region_id, period_id)
    if fmt == "csv":
        return Response(render_csv(figures), content_type="text/csv; charset=utf-8",
                        headers={"Content-Disposition": f"attachment; filename=report-{region_id}-{period_id}.csv"})
    return Response(render_html(figures, lang()), content_type="text/html; charset=utf-8",
                    headers={"Content-Security-Policy": "default-src 'none'; style-src 'unsafe-inline'"})
