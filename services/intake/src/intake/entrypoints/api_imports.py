"""Bulk import of wishes (school staff) and places (organisation staff) from CSV or XLSX, and templates.

All or nothing per file: every row is validated first; only when all are valid are the events published
(one publish_all, one wait for acks) and then the records stored. Otherwise 422 with a row-by-row report
(row, column, message), as JSON or, with ?format=csv, as a CSV file.
"""

from __future__ import annotations

from typing import Sequence

from flask import Blueprint, Response, g, request
from marshmallow import Schema

from stagepool_shared.http import error, lang
from stagepool_shared.i18n import translate

from ..adapters.tabular import write_csv, write_xlsx
from .importing import EMPTY, OVER_LIMIT, REJECTED, TOO_LARGE, UNREADABLE, Check, ImportResult, import_file
from .rows import PLACE_COLUMNS, WISH_COLUMNS, Column, RowError
from .schemas import PlaceIn, WishSubmissionIn
from .. import commands, metrics
from .web import SCHOOL_ROLES, deps, idempotent, json_response, requires, seed, wiring

bp = Blueprint("imports", __name__, url_prefix="/api/v1")
KINDS = {"wishes": WISH_COLUMNS, "places": PLACE_COLUMNS}
XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


@bp.before_app_request
def _allow_large_imports() -> None:
    """Import uploads may be larger than JSON bodies (MAX_CONTENT_LENGTH stays for everything else)."""
    if request.path.startswith("/api/v1/imports/") or request.path == "/pages/school/upload":
        request.max_content_length = wiring().settings.import_max_bytes


@bp.post("/imports/wishes")
@requires(*SCHOOL_ROLES)
@idempotent
def import_wishes() -> Response:
    """Import a file of wishes for the caller's school."""
    principal = g.principal
    return import_upload("wishes", WISH_COLUMNS, WishSubmissionIn(), ("wish",), lambda rows: commands.check_wish_rows(
        deps(), principal.scope, principal.region_id, rows, seed()))


@bp.post("/imports/places")
@requires("organisation_staff")
@idempotent
def import_places() -> Response:
    """Import a file of places for the caller's organisation."""
    principal = g.principal
    return import_upload("places", PLACE_COLUMNS, PlaceIn(), (), lambda rows: commands.check_place_rows(
        deps(), principal.scope, principal.region_id, rows, seed()))


@bp.get("/templates/<any(wishes, places):kind>.<any(csv, xlsx):fmt>")
def template(kind: str, fmt: str) -> Response:
    """An empty import file with the Dutch column headers (English headers are accepted too)."""
    return template_file(kind, fmt, KINDS[kind])


def template_file(kind: str, fmt: str, columns: Sequence[Column]) -> Response:
    """`kind`.csv or `kind`.xlsx with the Dutch headers of `columns`; the XLSX notes each column."""
    headers = [c.dutch for c in columns]
    if fmt == "csv":
        return download(write_csv(headers), "text/csv; charset=utf-8", f"{kind}.csv")
    notes = [(c.dutch, f"{'verplicht' if c.required else 'optioneel'}; Engels: {c.english}. {c.note}".strip())
             for c in columns]
    return download(write_xlsx(headers, notes), XLSX, f"{kind}.xlsx")


def download(body: bytes, content_type: str, filename: str) -> Response:
    """A file to save; `content_type` is sent as given (a mimetype would get a second charset)."""
    return Response(body, content_type=content_type, headers={"Content-Disposition": f'attachment; filename="{filename}"'})


def import_upload(kind: str, columns: Sequence[Column], schema: Schema, criteria_keys: tuple[str, ...],
                  check: Check) -> Response:
    """Import the uploaded file of `kind`, timed and counted in the import metrics."""
    with metrics.IMPORT_SECONDS.labels(kind).time():
        response, rows = _import_file(columns, schema, criteria_keys, check)
    metrics.IMPORT_ROWS.labels(kind, "accepted" if response.status_code == 202 else "rejected").inc(rows)
    return response


def _import_file(columns: Sequence[Column], schema: Schema, criteria_keys: tuple[str, ...],
                 check: Check) -> tuple[Response, int]:
    """Read, validate every row, and publish + store only when all are valid; (answer, number of rows)."""
    upload = request.files.get("file")
    if upload is None:
        return no_file(), 0
    result = import_file(deps(), upload.filename or "", upload.read(), wiring().settings.import_limits,
                         columns, schema, criteria_keys, check)
    refused = refusal(result)
    if refused is not None:
        return refused, result.rows
    return json_response({"accepted": result.rows, "event_ids": result.event_ids}, 202), result.rows


def no_file() -> Response:
    """400: the request holds no file to import."""
    return error(400, "bad_request", "Send the file as multipart/form-data in the field 'file'.")


def refusal(result: ImportResult) -> Response | None:
    """The answer to a file that was not imported (400, 413 or 422), None for an accepted one."""
    if result.outcome == UNREADABLE:
        return error(400, "bad_request", result.problem)
    if result.outcome == TOO_LARGE:
        return error(413, "too_large", result.problem)
    if result.outcome in (EMPTY, OVER_LIMIT):
        return error(422, "validation_failed", result.problem)
    if result.outcome == REJECTED:
        return report(result.errors)
    return None


def report(errors: list[RowError]) -> Response:
    """422 with every problem: JSON by default, CSV with ?format=csv."""
    language = lang()
    items = [{"row": e.row, "column": e.column, "message": translate(e.message, language)} for e in errors]
    if request.args.get("format") == "csv":
        heads = ["rij", "kolom", "melding"] if language == "nl" else ["row", "column", "message"]
        body = write_csv(heads, [[i["row"], i["column"], i["message"]] for i in items])
        response = download(body, "text/csv; charset=utf-8", "import-errors.csv")
        response.status_code = 422
        return response
    return json_response({"error": "import_rejected",
                          "message": translate("The file was not imported; nothing was stored.", language),
                          "errors": items}, 422)
