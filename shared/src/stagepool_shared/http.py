"""The HTTP edge every Flask service shares: hardened JSON input, JSON errors in Dutch or English,
bearer-token principals, a per-request deadline, and the /healthz, /readyz and /metrics routes.

Views stay thin: `read_json()` -> schema.load -> handler -> response. A marshmallow ValidationError
becomes 422 with field-level messages; an oversized body 413; malformed or hostile JSON 400.
"""

from __future__ import annotations

import functools
import json
import logging
import re
import uuid
from typing import Any, Callable

import redis
from flask import Flask, Response, current_app, g, jsonify, render_template, request
from marshmallow import ValidationError
from werkzeug.exceptions import HTTPException

from . import deadline
from .auth import ROLES, Principal, TokenStore
from .errors import PublishFailed
from .i18n import translate_messages, translate
from .metrics import metrics_payload

logger = logging.getLogger(__name__)

MAX_BODY_BYTES = 2 * 1024 * 1024
MAX_JSON_DEPTH = 20
#: The most a request keeps back from its deadline for building and sending its answer (and for the time
#: before the app sees the request: accepting the connection, reading the headers, on a busy machine).
ANSWER_RESERVE_MAX_S = 1.0
_BAD_CHARS = re.compile("[\x00\ud800-\udfff]")


class BadInput(Exception):
    """The request body is not acceptable JSON (answered 400)."""


def lang() -> str:
    """The caller's language: ?lang=en|nl, else Accept-Language, else Dutch."""
    asked = request.args.get("lang") or request.cookies.get("lang")
    if asked in ("nl", "en"):
        return asked
    best = request.accept_languages.best_match(["nl", "en"])
    return best or "nl"


def error(status: int, code: str, message: str, fields: dict[str, Any] | None = None,
          headers: dict[str, str] | None = None) -> Response:
    """A JSON error body: a stable code, a message in the caller's language, optional field messages."""
    body: dict[str, Any] = {"error": code, "message": translate(message, lang())}
    if fields:
        body["fields"] = translate_messages(fields, lang())
    response = jsonify(body)
    response.status_code = status
    for name, value in (headers or {}).items():
        response.headers[name] = value
    return response


def _check_value(value: Any, depth: int = 0) -> None:
    if depth > MAX_JSON_DEPTH:
        raise BadInput("JSON is nested too deeply")
    if isinstance(value, str):
        if _BAD_CHARS.search(value):
            raise BadInput("text contains a NUL byte or a lone surrogate")
    elif isinstance(value, dict):
        for key, item in value.items():
            _check_value(key, depth + 1)
            _check_value(item, depth + 1)
    elif isinstance(value, list):
        for item in value:
            _check_value(item, depth + 1)


def read_json() -> Any:
    """The request's JSON body, checked: JSON content type, valid UTF-8, bounded depth, no NUL or lone surrogate."""
    if not request.is_json:
        raise BadInput("the body must be JSON (Content-Type: application/json)")
    raw = request.get_data(cache=True)
    try:
        value = json.loads(raw.decode("utf-8"))
    except (UnicodeDecodeError, ValueError, RecursionError):
        raise BadInput("the body is not valid JSON") from None
    _check_value(value)
    return value


def bearer_token() -> str | None:
    header = request.headers.get("Authorization", "")
    if header.startswith("Bearer "):
        return header[7:].strip()
    return None


def require(tokens: Callable[[], TokenStore], *roles: str) -> Callable:
    """Decorator: the caller must present a token of one of `roles`; sets `g.principal`."""

    def decorator(view: Callable) -> Callable:
        @functools.wraps(view)
        def wrapped(*args: Any, **kwargs: Any) -> Any:
            principal = tokens().lookup(bearer_token())
            if principal is None:
                return error(401, "unauthorized", "A valid API token is required.",
                             headers={"WWW-Authenticate": "Bearer"})
            if roles and principal.role not in roles:
                return error(403, "forbidden", "Your role may not do this.")
            g.principal = principal
            return view(*args, **kwargs)

        wrapped.roles = roles or ROLES  # type: ignore[attr-defined]  # the OpenAPI document reads them
        return wrapped

    return decorator


def current_principal() -> Principal:
    return g.principal


