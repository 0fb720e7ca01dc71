"""Capacity planning's pages (issue 16): the school's demand ahead (a line, or a file), the organisation's
supply ahead, "copy last year's places" and its participation (take part, opt out with a reason, not open),
and the coordinator's recognition register (SBB's files, refuse or flag, the flagged places).

Views parse the form, call intake's commands and show field messages like the API. Imports Flask, the shared
web layer and intake's commands and edge.
"""

from __future__ import annotations

from typing import Any

from flask import Blueprint, Response, redirect, request, url_for

from stagepool_shared.errors import PublishFailed
from stagepool_shared.events.planning import OPT_OUT_REASON_WORDS, OPT_OUT_REASONS
from stagepool_shared.i18n import translate
from stagepool_shared.web.listing import Filter, error_texts, paginate, read_query, select, wants_xlsx, xlsx_response
from stagepool_shared.web.pages import current_lang, page, render, t

from ... import commands
from ...commands import forecasts, register, supply
from ...domain import planning, qualifications
from ...errors import InvalidInput
from ..importing import ACCEPTED, REJECTED, import_file
from ..planning_import import register_file
from ..planning_rows import FORECAST_COLUMNS, ForecastIn, ParticipationIn, SupplyIn
from ..web import SCHOOL_ROLES, deps, wiring
from .common import ORGANISATION_ROLES, choice_lists, me, period_options, submit_form, unavailable
from .forms import FormField, messages_by_field

bp = Blueprint("planning_pages", __name__, url_prefix="/pages")
FORECAST_XLSX = [("period_id", "periode"), ("crebo", "crebo"), ("name", "opleiding"), ("level", "niveau"),
                 ("study_year", "leerjaar"), ("students", "aantal_studenten")]
FORECAST_FIELDS = tuple(FormField(n, k) for n, k in (
    ("period_id", "text"), ("crebo", "text"), ("level", "int"), ("study_year", "int"), ("students", "int")))
SUPPLY_FIELDS = tuple(FormField(n, k) for n, k in (
    ("period_id", "text"), ("sector", "text"), ("crebos", "list"), ("slots", "int")))
PARTICIPATION_FIELDS = tuple(FormField(n) for n in ("school_year", "status", "reason_code", "reason_text"))


def _school_years(region_id: str) -> list[str]:
    return sorted({planning.period_year(p) for p in commands.list_periods(deps(), region_id or None)})


def _forecast_lines() -> tuple[list[dict], Any, list[Filter], dict]:
    """The school's demand lines with the programme's name, searched and filtered like every list."""
    names = {crebo: name for crebo, (_, name) in qualifications.catalogue().items()}
    lines = [{**line, "name": names.get(line["crebo"], "")}
             for line in forecasts.forecasts_of_school(deps(), me().scope)]
    filters = [Filter("period", t("Periode", "Period"), period_options(me().region_id))]
    query, query_errors = read_query(request.args, filters)
    found = select(lines, query, lambda line: (line["crebo"], line["name"]), {"period": lambda line: line["period_id"]})
    return found, query, filters, query_errors


def _forecast_page(status: int = 200, values: dict | None = None, errors: dict | None = None, **extra: Any) -> Response:
    lines, query, filters, query_errors = _forecast_lines()
    if query_errors and status == 200:
        status = 422
    context = dict(page=paginate(lines, query.page), query=query, filters=filters,
                   list_errors=error_texts(query_errors), values=values or {}, errors=errors or {},
                   choices=choice_lists(me().region_id), row_errors=extra.pop("row_errors", []),
                   done=request.args.get("done", ""))
    if extra.pop("unavailable", False):
        return unavailable("pages/school_forecast.html", **context)
    return render("pages/school_forecast.html", status=status, **context)


@bp.route("/school/forecast", methods=["GET", "POST"])
@page(*SCHOOL_ROLES)
def forecast() -> Response:
    """The school's expected demand for the coming school year: its lines, one more, or a whole file."""
    if request.method == "GET":
        lines, query, _, query_errors = _forecast_lines()
        if wants_xlsx(query, query_errors):
            return xlsx_response(lines, FORECAST_XLSX, f"prognose-{me().scope}")
        return _forecast_page()
    principal = me()
    return submit_form(FORECAST_FIELDS, ForecastIn(), lambda data: forecasts.post_forecasts(
        deps(), principal.scope, principal.region_id, [data]), _forecast_page, "posted", ".forecast")


@bp.post("/school/forecast/upload")
@page(*SCHOOL_ROLES)
def forecast_upload() -> Response:
    """Upload a forecast file: all or nothing, every row's problem in one pass."""
    upload = request.files.get("file")
    if upload is None or not upload.filename:
        return _forecast_page(422, errors={"file": [translate("Missing data for required field.", current_lang())]})
    principal = me()
    try:
        result = import_file(deps(), upload.filename, upload.read(), wiring().settings.import_limits,
                             FORECAST_COLUMNS, ForecastIn(), (), lambda rows: forecasts.check_forecast_rows(
                                 deps(), principal.scope, principal.region_id, rows))
    except PublishFailed:
        return _forecast_page(503, unavailable=True)
    if result.outcome == ACCEPTED:
        return redirect(url_for(".forecast", done="imported"))
    lang = current_lang()
    if result.outcome == REJECTED:
        rows = [{"row": e.row, "column": e.column, "message": translate(e.message, lang)} for e in result.errors]
        return _forecast_page(422, row_errors=rows)
    return _forecast_page(422, errors={"file": [translate(result.problem, lang)]})


