"""The OpenAPI 3 document of intake's API (apispec + its marshmallow plugin), and the routes serving it
and a readable docs page (a self-made page that renders the document; no CDN).

The document is the inventory of the API: a test checks that every route is in it, and schemathesis
fuzzes the running service against it.
"""

from __future__ import annotations

from importlib import resources
from typing import Any

from apispec import APISpec
from apispec.ext.marshmallow import MarshmallowPlugin
from flask import Blueprint, Response, current_app, jsonify

from . import schemas

bp = Blueprint("docs", __name__)

JSON = "application/json"
ERROR = {"description": "Error", "content": {JSON: {"schema": "Error"}}}
ACCEPTED = {"description": "Accepted: Kafka acknowledged the event", "content": {JSON: {"schema": "Accepted"}}}
IMPORT_REJECTED = {"description": "The file was not imported: every problem, row by row (?format=csv: as CSV)",
                   "content": {JSON: {"schema": "ImportRejected"}, "text/csv": {"schema": {"type": "string"}}}}
OK = {"description": "OK", "content": {JSON: {"schema": {"type": "object"}}}}
IDEMPOTENCY = {"in": "header", "name": "Idempotency-Key", "required": False,
               "schema": {"type": "string", "minLength": 1, "maxLength": 200, "pattern": "^[!-~]+$"}}
LANG = {"in": "query", "name": "lang", "required": False, "schema": {"type": "string", "enum": ["nl", "en"]}}
ID_SCHEMA = {"type": "string", "pattern": r"^[A-Za-z0-9][A-Za-z0-9._:-]{0,79}$"}


def _path_params(*names: str) -> list[dict[str, Any]]:
    return [{"in": "path", "name": n, "required": True, "schema": ID_SCHEMA} for n in names]


def _errors(*codes: int) -> dict[str, Any]:
    return {str(c): ERROR for c in codes}


def _op(summary: str, *, tag: str, body: str | None = None, params: tuple[str, ...] = (),
        ok: dict | None = None, ok_code: int = 200, write: bool = False, errors: tuple[int, ...] = (),
        extra_params: list[dict] | None = None, multipart: bool = False) -> dict[str, Any]:
    operation: dict[str, Any] = {
        "summary": summary, "tags": [tag],
        "parameters": _path_params(*params) + ([IDEMPOTENCY] if write else []) + [LANG] + (extra_params or []),
        "responses": {str(ok_code): ok or OK, **_errors(400, 401, 403, 404, *errors)},
    }
    if body:
        operation["requestBody"] = {"required": True, "content": {JSON: {"schema": body}}}
    if multipart:
        operation["requestBody"] = {"required": True, "content": {"multipart/form-data": {"schema": {
            "type": "object", "required": ["file"],
            "properties": {"file": {"type": "string", "format": "binary"}}}}}}
    if write:
        operation["responses"].update(_errors(409, 413, 422, 503))
    if multipart:
        operation["responses"]["422"] = IMPORT_REJECTED
    return operation


