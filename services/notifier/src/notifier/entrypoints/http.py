"""The notifier's HTTP API: the in-app inbox and the student's answer to a placement, plus ops routes.

GET  /api/v1/inbox                            student | school_staff | support_staff | organisation_staff
POST /api/v1/placements/<round_id>/accept     student (scope = student_ref)
POST /api/v1/placements/<round_id>/refuse     student, body {"reason_code": one of REFUSAL_REASONS}
plus the pages (entrypoints/pages.py) and the shared sign-in (/login, /s/<token>, /logout, /lang/<code>).
Views parse, call a handler and map the result. Imports Flask, marshmallow and the handlers.
"""

from __future__ import annotations

from typing import Any, Callable

from flask import Flask, Response, jsonify, request
from marshmallow import RAISE, Schema, fields, validate

from stagepool_shared.events.placements import REFUSAL_REASONS
from stagepool_shared.http import add_ops_routes, current_principal, error, harden, lang, read_json, require
from stagepool_shared.web.pages import install_web

from .. import handlers
from ..bootstrap import Notifier
from ..errors import AlreadyAnswered, DeadlinePassed, PlacementNotFound
from .pages import register_pages

INBOX_ROLES = {"student": "student", "school_staff": "school", "support_staff": "school",
               "organisation_staff": "organisation"}


class RefuseSchema(Schema):
    class Meta:
        unknown = RAISE

    reason_code = fields.String(required=True, validate=validate.OneOf(REFUSAL_REASONS))


class AcceptSchema(Schema):
    class Meta:
        unknown = RAISE


def create_app(notifier: Notifier, ready_check: Callable[[], dict[str, bool]] | None = None) -> Flask:
    """The Flask app of the notifier, bound to a bootstrapped Notifier: the API, and the pages when the notifier
    has the identity store (always in production; unit tests of the API may build it without Redis)."""
    app = Flask("notifier")
    harden(app)
    if notifier.accounts is not None:
        accounts = notifier.accounts
        install_web(app, lambda: accounts, notifier.settings.links)
        register_pages(app, notifier)
    add_ops_routes(app, ready_check or (lambda: {"redis": True}))
    tokens = lambda: notifier.tokens  # noqa: E731 - require() wants a getter
    deps = notifier.deps

    @app.get("/api/v1/inbox")
    @require(tokens, *INBOX_ROLES)
    def inbox() -> Response:
        principal = current_principal()
        entries = handlers.read_inbox(deps, INBOX_ROLES[principal.role], principal.scope)
        return jsonify(messages=[_entry(e) for e in entries], lang=lang())

    @app.post("/api/v1/placements/<round_id>/accept")
    @require(tokens, "student")
    def accept(round_id: str) -> Response:
        AcceptSchema().load(_body_or_empty())
        return _answer(deps, round_id, "accepted", None)

    @app.post("/api/v1/placements/<round_id>/refuse")
    @require(tokens, "student")
    def refuse(round_id: str) -> Response:
        data = RefuseSchema().load(read_json())
        return _answer(deps, round_id, "refused", data["reason_code"])

    return app


def _body_or_empty() -> Any:
    """Accept takes no fields; an empty body is fine, a non-empty one must be a JSON object without fields."""
    return read_json() if request.get_data(cache=True) else {}


def _answer(deps: handlers.Deps, round_id: str, answer: str, reason_code: str | None) -> Response:
    student_ref = current_principal().scope
    try:
        envelope = handlers.answer_placement(deps, round_id, student_ref, answer, reason_code)
    except PlacementNotFound:
        return error(404, "not_found", "Not found.")
    except AlreadyAnswered as err:
        return error(409, "already_answered", f"You already {err.answer} this placement.")
    except DeadlinePassed:
        return error(409, "deadline_passed", "The deadline to answer has passed; contact your school.")
    response = jsonify(event_id=envelope.event_id, answer=answer, round_id=round_id)
    response.status_code = 200
    return response


def _entry(entry: Any) -> dict[str, Any]:
    return {"id": entry.delivery, "round_id": entry.round_id, "kind": entry.message_kind,
            "subject": entry.subject, "body": entry.body, "visible_from": entry.visible_from.isoformat()}
