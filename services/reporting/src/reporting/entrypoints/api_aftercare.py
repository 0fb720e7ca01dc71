"""Aftercare routes (issue 20): the school's contact per organisation and the placement agreement (POK).

GET/PUT /api/v1/aftercare/school-contacts/<organisation_id>          (school staff: their own school's contact)
GET  /api/v1/aftercare/poks/<student_ref>?period_id=                  (the parties: the POK under BPV names)
POST /api/v1/aftercare/poks/<student_ref>/details                     (school or organisation staff, a draft)
POST /api/v1/aftercare/poks/<student_ref>/<send|sign|start|end>       (send/start/end: school staff; sign: each party)
Imports flask, stagepool_shared.http, the input schemas and the aftercare commands.
"""

from __future__ import annotations

from flask import Blueprint, Response, jsonify

from stagepool_shared.http import current_principal, read_json, require
from stagepool_shared.web.openapi import load_query

from ..commands import aftercare
from ..domain.aftercare import bpv_export
from ..schemas import PeriodQuery, PokDetailsSchema, PokEndSchema, PokStepSchema, SchoolContactSchema
from .web import deps, tokens

blueprint = Blueprint("aftercare", __name__, url_prefix="/api/v1/aftercare")

SCHOOL = ("school_staff", "support_staff")
PARTIES = ("student", "school_staff", "support_staff", "organisation_staff")


@blueprint.put("/school-contacts/<organisation_id>")
@require(tokens, *SCHOOL)
def put_school_contact(organisation_id: str) -> Response:
    data = SchoolContactSchema().load(read_json())
    aftercare.set_school_contact(deps(), current_principal(), organisation_id, data["name"], data["email"])
    return jsonify(organisation_id=organisation_id, name=data["name"], email=data["email"])


@blueprint.get("/school-contacts/<organisation_id>")
@require(tokens, *SCHOOL)
def get_school_contact(organisation_id: str) -> Response:
    contact = aftercare.read_school_contact(deps(), current_principal(), organisation_id)
    return jsonify(organisation_id=organisation_id, name=contact.name if contact else None,
                   email=contact.email if contact else None)


@blueprint.get("/poks/<student_ref>")
@require(tokens, *PARTIES)
def read_pok(student_ref: str) -> Response:
    period_id = load_query(PeriodQuery)["period_id"]
    return jsonify(aftercare.export_pok(deps(), current_principal(), period_id, student_ref))


@blueprint.post("/poks/<student_ref>/details")
@require(tokens, "school_staff", "support_staff", "organisation_staff")
def fill_pok(student_ref: str) -> Response:
    data = PokDetailsSchema().load(read_json())
    aftercare.fill_pok(deps(), current_principal(), data["period_id"], student_ref, data["start_date"],
                       data["end_date"], data["hours"], data["supervisor_name"])
    return _answer(data["period_id"], student_ref)


@blueprint.post("/poks/<student_ref>/send")
@require(tokens, *SCHOOL)
def send_pok(student_ref: str) -> Response:
    period_id = PokStepSchema().load(read_json())["period_id"]
    aftercare.send_pok(deps(), current_principal(), period_id, student_ref)
    return _answer(period_id, student_ref)


@blueprint.post("/poks/<student_ref>/sign")
@require(tokens, *PARTIES)
def sign_pok(student_ref: str) -> Response:
    period_id = PokStepSchema().load(read_json())["period_id"]
    aftercare.sign_pok(deps(), current_principal(), period_id, student_ref)
    return _answer(period_id, student_ref)


@blueprint.post("/poks/<student_ref>/start")
@require(tokens, *SCHOOL)
def start_pok(student_ref: str) -> Response:
    period_id = PokStepSchema().load(read_json())["period_id"]
    aftercare.start_pok(deps(), current_principal(), period_id, student_ref)
    return _answer(period_id, student_ref)


@blueprint.post("/poks/<student_ref>/end")
@require(tokens, *SCHOOL)
def end_pok(student_ref: str) -> Response:
    data = PokEndSchema().load(read_json())
    aftercare.end_pok(deps(), current_principal(), data["period_id"], student_ref, data["early"], data["reason"])
    return _answer(data["period_id"], student_ref)


def _answer(period_id: str, student_ref: str) -> Response:
    """The POK as it now stands, under BPV names."""
    pok, people = aftercare.read_pok(deps(), current_principal(), period_id, student_ref)
    return jsonify(bpv_export(pok, people))