def _paths() -> dict[str, dict[str, Any]]:
    accepted = dict(ok=ACCEPTED, ok_code=202, write=True)
    fmt = [{"in": "query", "name": "format", "required": False, "schema": {"type": "string", "enum": ["json", "csv"]}}]
    return {
        "/api/v1/wishes": {"post": _op("Submit or replace a student's wish", tag="wishes", body="WishSubmission", **accepted)},
        "/api/v1/students": {"get": _op("The caller's school's students (pseudonyms)", tag="students")},
        "/api/v1/students/{student_ref}": {
            "get": _op("One own student with wishes", tag="students", params=("student_ref",)),
            "delete": _op("Erase a student's personal data", tag="students", params=("student_ref",), **accepted)},
        "/api/v1/students/{student_ref}/wishes/{period_id}/withdraw": {"post": _op(
            "Withdraw a wish", tag="wishes", body="Withdraw", params=("student_ref", "period_id"), **accepted)},
        "/api/v1/students/{student_ref}/wishes/{period_id}/opt-out": {"post": _op(
            "The student opts out (own place)", tag="wishes", body="OptOut", params=("student_ref", "period_id"), **accepted)},
        "/api/v1/places": {
            "get": _op("The caller's organisation's places", tag="places"),
            "post": _op("Post a place", tag="places", body="Place", **accepted)},
        "/api/v1/places/{place_id}": {
            "get": _op("One own place", tag="places", params=("place_id",)),
            "put": _op("Replace an own place", tag="places", body="Place", params=("place_id",), **accepted),
            "delete": _op("Withdraw an own place", tag="places", params=("place_id",), **accepted)},
        "/api/v1/imports/wishes": {"post": _op("Import wishes (CSV or XLSX)", tag="imports", multipart=True,
                                               extra_params=fmt, **accepted)},
        "/api/v1/imports/places": {"post": _op("Import places (CSV or XLSX)", tag="imports", multipart=True,
                                               extra_params=fmt, **accepted)},
        "/api/v1/periods": {"get": _op("Periods of the caller's region", tag="periods")},
        "/api/v1/periods/{period_id}": {"put": _op("Create or replace a period (coordinator)", tag="periods",
                                                   body="Period", params=("period_id",), errors=(409, 422))},
        "/api/v1/schools/{school_id}": {"put": _op("Register a school (coordinator)", tag="schools",
                                                   body="School", params=("school_id",), errors=(409, 422))},
        "/internal/v1/contacts": {"get": _op("Contacts of released students (notifier)", tag="internal", extra_params=[
            {"in": "query", "name": "student_ref", "required": True, "style": "form", "explode": True,
             "schema": {"type": "array", "minItems": 1, "maxItems": 500, "items": ID_SCHEMA}}])},
        "/internal/v1/schools/{school_id}": {"get": _op("A school's contact (notifier)", tag="internal",
                                                        params=("school_id",))},
    }


def build_spec() -> dict[str, Any]:
    """The OpenAPI 3.0 document as a dict."""
    spec = APISpec(title="Stagepool intake", version="1.0.0", openapi_version="3.0.3",
                   plugins=[MarshmallowPlugin()],
                   info={"description": "Students' learning wishes and organisations' places, blind by construction. "
                                        "Answers in Dutch by default; ?lang=en for English."})
    spec.components.security_scheme("bearer", {"type": "http", "scheme": "bearer"})
    for name, schema in (("WishSubmission", schemas.WishSubmissionIn), ("Withdraw", schemas.WithdrawIn),
                         ("OptOut", schemas.OptOutIn), ("Place", schemas.PlaceIn), ("Period", schemas.PeriodIn),
                         ("School", schemas.SchoolIn), ("Accepted", schemas.AcceptedOut), ("Error", schemas.ErrorOut),
                         ("ImportRejected", schemas.ImportRejectedOut)):
        spec.components.schema(name, schema=schema)
    for path, operations in _paths().items():
        spec.path(path=path, operations=operations)
    document = spec.to_dict()
    document["security"] = [{"bearer": []}]
    return document


@bp.get("/api/v1/openapi.json")
def openapi_json() -> Response:
    """The OpenAPI document (built once per app)."""
    cache = current_app.extensions.setdefault("intake_openapi", {})
    if "doc" not in cache:
        cache["doc"] = build_spec()
    return jsonify(cache["doc"])


@bp.get("/api/docs")
def docs_page() -> Response:
    """A readable page that renders the OpenAPI document."""
    html = resources.files("intake").joinpath("templates/docs.html").read_text(encoding="utf-8")
    return Response(html, mimetype="text/html")


@bp.get("/api/docs.<any(js, css):kind>")
def docs_asset(kind: str) -> Response:
    """The docs page's script and stylesheet as files: the CSP allows no inline script or style."""
    text = resources.files("intake").joinpath(f"templates/docs.{kind}").read_text(encoding="utf-8")
    return Response(text, mimetype="text/javascript" if kind == "js" else "text/css")
