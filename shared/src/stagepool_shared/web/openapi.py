"""The OpenAPI 3 document of a service's API, derived from its routes, and the routes that serve it.

A service declares an `ApiDoc`: per view (Flask endpoint) an `Op` naming the marshmallow schemas the view
validates with. `build_document` walks the app's `url_map`: paths, methods and path parameters come from the
routes, the roles from the `require` decorator on the view, so the document cannot drift from the routes; an
API route without an `Op` is an error. `install_api_docs` serves the document at /api/v1/openapi.json and a
readable page (a self-made page rendering the document; no CDN, no inline code) at /api/docs, and holds every
request to what the document promises of all operations (`lang`, ids in the path).

Imports Flask, apispec and its marshmallow plugin and the shared HTTP edge; no service.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from importlib import resources
from typing import Any

from apispec import APISpec
from apispec.ext.marshmallow import MarshmallowPlugin
from flask import Blueprint, Flask, Response, current_app, jsonify, render_template, request
from marshmallow import RAISE, Schema, ValidationError

from ..events.rules import ID_PATTERN
from ..http import error
from .openapi_schemas import ErrorOut

JSON = "application/json"
EXTENSION = "stagepool_openapi"
DOCUMENT_PATH = "/api/v1/openapi.json"
ERROR = {"description": "Error", "content": {JSON: {"schema": "Error"}}}
OK = {"description": "OK", "content": {JSON: {"schema": {"type": "object"}}}}
LANG = {"in": "query", "name": "lang", "required": False, "schema": {"type": "string", "enum": ["nl", "en"]}}
IDEMPOTENCY = {"in": "header", "name": "Idempotency-Key", "required": False,
               "schema": {"type": "string", "minLength": 1, "maxLength": 200, "pattern": "^[!-~]+$"}}
#: A path segment naming an object: what `ID_PATTERN` allows (every id on the wire follows it).
ID_SCHEMA = {"type": "string", "pattern": ID_PATTERN}
#: A write that publishes before it stores (pattern A) may also answer these.
WRITE_ERRORS = (409, 413, 422, 503)
_VARIABLE = re.compile(r"<(?:(\w+)(?:\(([^)]*)\))?:)?(\w+)>")
_ID = re.compile(ID_PATTERN)

docs = Blueprint("api_docs", __name__, template_folder="templates")


@dataclass(frozen=True)
class Op:
    """One operation: what the route's URL and decorators do not say.

    Args:
        summary: one line for the docs page.
        tag: the group on the docs page.
        body: the schema the view loads the JSON body with (unknown fields raise: additionalProperties false).
        body_required: False where an empty body is accepted too.
        query: the schema the view loads its query string with (`load_query`; one parameter per field).
        roles: only for views without `require`: the roles the view answers (empty: no token needed).
        ok: the success status; answer: its JSON schema (a component name or a schema class).
        content: other media types of the success answer (CSV, HTML).
        write: a command that publishes before it stores: it may also answer 409, 413, 422 and 503.
        idempotent: the view takes an Idempotency-Key header.
        errors: further statuses the view answers.
        path: schemas of path parameters other than ids.
        extra: raw parts of the operation (a multipart body, extra parameters, a response of its own).
    """

    summary: str
    tag: str
    body: type[Schema] | None = None
    body_required: bool = True
    query: type[Schema] | None = None
    roles: tuple[str, ...] | None = None
    ok: int = 200
    answer: str | type[Schema] | None = None
    content: dict[str, dict] = field(default_factory=dict)
    write: bool = False
    idempotent: bool = False
    errors: tuple[int, ...] = ()
    path: dict[str, dict] = field(default_factory=dict)
    extra: dict[str, Any] = field(default_factory=dict)


@dataclass(frozen=True)
class ApiDoc:
    """A service's API: its title, the English description of the document, the Dutch introduction of the
    docs page, the operations by endpoint and further named schemas (answers, shared parts)."""

    title: str
    description: str
    intro: str
    operations: dict[str, Op]
    components: dict[str, type[Schema]] = field(default_factory=dict)


def build_document(api: ApiDoc, app: Flask) -> dict[str, Any]:
    """The OpenAPI 3.0 document of `app`'s API routes, described by `api`, as a dict."""
    spec = APISpec(title=api.title, version="1.0.0", openapi_version="3.0.3", plugins=[MarshmallowPlugin()],
                   info={"description": api.description})
    spec.components.security_scheme("bearer", {"type": "http", "scheme": "bearer"})
    for name, schema in {"Error": ErrorOut, **api.components}.items():
        spec.components.schema(name, schema=schema)
    for path, operations in _paths(api, app).items():
        spec.path(path=path, operations=operations)
    document = spec.to_dict()
    document["security"] = [{"bearer": []}]
    return document


def api_rules(app: Flask) -> list[tuple[str, str, str]]:
    """(Flask rule, method, endpoint) of every API route of `app`: /api/ and /internal/, not the docs."""
    return sorted((rule.rule, method, rule.endpoint) for rule in app.url_map.iter_rules()
                  if rule.rule.startswith(("/api/", "/internal/")) and not rule.endpoint.startswith("api_docs.")
                  for method in (rule.methods or set()) - {"HEAD", "OPTIONS"})


def openapi_path(rule: str) -> str:
    """The OpenAPI path of a Flask rule: `<string(maxlength=80):id>` -> `{id}`."""
    return _VARIABLE.sub(lambda m: "{" + m.group(3) + "}", rule)


