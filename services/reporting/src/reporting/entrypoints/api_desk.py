"""Desk routes. Filing is open to students and school staff; everything else answers only desk staff and
says 404 (audited) to anyone else, including callers without a token.

Routes: POST /api/v1/desk/reports, GET /api/v1/desk/reports[?view=overdue], GET /api/v1/desk/reports/<id>,
POST /api/v1/desk/reports/<id>/status, POST /api/v1/desk/reports/<id>/alternative-placement,
GET /api/v1/desk/sbb-export[?format=csv]. Views parse, call a desk command and shape the answer. Imports flask,
stagepool_shared.http, the input schemas and the desk commands.
"""

from __future__ import annotations

import csv
import io
from dataclasses import asdict

from flask import Blueprint, Response, jsonify

from stagepool_shared.http import current_principal, error, read_json, require
from stagepool_shared.spreadsheet import safe_cell
from stagepool_shared.web.openapi import load_query

from ..commands import desk
from ..commands.desk import FILERS, CaseView, NewReport
from ..domain.sbb import SbbFile
from ..schemas import AlternativePlaceSchema, CaseListQuery, ExportQuery, NewReportSchema, StatusChangeSchema
from .web import caller, deps, filing_done, filing_wait, tokens

blueprint = Blueprint("desk", __name__, url_prefix="/api/v1/desk")


def case_json(view: CaseView) -> dict:
    """A case as the API shows it; the content (and the measures' texts) only where the view holds it."""
    case = view.case
    body = {"report_id": case.report_id, "status": case.status, "organisation_id": case.organisation_id,
            "school_id": case.school_id, "category": case.category, "phase": case.phase,
            "anonymous": case.anonymous, "filed_at": case.filed_at, "deadline": view.deadline,
            "overdue": view.overdue, "replacement_requested": case.replacement_requested,
            "history": [asdict(step) for step in case.history]}
    if view.content is not None:
        body["content"] = {"description": view.content.description, "incident_date": view.content.incident_date,
                           "student_ref": view.content.student_ref, "place_id": view.content.place_id,
                           "notes": list(view.content.notes)}
    body["sbb"] = _sbb_json(case.sbb, dict(view.content.measures) if view.content else None)
    return body


def _sbb_json(file: SbbFile | None, texts: dict[str, str] | None) -> dict | None:
    """The case's SBB file (issue 20.6): answers, measures (with their text when the content was read), steps."""
    if file is None:
        return None
    body = asdict(file)
    body["answer"] = asdict(file.answer) if file.answer else None
    if texts is not None:
        for measure in body["measures"]:
            measure["description"] = texts.get(measure["measure_id"], "")
    return body


def csv_of(rows: list[dict], columns: list[str] | tuple[str, ...], filename: str) -> Response:
    """`rows` as a CSV download, every cell formula-escaped."""
    out = io.StringIO()
    writer = csv.DictWriter(out, fieldnames=list(columns), lineterminator="\n")
    writer.writeheader()
    writer.writerows({name: safe_cell(row[name]) for name in columns} for row in rows)
    return Response(out.getvalue(), content_type="text/csv; charset=utf-8",
                    headers={"Content-Disposition": f"attachment; filename={filename}"})


@blueprint.post("/reports")
@require(tokens, *FILERS)
def file_report() -> tuple[Response, int] | Response:
    if wait := filing_wait(current_principal()):
        return error(429, "too_many_reports", "You filed several reports just now; the desk reads them all. "
                     "You can file another report later.", headers={"Retry-After": str(wait)})
    data = NewReportSchema().load(read_json())
    if data["incident_date"] is not None:
        data["incident_date"] = data["incident_date"].isoformat()
    case = desk.file_report(deps(), current_principal(), NewReport(**data))
    filing_done(current_principal())
    return jsonify(report_id=case.report_id, status=case.status,
                   replacement_requested=case.replacement_requested), 201


@blueprint.get("/reports")
def list_reports() -> Response:
    principal = caller()
    query = load_query(CaseListQuery) if principal and principal.role == "desk_staff" else {}
    views = desk.list_cases(deps(), principal, query.get("view") == "overdue")
    return jsonify(reports=[case_json(view) for view in views])


@blueprint.get("/reports/<report_id>")
def read_report(report_id: str) -> Response:
    return jsonify(case_json(desk.read_case(deps(), caller(), report_id)))


@blueprint.post("/reports/<report_id>/status")
def change_status(report_id: str) -> Response:
    principal = caller()
    data = StatusChangeSchema().load(read_json()) if principal and principal.role == "desk_staff" else {}
    view = desk.change_status(deps(), principal, report_id, data.get("status", ""), data.get("note"))
    return jsonify(case_json(view))


@blueprint.post("/reports/<report_id>/alternative-placement")
def alternative_placement(report_id: str) -> tuple[Response, int]:
    principal = caller()
    data = AlternativePlaceSchema().load(read_json()) if principal and principal.role == "desk_staff" else {}
    request_id = desk.request_alternative_place(deps(), principal, report_id, data.get("period_id", ""),
                                                data.get("school_id"))
    return jsonify(request_id=request_id), 202


@blueprint.get("/sbb-export")
def sbb_export() -> Response:
    principal = caller()
    query = load_query(ExportQuery) if principal and principal.role == "desk_staff" else {}
    rows = desk.export_for_sbb(deps(), principal)
    if query.get("format") != "csv":
        return jsonify(cases=rows)
    columns = ["report_id", "region_id", "organisation_id", "category", "phase", "incident_month", "filed_at",
               "forwarded_at", "status"]
    return csv_of(rows, columns, "sbb-export.csv")
