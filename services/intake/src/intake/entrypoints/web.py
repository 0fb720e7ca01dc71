"""Helpers every intake blueprint uses: the wiring and its deps, input loading with the forbidden-field rule,
the Idempotency-Key decorator, 202 answers and the translation of domain errors to HTTP.

Imports Flask, marshmallow, the shared HTTP edge and intake's ports/errors/metrics.
"""

from __future__ import annotations

import functools
import hashlib
import json
import re
import uuid
from typing import TYPE_CHECKING, Any, Callable, Iterable

from flask import Flask, Response, current_app, g, jsonify, request
from marshmallow import Schema, ValidationError

from stagepool_shared.envelope import Envelope
from stagepool_shared.http import error, require

from .. import metrics
from ..domain.forbidden import forbidden_fields
from ..errors import Conflict, InvalidInput, NotFound
from ..ports import Deps

if TYPE_CHECKING:
    from ..bootstrap import Wiring

EXTENSION = "intake"
IDEMPOTENCY_HEADER = "Idempotency-Key"
_KEY_PATTERN = re.compile(r"^[\x21-\x7e]{1,200}$")
_NAMESPACE = uuid.UUID("6f1c7c4e-3f7e-4d59-9a55-0b7f2c6b1e11")
SCHOOL_ROLES = ("school_staff", "support_staff")


def wiring() -> "Wiring":
    """The wiring of the app serving this request (create_app keeps it in app.extensions)."""
    return current_app.extensions[EXTENSION]


def deps() -> Deps:
    """What the commands work with."""
    return wiring().deps


def requires(*roles: str) -> Callable:
    """The caller must hold a token of one of `roles` (401 without one, 403 for another role)."""
    return require(lambda: wiring().tokens, *roles)


def load(schema: Schema, data: Any, criteria_keys: Iterable[str] = (), in_criteria: bool = False) -> dict:
    """Refuse personal-characteristic fields first (with the reason), then load strictly."""
    found = forbidden_fields(data, criteria_keys=criteria_keys, in_criteria=in_criteria)
    if found:
        metrics.FORBIDDEN_FIELDS.labels("api").inc()
        raise ValidationError(found)
    return schema.load(data)


def accepted(envelope: Envelope, **extra: str) -> Response:
    """202 with the acknowledged event's id and type."""
    metrics.EVENTS_ACCEPTED.labels(envelope.event_type).inc()
    response = jsonify(event_id=envelope.event_id, event_type=envelope.event_type, **extra)
    response.status_code = 202
    return response


def seed() -> str | None:
    """The event-id seed derived from the request's Idempotency-Key (None without one)."""
    return g.get("idempotency_seed")


def _body_fingerprint() -> str:
    digest = hashlib.sha256(f"{request.method} {request.path}\n".encode())
    if request.mimetype == "multipart/form-data":
        for name in sorted(request.files):
            upload = request.files[name]
            digest.update(f"{name}:{upload.filename}\n".encode())
            digest.update(upload.stream.read())
            upload.stream.seek(0)
    else:
        digest.update(request.get_data(cache=True))
    return digest.hexdigest()


def idempotent(view: Callable) -> Callable:
    """Same Idempotency-Key and body -> the stored answer, without acting again; another body -> 409.

    Only 2xx answers are stored (for the configured TTL). The event ids of the first attempt are
    derived from the key, so even a retry after a crash between publish and store republishes the same
    event ids, which consumers ignore as duplicates.
    """

    @functools.wraps(view)
    def wrapped(*args: Any, **kwargs: Any) -> Any:
        key = request.headers.get(IDEMPOTENCY_HEADER)
        if key is None:
            return view(*args, **kwargs)
        if not _KEY_PATTERN.match(key):
            return error(400, "bad_request", "The Idempotency-Key header must be 1 to 200 visible characters.")
        principal = g.principal
        scope = hashlib.sha256("\x1f".join((principal.role, principal.scope, principal.user_id, key)).encode()).hexdigest()
        fingerprint = _body_fingerprint()
        stored = deps().idempotency.get(scope)
        if stored is not None:
            if stored["fingerprint"] != fingerprint:
                return error(409, "idempotency_conflict", "The Idempotency-Key was used before with a different body.")
            return Response(stored["body"], status=stored["status"], mimetype=stored["mimetype"],
                            headers={"Idempotent-Replayed": "true"})
        g.idempotency_seed = str(uuid.uuid5(_NAMESPACE, scope))
        response = current_app.make_response(view(*args, **kwargs))
        if 200 <= response.status_code < 300:
            deps().idempotency.put(scope, {"fingerprint": fingerprint, "status": response.status_code,
                                           "mimetype": response.mimetype, "body": response.get_data(as_text=True)})
        return response

    return wrapped


def install_domain_errors(app: Flask) -> None:
    """Domain errors -> HTTP, in one table."""

    @app.errorhandler(NotFound)
    def _not_found(_: NotFound) -> Response:
        return error(404, "not_found", "Not found.")

    @app.errorhandler(Conflict)
    def _conflict(err: Conflict) -> Response:
        return error(409, "conflict", str(err))

    @app.errorhandler(InvalidInput)
    def _invalid(err: InvalidInput) -> Response:
        return error(422, "validation_failed", "The input is not valid.", fields=err.messages)


def json_response(data: Any, status: int = 200) -> Response:
    response = Response(json.dumps(data, ensure_ascii=False, default=str), status=status, mimetype="application/json")
    return response


QUERY_CHOICES = {"lang": ("nl", "en"), "format": ("json", "csv")}


def install_query_checks(app: Flask) -> None:
    """Refuse unknown values of the shared query parameters (an invalid request is never accepted)."""

    @app.before_request
    def _check_query() -> Response | None:
        for name, choices in QUERY_CHOICES.items():
            values = request.args.getlist(name)
            if len(values) > 1 or (values and values[0] not in choices):
                return error(400, "bad_request", f"The query parameter {name} must be one of: {', '.join(choices)}.",
                             fields={name: [f"Must be one of: {', '.join(choices)}."]})
        return None