def _paths(api: ApiDoc, app: Flask) -> dict[str, dict[str, Any]]:
    routed = api_rules(app)
    unknown = sorted({endpoint for _, _, endpoint in routed} - set(api.operations))
    if unknown:
        raise LookupError(f"API routes without an Op in the service's openapi.API: {unknown}")
    paths: dict[str, dict[str, Any]] = {}
    for rule, method, endpoint in routed:
        roles = getattr(app.view_functions[endpoint], "roles", None)
        paths.setdefault(openapi_path(rule), {})[method.lower()] = _operation(
            api.operations[endpoint], endpoint, rule, roles)
    return paths


def _operation(op: Op, endpoint: str, rule: str, required_roles: tuple[str, ...] | None) -> dict[str, Any]:
    roles = op.roles if op.roles is not None else required_roles
    if roles is None:
        raise LookupError(f"{endpoint}: no require() on the view and no roles in its Op")
    parameters = _path_parameters(rule, op) + ([IDEMPOTENCY] if op.idempotent else []) + [LANG]
    if op.query is not None:
        parameters.append({"in": "query", "schema": op.query})
    codes = {400, 404, *op.errors, *(WRITE_ERRORS if op.write else ()), *((401, 403) if roles else ())}
    if op.body is not None:
        codes |= {413, 422}
    if op.query is not None or any(p["schema"] is ID_SCHEMA for p in parameters):
        codes.add(422)  # a query value its schema refuses, or a path id that is not an id
    operation: dict[str, Any] = {
        "summary": op.summary, "tags": [op.tag], "operationId": endpoint, "x-roles": list(roles),
        "parameters": parameters + list(op.extra.get("parameters", [])),
        "responses": {str(op.ok): _success(op), **{str(code): ERROR for code in sorted(codes)},
                      **op.extra.get("responses", {})},
    }
    if not roles:
        operation["security"] = []
    if op.body is not None:
        operation["requestBody"] = {"required": op.body_required, "content": {JSON: {"schema": op.body}}}
    if "requestBody" in op.extra:
        operation["requestBody"] = op.extra["requestBody"]
    return operation


def _path_parameters(rule: str, op: Op) -> list[dict[str, Any]]:
    parameters = []
    for converter, arguments, name in _VARIABLE.findall(rule):
        schema = op.path.get(name) or ID_SCHEMA
        if converter == "any" and name not in op.path:
            schema = {"type": "string", "enum": [a.strip().strip("'\"") for a in arguments.split(",")]}
        parameters.append({"in": "path", "name": name, "required": True, "schema": schema})
    return parameters


def _success(op: Op) -> dict[str, Any]:
    if op.ok == 204:
        return {"description": "No content"}
    content = {JSON: {"schema": op.answer}} if op.answer is not None else dict(OK["content"])
    if op.content:
        content = {**({JSON: content[JSON]} if op.answer is not None else {}), **op.content}
    return {"description": "OK", "content": content}


def install_api_docs(app: Flask, api: ApiDoc) -> None:
    """Serve `api`'s document at /api/v1/openapi.json and its docs page at /api/docs, and hold every request
    to an operation of `api` to what the document promises of all of them: `lang` is nl or en, and an id in
    the path has the form of an id (else a field-level 4xx, before the view runs)."""
    app.extensions[EXTENSION] = {"api": api}
    app.register_blueprint(docs)


def load_query(schema: type[Schema]) -> dict[str, Any]:
    """The query string loaded by `schema` (the operation's `Op.query`): a parameter given twice, or a value the
    schema refuses, is a ValidationError (422 with field messages). `lang` is checked for every operation."""
    args = request.args
    twice = {name: ["Give this parameter once."] for name in args if len(args.getlist(name)) > 1}
    if twice:
        raise ValidationError(twice)
    return schema(unknown=RAISE).load({name: args[name] for name in args if name != "lang"})


@docs.before_app_request
def _check_parameters() -> Response | None:
    """Before any view of a documented operation: `lang` once and nl/en (400), path ids of the id form (422)."""
    state = current_app.extensions.get(EXTENSION)
    rule = request.url_rule
    if state is None or rule is None or rule.endpoint not in state["api"].operations:
        return None
    languages = request.args.getlist("lang")
    if len(languages) > 1 or (languages and languages[0] not in ("nl", "en")):
        return error(400, "bad_request", "The query parameter lang must be one of: nl, en.",
                     fields={"lang": ["Must be one of: nl, en."]})
    overridden = state["api"].operations[rule.endpoint].path
    bad = {name: ["String does not match expected pattern."] for converter, _, name in _VARIABLE.findall(rule.rule)
           if converter != "any" and name not in overridden
           and not _ID.fullmatch(str((request.view_args or {}).get(name, "")))}
    if bad:
        return error(422, "validation_failed", "The input is not valid.", fields=bad)
    return None


@docs.get(DOCUMENT_PATH)
def openapi_json() -> Response:
    """The OpenAPI document (built once per app)."""
    state = current_app.extensions[EXTENSION]
    if "document" not in state:
        state["document"] = build_document(state["api"], current_app)
    return jsonify(state["document"])


@docs.get("/api/docs")
def docs_page() -> str:
    """A readable page that renders the OpenAPI document."""
    api: ApiDoc = current_app.extensions[EXTENSION]["api"]
    return render_template("stagepool/api_docs.html", title=api.title, intro=api.intro, document=DOCUMENT_PATH)


@docs.get("/api/docs.<any(js, css):kind>")
def docs_asset(kind: str) -> Response:
    """The docs page's script and stylesheet as files: the CSP allows no inline script or style."""
    text = resources.files("stagepool_shared.web").joinpath(f"static/api_docs.{kind}").read_text(encoding="utf-8")
    return Response(text, mimetype="text/javascript" if kind == "js" else "text/css")