def install_error_handlers(app: Flask) -> None:
    """Every error answers JSON; nothing leaks a stack trace."""

    @app.errorhandler(ValidationError)
    def _validation(err: ValidationError) -> Response:
        messages = err.messages if isinstance(err.messages, dict) else {"_schema": err.messages}
        return error(422, "validation_failed", "The input is not valid.", fields=messages)

    @app.errorhandler(BadInput)
    def _bad_input(err: BadInput) -> Response:
        return error(400, "bad_request", str(err))

    @app.errorhandler(PublishFailed)
    def _kafka_down(err: PublishFailed) -> Response:
        logger.warning("publish failed: %s", err)
        return error(503, "unavailable", "The event log is unavailable; nothing was stored. Try again shortly.",
                     headers={"Retry-After": "5"})

    @app.errorhandler(redis.ConnectionError)
    @app.errorhandler(redis.TimeoutError)
    def _store_down(err: redis.RedisError) -> Response:
        # Redis away for a moment (a restart, or a Sentinel failover: tests/integration/test_cluster_faults.py):
        # not acknowledged, retry later; never a 500 with a traceback.
        logger.warning("store unavailable: %s", err)
        return error(503, "unavailable", "The store is unavailable for a moment. Try again shortly.",
                     headers={"Retry-After": "2"})

    @app.errorhandler(HTTPException)
    def _http(err: HTTPException) -> Response:
        if _wants_html():
            return _html_error(err.code or 500, err.name, err.description or err.name)
        code = (err.name or "error").lower().replace(" ", "_")
        return error(err.code or 500, code, err.description or err.name)

    @app.errorhandler(Exception)
    def _unexpected(err: Exception) -> Response:
        ref = str(uuid.uuid4())
        logger.exception("unexpected error %s", ref)
        return error(500, "internal_error", "Something went wrong on our side.", fields={"reference": [ref]})


def _wants_html() -> bool:
    """Pages (not the API) answer errors as HTML, in the layout of the pages."""
    machine_paths = ("/api/", "/internal/", "/healthz", "/readyz", "/metrics")
    return "stagepool_web" in current_app.blueprints and not request.path.startswith(machine_paths)


def _html_error(status: int, title: str, message: str) -> Response:
    texts = {404: ("Niet gevonden", "Not found", "Deze pagina bestaat niet of is niet voor u.",
                   "This page does not exist or is not for you.")}
    nl_title, en_title, nl_msg, en_msg = texts.get(status, (title, title, message, message))
    english = lang() == "en"
    response = Response(render_template("stagepool/error.html", code=status,
                                        title=en_title if english else nl_title,
                                        message=en_msg if english else nl_msg), status=status)
    return response


def add_ops_routes(app: Flask, ready_check: Callable[[], dict[str, bool]]) -> None:
    """/healthz (process up), /readyz (Kafka and Redis answer), /metrics (Prometheus)."""

    @app.get("/healthz")
    def healthz() -> Response:
        return jsonify(status="ok")

    @app.get("/readyz")
    def readyz() -> Response:
        checks = ready_check()
        response = jsonify(ready=all(checks.values()), checks=checks)
        response.status_code = 200 if all(checks.values()) else 503
        return response

    @app.get("/metrics")
    def metrics_route() -> Response:
        body, content_type = metrics_payload()
        return Response(body, content_type=content_type)


#: Only our own scripts, styles and images; no page may be framed (clickjacking), no plugin, no foreign base.
CONTENT_SECURITY_POLICY = ("default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; "
                           "object-src 'none'; base-uri 'self'; frame-ancestors 'none'")
#: Static assets (stylesheet, scripts) hold no personal data and may be cached; every other answer may.
_CACHEABLE_PREFIXES = ("/ui/", "/static/")


def _security_headers(response: Response) -> Response:
    """The headers every answer carries (issue 19.5): no framing, own sources only, no referrer to other
    sites, no sniffing, no caching of answers that may hold personal data, no server banner."""
    headers = response.headers
    own = headers.get("Content-Security-Policy")  # a view's stricter policy (a standalone report) stays
    if not own:
        headers["Content-Security-Policy"] = CONTENT_SECURITY_POLICY
    elif "frame-ancestors" not in own:
        headers["Content-Security-Policy"] = own + "; frame-ancestors 'none'"
    headers["X-Frame-Options"] = "DENY"
    headers["Referrer-Policy"] = "same-origin"
    headers["X-Content-Type-Options"] = "nosniff"
    if not request.path.startswith(_CACHEABLE_PREFIXES):
        headers["Cache-Control"] = "no-store"
    headers["Server"] = "stagepool"
    return response


def harden(app: Flask) -> None:
    """Body size limit, JSON error handlers, sorted-key-free compact JSON, the security headers."""
    app.config["MAX_CONTENT_LENGTH"] = MAX_BODY_BYTES
    app.json.sort_keys = False
    install_error_handlers(app)
    app.after_request(_security_headers)


def add_request_deadline(app: Flask, seconds: float) -> None:
    """Run every request of `app` under one deadline (stagepool_shared.deadline): `seconds` after it reached
    the app, less a fifth (at most ANSWER_RESERVE_MAX_S) kept back for the answer itself. The Kafka publisher
    never waits past it, so a request that has to answer 503 does so within `seconds` of its start, however
    long the steps before the publish took. (Under gunicorn, time queued before a worker thread takes the
    request is not counted.)"""
    budget = seconds - min(ANSWER_RESERVE_MAX_S, seconds / 5)
    inner = app.wsgi_app

    def wsgi_app(environ: dict, start_response: Callable) -> Any:
        with deadline.within(budget):
            return inner(environ, start_response)

    app.wsgi_app = wsgi_app  # type: ignore[method-assign]
