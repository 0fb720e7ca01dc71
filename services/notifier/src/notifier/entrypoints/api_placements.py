"""The notifier's HTTP API: the in-app inbox and the student's answer to a placement (the blueprint `api`,
registered by `http.create_app`; its OpenAPI document is `openapi.API`).

GET  /api/v1/inbox                            student | school_staff | support_staff | organisation_staff |
                                              regional_coordinator (the region's notes)
POST /api/v1/placements/<round_id>/accept     student (scope = student_ref)
POST /api/v1/placements/<round_id>/refuse     student, body {"reason_code": one of REFUSAL_REASONS}
Views parse, call a command and map the result. Imports Flask, marshmallow, the shared HTTP edge and the
commands.
"""

from __future__ import annotations

from typing import Any

from flask import Blueprint, Response, jsonify, request
from marshmallow import fields, validate

from stagepool_shared.events.placements import REFUSAL_REASONS
from stagepool_shared.http import current_principal, error, lang, read_json
from stagepool_shared.web.openapi_schemas import StrictSchema

from .. import commands
from ..domain.model import InboxEntry
from ..errors import (AlreadyAnswered, DeadlinePassed, NotCurrentOutcome, PlacementExcluded, PlacementNotFound,
                      PlaceWithdrawn)
from .web import NOT_ANSWERABLE, deps, requires

INBOX_ROLES = {"student": "student", "school_staff": "school", "support_staff": "school",
               "organisation_staff": "organisation", "regional_coordinator": "region"}

api = Blueprint("notifier_api", __name__, url_prefix="/api/v1")


class RefuseSchema(StrictSchema):
    reason_code = fields.String(required=True, validate=validate.OneOf(REFUSAL_REASONS))


class AcceptSchema(StrictSchema):
    """No fields: an empty body."""


@api.get("/inbox")
@requires(*INBOX_ROLES)
def inbox() -> Response:
    principal = current_principal()
    entries = commands.read_inbox(deps(), INBOX_ROLES[principal.role], principal.scope)
    return jsonify(messages=[_entry(e) for e in entries], lang=lang())


@api.post("/placements/<round_id>/accept")
@requires("student")
def accept(round_id: str) -> Response:
    AcceptSchema().load(_body_or_empty())
    return _answer(round_id, "accepted", None)


@api.post("/placements/<round_id>/refuse")
@requires("student")
def refuse(round_id: str) -> Response:
    data = RefuseSchema().load(read_json())
    return _answer(round_id, "refused", data["reason_code"])


def _body_or_empty() -> Any:
    """Accept takes no fields; an empty body is fine, a non-empty one must be a JSON object without fields."""
    return read_json() if request.get_data(cache=True) else {}


def _answer(round_id: str, answer: str, reason_code: str | None) -> Response:
    student_ref = current_principal().scope
    try:
        envelope = commands.answer_placement(deps(), round_id, student_ref, answer, reason_code)
    except PlacementNotFound:
        return error(404, "not_found", "Not found.")
    except AlreadyAnswered as err:
        return error(409, "already_answered", f"You already {err.answer} this placement.")
    except DeadlinePassed:
        return error(409, "deadline_passed", "The deadline to answer has passed; contact your school.")
    except (NotCurrentOutcome, PlacementExcluded, PlaceWithdrawn) as err:
        code, nl, en = NOT_ANSWERABLE[type(err)]
        return error(409, code, nl if lang() == "nl" else en)
    response = jsonify(event_id=envelope.event_id, answer=answer, round_id=round_id)
    response.status_code = 200
    return response


def _entry(entry: InboxEntry) -> dict[str, Any]:
    return {"id": entry.delivery, "round_id": entry.round_id, "kind": entry.message_kind,
            "subject": entry.subject, "body": entry.body, "visible_from": entry.visible_from.isoformat()}
