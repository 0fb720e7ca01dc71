"""The rounds API under /api/v1/rounds: request, list, read, compare, approve and schedule rounds.

Views parse (marshmallow, unknown fields refused), call a command from `matcher.commands` and map the
result to JSON. A round the caller may not see answers 404, as does any round for an organisation before
release. Imports Flask, marshmallow, the shared HTTP edge and the matcher's commands.
"""

from __future__ import annotations

from typing import Any

from flask import Blueprint, Response, g, jsonify
from marshmallow import Schema, ValidationError, fields, validate, validates_schema

from stagepool_shared.events.base import ID_PATTERN
from stagepool_shared.events.rounds import FINAL, OutcomeSchema, ROUND_KINDS, ManifestSchema, SummarySchema
from stagepool_shared.events.wishes import SECTORS
from stagepool_shared.http import read_json, require
from stagepool_shared.web.openapi import load_query
from stagepool_shared.web.openapi_schemas import StrictSchema

from .. import commands, replacement
from ..rounds.fast_track import FAST_TRACK_MAX
from ..rounds.record import RoundRecord
from .objection_form import ObjectionSchema
from .page_audit import trail_json
from .web import deps, tokens

COORDINATOR = "regional_coordinator"
APPROVERS = ("school_staff", "support_staff", COORDINATOR)
READERS = ("school_staff", "support_staff", COORDINATOR, "organisation_staff", "student")

bp = Blueprint("rounds", __name__, url_prefix="/api/v1/rounds")


class RoundRequestSchema(StrictSchema):
    region_id = fields.String(required=True, validate=validate.Regexp(ID_PATTERN))
    period_id = fields.String(required=True, validate=validate.Regexp(ID_PATTERN))
    sector = fields.String(load_default=None, allow_none=True, validate=validate.OneOf(SECTORS))
    seed = fields.Integer(load_default=None, allow_none=True, strict=True, validate=validate.Range(0, 2**31 - 1))
    kind = fields.String(load_default="initial", validate=validate.OneOf(ROUND_KINDS))
    previous_round_id = fields.String(load_default=None, allow_none=True, validate=validate.Regexp(ID_PATTERN))

    @validates_schema
    def _final_names_its_candidates(self, data: dict[str, Any], **_: Any) -> None:
        """A final round (variant 2) finishes the candidates round it names."""
        if data.get("kind") == FINAL and not data.get("previous_round_id"):
            raise ValidationError("A final round names its candidates round.", "previous_round_id")


class FastTrackSchema(StrictSchema):
    """A fast-track re-placement (issue 20.3): the region, the period and the one or few students."""

    region_id = fields.String(required=True, validate=validate.Regexp(ID_PATTERN))
    period_id = fields.String(required=True, validate=validate.Regexp(ID_PATTERN))
    student_refs = fields.List(fields.String(validate=validate.Regexp(ID_PATTERN)), required=True,
                               validate=validate.Length(1, FAST_TRACK_MAX))
    seed = fields.Integer(load_default=None, allow_none=True, strict=True, validate=validate.Range(0, 2**31 - 1))


class RoundListQuery(Schema):
    """?region_id= (default: the caller's region)."""

    region_id = fields.String(validate=validate.Regexp(ID_PATTERN))


class ReleaseSchema(StrictSchema):
    release_at = fields.AwareDateTime(required=True)
    respond_by = fields.AwareDateTime(required=True)


@bp.post("")
@require(tokens, COORDINATOR)
def request_round() -> tuple[Response, int]:
    """Request a round: initial, rematch, or variant 2's candidates round and the final round naming it."""
    body = RoundRequestSchema().load(read_json())
    round_id = commands.request_round(deps(), g.principal, **body)
    return jsonify(round_id=round_id, status="requested"), 202


