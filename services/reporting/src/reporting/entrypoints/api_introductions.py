"""Kennismaking and follow-up task routes (issue 20.2).

POST /api/v1/aftercare/introductions/<student_ref>              (organisation staff: propose a moment)
GET  /api/v1/aftercare/introductions/<student_ref>?period_id=   (the parties)
POST /api/v1/aftercare/introductions/<student_ref>/confirm      (the student)
POST /api/v1/aftercare/introductions/<student_ref>/accompany    (school staff: a teacher accompanies, R107)
POST /api/v1/aftercare/introductions/<student_ref>/outcome      (organisation staff; a rejection needs an R106 code)
GET  /api/v1/aftercare/tasks, POST /api/v1/aftercare/tasks/<task_id>/done   (school staff: their own tasks)
POST /api/v1/aftercare/tasks/<task_id>/call   (school staff: the call with the organisation, R105)
Imports flask, stagepool_shared.http, the input schemas and the kennismaking commands.
"""

from __future__ import annotations

from dataclasses import asdict

from flask import Blueprint, Response, jsonify

from stagepool_shared.http import current_principal, read_json, require
from stagepool_shared.web.openapi import load_query

from ..commands import aftercare_intro
from ..domain.aftercare_intro import Introduction
from ..schemas import (IntroductionAccompanySchema, IntroductionOutcomeSchema, IntroductionProposalSchema,
                       PeriodQuery, PokStepSchema, TaskCallSchema)
from .web import deps, tokens

blueprint = Blueprint("introductions", __name__, url_prefix="/api/v1/aftercare")

SCHOOL = ("school_staff", "support_staff")
PARTIES = ("student", "school_staff", "support_staff", "organisation_staff")
DESK_ROUTE = "/pages/report"


def _answer(intro: Introduction | None, status: int = 200) -> tuple[Response, int]:
    body = asdict(intro) if intro else {"status": None}
    if intro is not None and intro.status == "rejected":
        body["desk_route"] = DESK_ROUTE
    return jsonify(body), status


@blueprint.post("/introductions/<student_ref>")
@require(tokens, "organisation_staff")
def propose(student_ref: str) -> tuple[Response, int]:
    data = IntroductionProposalSchema().load(read_json())
    return _answer(aftercare_intro.propose_introduction(deps(), current_principal(), data["period_id"],
                                                        student_ref, data["moment"]), 201)


@blueprint.get("/introductions/<student_ref>")
@require(tokens, *PARTIES)
def read(student_ref: str) -> tuple[Response, int]:
    period_id = load_query(PeriodQuery)["period_id"]
    return _answer(aftercare_intro.read_introduction(deps(), current_principal(), period_id, student_ref))


@blueprint.post("/introductions/<student_ref>/confirm")
@require(tokens, "student")
def confirm(student_ref: str) -> tuple[Response, int]:
    period_id = PokStepSchema().load(read_json())["period_id"]
    return _answer(aftercare_intro.confirm_introduction(deps(), current_principal(), period_id, student_ref))


@blueprint.post("/introductions/<student_ref>/accompany")
@require(tokens, *SCHOOL)
def accompany(student_ref: str) -> tuple[Response, int]:
    data = IntroductionAccompanySchema().load(read_json())
    return _answer(aftercare_intro.mark_accompanied(deps(), current_principal(), data["period_id"], student_ref,
                                                    data["accompanied"]))


@blueprint.post("/introductions/<student_ref>/outcome")
@require(tokens, "organisation_staff")
def outcome(student_ref: str) -> tuple[Response, int]:
    data = IntroductionOutcomeSchema().load(read_json())
    return _answer(aftercare_intro.record_outcome(deps(), current_principal(), data["period_id"], student_ref,
                                                  data["outcome"], data["reason_code"]))


@blueprint.get("/tasks")
@require(tokens, *SCHOOL)
def tasks() -> Response:
    rows = aftercare_intro.list_tasks(deps(), current_principal())
    return jsonify(tasks=[asdict(task) | {"school_contact": contact.name if contact else None}
                          for task, contact in rows])


@blueprint.post("/tasks/<task_id>/call")
@require(tokens, *SCHOOL)
def task_call(task_id: str) -> Response:
    data = TaskCallSchema().load(read_json())
    return jsonify(asdict(aftercare_intro.record_call(deps(), current_principal(), task_id, data["called_on"],
                                                      data["call_outcome"])))


@blueprint.post("/tasks/<task_id>/done")
@require(tokens, *SCHOOL)
def task_done(task_id: str) -> Response:
    return jsonify(asdict(aftercare_intro.complete_task(deps(), current_principal(), task_id)))
