"""The matcher's HTTP API (Flask): request, read, compare, approve and schedule rounds.

Views parse (marshmallow, unknown fields refused), call a command from `entrypoints.commands` and map the
result. A round the caller may not see answers 404, as does any round for an organisation before release.
Imports Flask, marshmallow and the shared HTTP edge.
"""

from __future__ import annotations

from typing import Any, Callable

from flask import Blueprint, Flask, Response, g, jsonify, request
from marshmallow import RAISE, Schema, fields, validate

from stagepool_shared.auth import TokenStore
from stagepool_shared.events.base import ID_PATTERN
from stagepool_shared.events.rounds import OutcomeSchema, ROUND_KINDS, ManifestSchema, SummarySchema
from stagepool_shared.events.wishes import SECTORS
from stagepool_shared.http import add_ops_routes, error, harden, read_json, require
from stagepool_shared.web.accounts import Accounts
from stagepool_shared.web.links import WebLinks
from stagepool_shared.web.pages import install_web

from .. import handlers
from ..adapters.store import RoundRecord
from ..rounds import RoundConflict, RoundNotFound, rate_changes
from . import commands
from .pages import coordinator_blueprint
from .pages_review import review_blueprint

COORDINATOR = "regional_coordinator"
APPROVERS = ("school_staff", "support_staff", COORDINATOR)
READERS = ("school_staff", "support_staff", COORDINATOR, "organisation_staff", "student")


class RoundRequestSchema(Schema):
    class Meta:
        unknown = RAISE

    region_id = fields.String(required=True, validate=validate.Regexp(ID_PATTERN))
    period_id = fields.String(required=True, validate=validate.Regexp(ID_PATTERN))
    sector = fields.String(load_default=None, allow_none=True, validate=validate.OneOf(SECTORS))
    seed = fields.Integer(load_default=None, allow_none=True, strict=True, validate=validate.Range(0, 2**31 - 1))
    kind = fields.String(load_default="initial", validate=validate.OneOf(ROUND_KINDS))
    previous_round_id = fields.String(load_default=None, allow_none=True, validate=validate.Regexp(ID_PATTERN))


class ReleaseSchema(Schema):
    class Meta:
        unknown = RAISE

    release_at = fields.AwareDateTime(required=True)
    respond_by = fields.AwareDateTime(required=True)


def create_app(svc: handlers.Services, tokens: Callable[[], TokenStore],
               ready_check: Callable[[], dict[str, bool]], *, accounts: Callable[[], Accounts] | None = None,
               links: WebLinks | None = None) -> Flask:
    """The Flask app around ready-built services (bootstrap builds them; tests pass fakes).

    With `accounts`, the pages are served too: sign-in (shared web layer), /pages/coordinator, /pages/review.
    """
    app = Flask("matcher")
    harden(app)
    add_ops_routes(app, ready_check)
    app.register_blueprint(_rounds_blueprint(svc, tokens))
    if accounts is not None:
        install_web(app, accounts, links or WebLinks())
        app.register_blueprint(coordinator_blueprint(svc))
        app.register_blueprint(review_blueprint(svc))

    @app.errorhandler(RoundNotFound)
    def _not_found(_: RoundNotFound) -> Response:
        return error(404, "not_found", "Not found.")

    @app.errorhandler(RoundConflict)
    def _conflict(err: RoundConflict) -> Response:
        return error(409, "conflict", str(err), fields=err.details)

    return app


def _rounds_blueprint(svc: handlers.Services, tokens: Callable[[], TokenStore]) -> Blueprint:
    bp = Blueprint("rounds", __name__, url_prefix="/api/v1/rounds")

    @bp.post("")
    @require(tokens, COORDINATOR)
    def request_round() -> tuple[Response, int]:
        body = RoundRequestSchema().load(read_json())
        round_id = commands.request_round(svc, g.principal, **body)
        return jsonify(round_id=round_id, status="requested"), 202

    @bp.get("")
    @require(tokens, *READERS)
    def list_rounds() -> Response:
        region = request.args.get("region_id", g.principal.region_id or g.principal.scope)
        items = []
        for record in svc.store.list_rounds(region):
            try:
                commands.visible_record(svc, g.principal, record.round_id)
            except RoundNotFound:
                continue
            items.append(_headline(record))
        return jsonify(rounds=items)

    @bp.get("/<round_id>")
    @require(tokens, *READERS)
    def get_round(round_id: str) -> Response:
        record = commands.visible_record(svc, g.principal, round_id)
        body = _headline(record)
        if record.status != "requested":
            outcomes = commands.visible_outcomes(g.principal, svc.store.outcomes(round_id))
            body["outcomes"] = OutcomeSchema(many=True).dump(outcomes)
        if g.principal.role in APPROVERS:
            state = commands.approval_of(record)
            body["approval"] = {"complete": state.complete, "approvers": len(state.approvers),
                                "users_missing": state.users_missing,
                                "schools_missing_support": list(state.schools_missing_support)}
        return jsonify(body)

    @bp.get("/<round_id>/compare/<other_id>")
    @require(tokens, COORDINATOR, "school_staff", "support_staff")
    def compare(round_id: str, other_id: str) -> Response:
        first = commands.visible_record(svc, g.principal, round_id)
        second = commands.visible_record(svc, g.principal, other_id)
        if first.summary is None or second.summary is None:
            raise RoundConflict("Both rounds must be proposed before they can be compared.")
        return jsonify(compare_summaries(first, second))

    @bp.post("/<round_id>/approvals")
    @require(tokens, *APPROVERS)
    def approve(round_id: str) -> tuple[Response, int]:
        state = commands.approve_round(svc, g.principal, round_id)
        return jsonify(round_id=round_id, complete=state.complete, users_missing=state.users_missing,
                       schools_missing_support=list(state.schools_missing_support)), 201

    @bp.post("/<round_id>/release")
    @require(tokens, COORDINATOR)
    def release(round_id: str) -> tuple[Response, int]:
        body = ReleaseSchema().load(read_json())
        scheduled = commands.schedule_release(svc, g.principal, round_id, body["release_at"], body["respond_by"])
        return jsonify(round_id=round_id, release_at=scheduled.release_at, respond_by=scheduled.respond_by), 202

    return bp


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
    return body


def compare_summaries(first: RoundRecord, second: RoundRecord) -> dict[str, Any]:
    """Differences (second minus first) in the summary figures and in every school's rate."""
    a, b = first.summary, second.summary
    assert a is not None and b is not None
    figures = ("students", "placed", "unplaced", "worst_school_rate", "best_school_rate", "school_spread",
               "top1_share", "top3_share")
    return {
        "round_id": first.round_id, "other_round_id": second.round_id,
        "figures": {f: {"round": getattr(a, f), "other": getattr(b, f),
                        "difference": round(getattr(b, f) - getattr(a, f), 6)} for f in figures},
        "school_rates": [{"school_id": school, "sector": sector, "round": before, "other": after,
                          "difference": None if before is None or after is None else round(after - before, 6)}
                         for sector, school, before, after in rate_changes(a, b)],
    }
