"""Periods and schools, kept by the regional coordinator of a region; periods are readable by all roles."""

from __future__ import annotations

from dataclasses import asdict

from flask import Blueprint, Response, g
from marshmallow import ValidationError

from stagepool_shared.http import read_json

from .. import commands
from ..domain.model import Period
from .schemas import PeriodIn, SchoolIn
from .web import deps, json_response, load, requires

bp = Blueprint("admin", __name__, url_prefix="/api/v1")
COORDINATOR = "regional_coordinator"


def _period_view(period: Period) -> dict:
    return {"period_id": period.period_id, "region_id": period.region_id, "name": period.name,
            "starts_on": period.starts_on.isoformat(), "ends_on": period.ends_on.isoformat(),
            "sectors": list(period.sectors)}


@bp.put("/periods/<string(maxlength=80):period_id>")
@requires(COORDINATOR)
def put_period(period_id: str) -> Response:
    """Create or replace a period of the coordinator's region (the path id must match the body)."""
    data = load(PeriodIn(), read_json())
    if data["period_id"] != period_id:
        raise ValidationError({"period_id": ["Must equal the id in the path."]})
    period = commands.create_period(deps(), g.principal.scope, data)
    return json_response(_period_view(period), 200)


@bp.get("/periods")
@requires()
def list_periods() -> Response:
    """The periods of the caller's region (every period for callers without a region)."""
    region = g.principal.scope if g.principal.role == COORDINATOR else g.principal.region_id
    return json_response({"periods": [_period_view(p) for p in commands.list_periods(deps(), region)]})


@bp.put("/schools/<string(maxlength=80):school_id>")
@requires(COORDINATOR)
def put_school(school_id: str) -> Response:
    """Register a school of the coordinator's region, with its contact e-mail (and webhook)."""
    data = load(SchoolIn(), read_json())
    if data["school_id"] != school_id:
        raise ValidationError({"school_id": ["Must equal the id in the path."]})
    school = commands.register_school(deps(), g.principal.scope, data)
    return json_response(asdict(school), 200)