def _planning_page(status: int = 200, values: dict | None = None, errors: dict | None = None,
                   **extra: Any) -> Response:
    principal = me()
    years = _school_years(principal.region_id)
    year = request.values.get("school_year") or (years[-1] if years else "")
    said = supply.participation(deps(), principal.scope, year) if year else None
    if values is None and said is not None:
        values = {"status": said.status, "reason_code": said.reason_code or "", "reason_text": said.reason_text}
    context = dict(lines=supply.supply_of_organisation(deps(), principal.scope), years=years, year=year,
                   participation=said, reason_words=OPT_OUT_REASON_WORDS,
                   reasons=[(r, OPT_OUT_REASON_WORDS[r]) for r in OPT_OUT_REASONS], values=values or {},
                   errors=errors or {}, choices=choice_lists(principal.region_id), done=request.args.get("done", ""))
    if extra.pop("unavailable", False):
        return unavailable("pages/organisation_planning.html", **context)
    return render("pages/organisation_planning.html", status=status, **context)


@bp.get("/organisation/planning")
@page(*ORGANISATION_ROLES)
def organisation_planning() -> Response:
    """The organisation's participation and its capacity for the coming school year."""
    return _planning_page()


@bp.post("/organisation/planning/supply")
@page(*ORGANISATION_ROLES)
def supply_line() -> Response:
    """Post one supply line (period, sector, crebos, places)."""
    principal = me()
    return submit_form(SUPPLY_FIELDS, SupplyIn(), lambda data: supply.post_supply(
        deps(), principal.scope, principal.region_id, [data]), _planning_page, "supply", ".organisation_planning")


@bp.post("/organisation/planning/copy")
@page(*ORGANISATION_ROLES)
def copy_places() -> Response:
    """"Copy last year's places" as the coming year's supply, in one step."""
    principal = me()
    try:
        supply.copy_last_year(deps(), principal.scope, principal.region_id, request.form.get("school_year", ""))
    except InvalidInput as err:
        return _planning_page(422, errors=messages_by_field(err.messages, PARTICIPATION_FIELDS, current_lang()))
    except PublishFailed:
        return _planning_page(503, unavailable=True)
    return redirect(url_for(".organisation_planning", done="copied"))


@bp.post("/organisation/planning/participation")
@page(*ORGANISATION_ROLES)
def participation() -> Response:
    """Take part, opt out with a reason, or not open to stagematching this school year."""
    principal = me()
    return submit_form(PARTICIPATION_FIELDS, ParticipationIn(), lambda data: supply.set_participation(
        deps(), principal.scope, principal.region_id, data), _planning_page, "participation",
        ".organisation_planning")


def _register_page(status: int = 200, errors: dict | None = None, row_errors: list | None = None) -> Response:
    region_id = me().scope
    current = register.register_of_region(deps(), region_id)
    return render("pages/coordinator_register.html", status=status, mode=register.recognition_mode(deps(), region_id),
                  organisations=len(current.recognitions), equivalents=len(current.equivalents),
                  flagged=sorted(register.flagged_places(deps(), region_id).items()), errors=errors or {},
                  row_errors=row_errors or [], done=request.args.get("done", ""))


@bp.get("/coordinator/register")
@page("regional_coordinator")
def coordinator_register() -> Response:
    """The region's recognition register: SBB's files, refuse or flag, and the flagged places."""
    return _register_page()


@bp.post("/coordinator/register/mode")
@page("regional_coordinator")
def register_mode() -> Response:
    try:
        register.set_recognition_mode(deps(), me().scope, request.form.get("mode", ""))
    except InvalidInput as err:
        lang = current_lang()
        return _register_page(422, errors={k: [translate(m, lang) for m in v] for k, v in err.messages.items()})
    return redirect(url_for(".coordinator_register", done="mode"))


@bp.post("/coordinator/register/<any(recognitions, equivalents):kind>")
@page("regional_coordinator")
def register_upload(kind: str) -> Response:
    """Replace the recognitions or the equivalent codes from SBB's file: all or nothing."""
    upload = request.files.get("file")
    lang = current_lang()
    if upload is None or not upload.filename:
        return _register_page(422, errors={kind: [translate("Missing data for required field.", lang)]})
    result = register_file(deps(), wiring().settings.import_limits, kind, me().scope, upload.filename,
                           upload.read())
    if result.outcome == ACCEPTED:
        return redirect(url_for(".coordinator_register", done=kind))
    if result.outcome == REJECTED:
        return _register_page(422, row_errors=[{"row": e.row, "column": e.column, "message": translate(e.message, lang)}
                                               for e in result.errors])
    return _register_page(422, errors={kind: [translate(result.problem, lang)]})
