"""Follow-up and signal routes.

POST /api/v1/followup/placements/<student_ref>/not-suitable   (organisation staff, the student, school staff)
POST /api/v1/followup/placements/<student_ref>/contacts       (school staff, organisation staff)
GET  /api/v1/followup/placements/<student_ref>/contacts?period_id=
POST /api/v1/followup/placements/<student_ref>/evaluation     (the student, school staff, organisation staff)
GET  /api/v1/followup/<period_id>/missing-contacts            (school staff: own school; coordinator: counts)
GET  /api/v1/signals                                          (regional coordinator: own region)
Imports flask, stagepool_shared.http, the input schemas and the follow-up commands.
"""

from __future__ import annotations

from flask import Blueprint, Response, jsonify

from stagepool_shared.http import current_principal, error, read_json, require
from stagepool_shared.web.openapi import load_query

from ..commands import evaluations, followup
from ..schemas import ContactMomentSchema, EvaluationSchema, NotSuitableSchema, PeriodQuery
from .web import deps, tokens

blueprint = Blueprint("followup", __name__, url_prefix="/api/v1")

PARTIES = ("student", "school_staff", "support_staff", "organisation_staff")


@blueprint.post("/followup/placements/<student_ref>/not-suitable")
@require(tokens, *PARTIES)
def not_suitable(student_ref: str) -> tuple[Response, int]:
    data = NotSuitableSchema().load(read_json())
    event_id = followup.flag_not_suitable(deps(), current_principal(), data["period_id"], student_ref,
                                          data["reason_code"], data["after_introduction"])
    return jsonify(event_id=event_id, follow_up=data["after_introduction"]
                   or data["reason_code"] == "rejected_after_introduction"), 202


@blueprint.post("/followup/placements/<student_ref>/contacts")
@require(tokens, "school_staff", "support_staff", "organisation_staff")
def add_contact(student_ref: str) -> tuple[Response, int]:
    data = ContactMomentSchema().load(read_json())
    status = followup.add_contact(deps(), current_principal(), data["period_id"], student_ref,
                                  data["date"].isoformat(), data["kind"], data["signal"], data["exception"],
                                  data["held"], data["desk_referral"])
    return jsonify(status), 201


@blueprint.get("/followup/placements/<student_ref>/contacts")
@require(tokens, *PARTIES)
def contact_status(student_ref: str) -> Response:
    period_id = load_query(PeriodQuery)["period_id"]
    return jsonify(followup.read_contact_status(deps(), current_principal(), period_id, student_ref))


@blueprint.post("/followup/placements/<student_ref>/evaluation")
@require(tokens, *PARTIES)
def evaluate(student_ref: str) -> tuple[Response, int]:
    data = EvaluationSchema().load(read_json())
    period_id = data.pop("period_id")
    evaluation = evaluations.evaluate(deps(), current_principal(), period_id, student_ref, data)
    return jsonify(recorded=True, by=evaluation.by), 201


@blueprint.get("/followup/<period_id>/missing-contacts")
@require(tokens, "school_staff", "support_staff", "regional_coordinator")
def missing_contacts(period_id: str) -> Response:
    return jsonify(followup.missing_contacts(deps(), current_principal(), period_id))


@blueprint.get("/signals")
@require(tokens, "regional_coordinator")
def signals() -> Response:
    principal = current_principal()
    if not principal.region_id:
        return error(404, "not_found", "Not found.")
    return jsonify(region_id=principal.region_id, **followup.read_signals(deps(), principal.region_id))