@bp.post("/fast-track")
@require(tokens, COORDINATOR, "school_staff", "support_staff")
def request_fast_track() -> tuple[Response, int]:
    """Re-place one or a few students from free capacity now, without a full round (issue 20.3)."""
    body = FastTrackSchema().load(read_json())
    round_id = replacement.request_fast_track(deps(), g.principal, **body)
    return jsonify(round_id=round_id, status="requested", kind="fast_track"), 202


@bp.get("")
@require(tokens, *READERS)
def list_rounds() -> Response:
    region = load_query(RoundListQuery).get("region_id", g.principal.region_id or g.principal.scope)
    return jsonify(rounds=[_headline(record) for record in commands.visible_rounds(deps(), g.principal, region)])


@bp.get("/<round_id>")
@require(tokens, *READERS)
def get_round(round_id: str) -> Response:
    record = commands.visible_record(deps(), g.principal, round_id)
    body = _headline(record)
    if record.status != "requested":
        outcomes = commands.visible_outcomes(g.principal, deps().store.outcomes(round_id))
        body["outcomes"] = OutcomeSchema(many=True).dump(outcomes)
    if g.principal.role in APPROVERS:
        state = commands.approval_of(record)
        body["approval"] = {"complete": state.complete, "approvers": len(state.approvers),
                            "users_missing": state.users_missing,
                            "schools_missing_support": list(state.schools_missing_support),
                            "schools": [school.as_dict() for school in state.schools]}
        own = None if g.principal.role == COORDINATOR else g.principal.scope
        body["audit"] = trail_json(record, own)
        body["objections"] = [vars(o) for o in record.objections if own is None or o.school_id == own]
    return jsonify(body)


@bp.get("/<round_id>/compare/<other_id>")
@require(tokens, COORDINATOR, "school_staff", "support_staff")
def compare(round_id: str, other_id: str) -> Response:
    return jsonify(commands.compare_rounds(deps(), g.principal, round_id, other_id))


@bp.post("/<round_id>/approvals")
@require(tokens, *APPROVERS)
def approve(round_id: str) -> tuple[Response, int]:
    state = commands.approve_round(deps(), g.principal, round_id)
    return jsonify(round_id=round_id, complete=state.complete, users_missing=state.users_missing,
                   schools_missing_support=list(state.schools_missing_support),
                   schools=[school.as_dict() for school in state.schools]), 201


@bp.post("/<round_id>/objections")
@require(tokens, "school_staff", "support_staff")
def object_to_match(round_id: str) -> tuple[Response, int]:
    """Object to one of the school's proposed placements (the `note` is checked, then dropped)."""
    body = ObjectionSchema().load(read_json())
    objection = commands.object_to_match(deps(), g.principal, round_id, body["student_ref"], body["reason_code"])
    return jsonify(round_id=round_id, **vars(objection)), 201


@bp.post("/<round_id>/release")
@require(tokens, COORDINATOR)
def release(round_id: str) -> tuple[Response, int]:
    body = ReleaseSchema().load(read_json())
    scheduled = commands.schedule_release(deps(), g.principal, round_id, body["release_at"], body["respond_by"])
    return jsonify(round_id=round_id, release_at=scheduled.release_at, respond_by=scheduled.respond_by), 202


def _headline(record: RoundRecord) -> dict[str, Any]:
    req = record.request
    body: dict[str, Any] = {
        "round_id": req.round_id, "region_id": req.region_id, "period_id": req.period_id, "kind": req.kind,
        "sector": req.sector, "status": record.status, "requested_at": record.requested_at,
    }
    if record.manifest is not None:
        body["manifest"] = ManifestSchema().dump(record.manifest)
        body["summary"] = SummarySchema().dump(record.summary)
        body["proposal_published"] = record.proposal_published
    if record.failure is not None:
        body["failure"] = record.failure
    if record.release is not None:
        body["release_at"], body["respond_by"] = record.release.release_at, record.release.respond_by
    if record.held is not None:
        body["release_held"] = {"withdrawn_places": list(record.held.places), "students_left": list(record.held.students)}
    return body
