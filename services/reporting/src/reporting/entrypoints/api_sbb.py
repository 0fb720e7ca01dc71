"""The desk's SBB routes (issue 20.6). Desk staff of the case's region only; everyone else gets 404 (audited), as
on every desk route, so their bodies are not even read.

Routes: POST /api/v1/desk/reports/<id>/sbb-forward, GET /api/v1/desk/reports/<id>/sbb-export[?format=csv],
POST /api/v1/desk/reports/<id>/sbb-answer, POST /api/v1/desk/reports/<id>/sbb-measures,
POST /api/v1/desk/reports/<id>/sbb-measures/<measure_id>, GET /api/v1/desk/sbb-overdue. Views parse, call a
command of commands/sbb.py and shape the answer. Imports flask, stagepool_shared.http, the input schemas and the
desk commands.
"""

from __future__ import annotations

from dataclasses import asdict
from typing import Any

from flask import Blueprint, Response, jsonify
from marshmallow import Schema

from stagepool_shared.http import read_json
from stagepool_shared.web.openapi import load_query

from ..commands import sbb as commands
from ..domain.sbb import EXPORT_FIELDS
from ..schemas import ExportQuery, SbbAnswerSchema, SbbMeasureSchema, SbbMeasureStatusSchema
from .api_desk import case_json, csv_of
from .web import caller, deps

blueprint = Blueprint("desk_sbb", __name__, url_prefix="/api/v1/desk")


def _load(schema: type[Schema]) -> dict[str, Any]:
    """The body for desk staff; {} for anyone else (the command answers them 404 before reading it)."""
    principal = caller()
    return schema().load(read_json()) if principal and principal.role == "desk_staff" else {}


@blueprint.post("/reports/<report_id>/sbb-forward")
def sbb_forward(report_id: str) -> Response:
    principal = caller()
    view = commands.forward_to_sbb(deps(), principal, report_id)
    return jsonify(case=case_json(view), export=commands.sbb_export(deps(), principal, report_id))


@blueprint.get("/reports/<report_id>/sbb-export")
def case_sbb_export(report_id: str) -> Response:
    principal = caller()
    query = load_query(ExportQuery) if principal and principal.role == "desk_staff" else {}
    document = commands.sbb_export(deps(), principal, report_id)
    if query.get("format") != "csv":
        return jsonify(document)
    return csv_of([document], EXPORT_FIELDS, f"sbb-{report_id}.csv")


@blueprint.post("/reports/<report_id>/sbb-answer")
def sbb_answer(report_id: str) -> Response:
    data = _load(SbbAnswerSchema)
    view = commands.record_sbb_answer(deps(), caller(), report_id, data.get("answered_on"),
                                      data.get("reference", ""), data.get("outcome", ""))
    return jsonify(case_json(view))


@blueprint.post("/reports/<report_id>/sbb-measures")
def sbb_measure(report_id: str) -> tuple[Response, int]:
    data = _load(SbbMeasureSchema)
    view, measure_id = commands.add_sbb_measure(deps(), caller(), report_id, data.get("description", ""),
                                                data.get("owner_role", ""), data.get("deadline"),
                                                data.get("status", "open"))
    return jsonify(measure_id=measure_id, case=case_json(view)), 201


@blueprint.post("/reports/<report_id>/sbb-measures/<measure_id>")
def sbb_measure_status(report_id: str, measure_id: str) -> Response:
    data = _load(SbbMeasureStatusSchema)
    view = commands.update_sbb_measure(deps(), caller(), report_id, measure_id, data.get("status", ""))
    return jsonify(case_json(view))


@blueprint.get("/sbb-overdue")
def sbb_overdue() -> Response:
    items = commands.sbb_overdue(deps(), caller())
    return jsonify(overdue=[asdict(item) for item in items])
