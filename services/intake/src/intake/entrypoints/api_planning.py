"""Capacity planning's API (issue 16): a school's demand ahead, an organisation's supply ahead and its
participation, and the region's recognition register (coordinator).

Writes that publish answer 202 once Kafka acknowledged (pattern A); a bad line is a field error (422) and
nothing is published or stored. Register files are all or nothing, every row's problem in one pass.
"""

from __future__ import annotations

import re
from dataclasses import asdict

from flask import Blueprint, Response, g, request

from stagepool_shared.events.planning import SCHOOL_YEAR
from stagepool_shared.http import error, read_json

from .. import metrics
from ..commands import forecasts, register, supply
from .api_imports import import_upload, no_file, refusal, template_file
from .planning_import import register_file
from .planning_rows import (
    EQUIVALENT_COLUMNS, FORECAST_COLUMNS, REGISTER_COLUMNS, ForecastIn, ForecastsIn, ParticipationIn,
    RecognitionModeIn, SchoolYearIn, SuppliesIn,
)
from .web import SCHOOL_ROLES, deps, idempotent, json_response, load, requires, seed, wiring

bp = Blueprint("planning", __name__, url_prefix="/api/v1")
ORG = "organisation_staff"
COORDINATOR = "regional_coordinator"
SCHOOL_YEAR_ID = re.compile(SCHOOL_YEAR)
TEMPLATES = {"forecasts": FORECAST_COLUMNS, "register": REGISTER_COLUMNS, "equivalents": EQUIVALENT_COLUMNS}


@bp.before_app_request
def _allow_large_register_files() -> None:
    """SBB's register is a large file: register uploads take the import limit, like other imports."""
    if request.path.startswith("/api/v1/register/") or request.path.startswith("/pages/coordinator/register"):
        request.max_content_length = wiring().settings.import_max_bytes


def _batch(envelopes: list) -> Response:
    for envelope in envelopes:
        metrics.EVENTS_ACCEPTED.labels(envelope.event_type).inc()
    return json_response({"accepted": len(envelopes), "event_ids": [e.event_id for e in envelopes]}, 202)


@bp.post("/forecasts")
@requires(*SCHOOL_ROLES)
@idempotent
def post_forecasts() -> Response:
    """Post demand lines of the caller's school (all or nothing)."""
    data = load(ForecastsIn(), read_json())
    principal = g.principal
    return _batch(forecasts.post_forecasts(deps(), principal.scope, principal.region_id, data["lines"], seed()))


@bp.get("/forecasts")
@requires(*SCHOOL_ROLES)
def list_forecasts() -> Response:
    """The caller's school's demand lines."""
    return json_response({"lines": forecasts.forecasts_of_school(deps(), g.principal.scope)})


@bp.post("/imports/forecasts")
@requires(*SCHOOL_ROLES)
@idempotent
def import_forecasts() -> Response:
    """Import demand lines from CSV or XLSX (all or nothing, every problem in one pass)."""
    principal = g.principal
    return import_upload("forecasts", FORECAST_COLUMNS, ForecastIn(), (), lambda rows: forecasts.check_forecast_rows(
        deps(), principal.scope, principal.region_id, rows, seed()))


@bp.get("/templates/planning/<any(forecasts, register, equivalents):kind>.<any(csv, xlsx):fmt>")
def planning_template(kind: str, fmt: str) -> Response:
    """An empty forecast, register or equivalent-code file with its Dutch headers (English accepted too)."""
    return template_file(kind, fmt, TEMPLATES[kind])


@bp.post("/supply")
@requires(ORG)
@idempotent
def post_supply() -> Response:
    """Post supply lines of the caller's organisation (all or nothing)."""
    data = load(SuppliesIn(), read_json())
    principal = g.principal
    return _batch(supply.post_supply(deps(), principal.scope, principal.region_id, data["lines"], seed()))


@bp.post("/supply/copy-last-year")
@requires(ORG)
@idempotent
def copy_last_year() -> Response:
    """Post last year's places as the supply of the coming school year, in one step."""
    data = load(SchoolYearIn(), read_json())
    principal = g.principal
    return _batch(supply.copy_last_year(deps(), principal.scope, principal.region_id, data["school_year"], seed()))


@bp.get("/supply")
@requires(ORG)
def list_supply() -> Response:
    """The caller's organisation's supply lines."""
    return json_response({"lines": supply.supply_of_organisation(deps(), g.principal.scope)})


@bp.put("/participation")
@requires(ORG)
@idempotent
def put_participation() -> Response:
    """Take part, opt out with a reason, or say the organisation is not open to stagematching this year."""
    data = load(ParticipationIn(), read_json())
    principal = g.principal
    envelope = supply.set_participation(deps(), principal.scope, principal.region_id, data, seed())
    metrics.EVENTS_ACCEPTED.labels(envelope.event_type).inc()
    return json_response({"event_id": envelope.event_id, "event_type": envelope.event_type}, 202)


@bp.get("/participation")
@requires(ORG)
def get_participation() -> Response:
    """What the caller's organisation said about a school year (`?school_year=2027-2028`; 404: nothing yet)."""
    school_year = request.args.get("school_year", "")
    if not SCHOOL_YEAR_ID.match(school_year):
        return error(422, "validation_failed", "The input is not valid.",
                     fields={"school_year": ["String does not match expected pattern."]})
    record = supply.participation(deps(), g.principal.scope, school_year)
    if record is None:
        return error(404, "not_found", "Not found.")
    return json_response(asdict(record))


@bp.put("/register/mode")
@requires(COORDINATOR)
def put_recognition_mode() -> Response:
    """Refuse or flag a place naming a crebo its organisation is not recognised for."""
    data = load(RecognitionModeIn(), read_json())
    register.set_recognition_mode(deps(), g.principal.scope, data["mode"])
    return json_response({"mode": data["mode"]})


@bp.get("/register")
@requires(COORDINATOR)
def get_register() -> Response:
    """The region's register in numbers, its mode and its flagged places."""
    region_id = g.principal.scope
    current = register.register_of_region(deps(), region_id)
    return json_response({"mode": register.recognition_mode(deps(), region_id),
                          "organisations": len(current.recognitions), "equivalents": len(current.equivalents),
                          "flagged_places": register.flagged_places(deps(), region_id)})


@bp.post("/register/recognitions")
@requires(COORDINATOR)
def import_recognitions() -> Response:
    """Replace the region's recognitions from SBB's register (CSV or XLSX), all or nothing."""
    return _import_register("recognitions")


@bp.post("/register/equivalents")
@requires(COORDINATOR)
def import_equivalents() -> Response:
    """Replace the region's equivalent codes from SBB's table (CSV or XLSX), all or nothing."""
    return _import_register("equivalents")


def _import_register(kind: str) -> Response:
    upload = request.files.get("file")
    if upload is None:
        return no_file()
    result = register_file(deps(), wiring().settings.import_limits, kind, g.principal.scope,
                           upload.filename or "", upload.read())
    refused = refusal(result)
    if refused is not None:
        return refused
    return json_response({"accepted": result.rows}, 200)
