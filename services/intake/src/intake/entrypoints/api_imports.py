"""Bulk import of wishes (school staff) and places (organisation staff) from CSV or XLSX, and templates.

All or nothing per file: every row is validated first; only when all are valid are the events published
(one publish_all, one wait for acks) and then the records stored. Otherwise 422 with a row-by-row report
(row, column, message), as JSON or, with ?format=csv, as a CSV file.
"""

from __future__ import annotations

from typing import Any, Callable, Sequence

from flask import Blueprint, Response, g, request
from marshmallow import Schema, ValidationError

from stagepool_shared.http import error, lang
from stagepool_shared.i18n import translate

from ..adapters.tabular import UnreadableFile, read_table, write_csv, write_xlsx
from .rows import PLACE_COLUMNS, WISH_COLUMNS, Column, RowError, column_of, flatten, header_problems, row_to_data
from .schemas import PlaceIn, WishSubmissionIn
from . import metrics
from .web import SCHOOL_ROLES, idempotent, json_response, load, requires, seed, services

bp = Blueprint("imports", __name__, url_prefix="/api/v1")
KINDS = {"wishes": WISH_COLUMNS, "places": PLACE_COLUMNS}


@bp.before_app_request
def _allow_large_imports() -> None:
    """Import uploads may be larger than JSON bodies (MAX_CONTENT_LENGTH stays for everything else)."""
    if request.path.startswith("/api/v1/imports/"):
        request.max_content_length = services().import_max_bytes


@bp.post("/imports/wishes")
@requires(*SCHOOL_ROLES)
@idempotent
def import_wishes() -> Response:
    """Import a file of wishes for the caller's school."""
    principal = g.principal
    return _import("wishes", WISH_COLUMNS, WishSubmissionIn(), ("wish",),
                   lambda rows: services().intake.check_wish_rows(principal.scope, principal.region_id, rows, seed()))


@bp.post("/imports/places")
@requires("organisation_staff")
@idempotent
def import_places() -> Response:
    """Import a file of places for the caller's organisation."""
    principal = g.principal
    return _import("places", PLACE_COLUMNS, PlaceIn(), (),
                   lambda rows: services().intake.check_place_rows(principal.scope, principal.region_id, rows, seed()))


@bp.get("/templates/<any(wishes, places):kind>.<any(csv, xlsx):fmt>")
def template(kind: str, fmt: str) -> Response:
    """An empty import file with the Dutch column headers (English headers are accepted too)."""
    columns = KINDS[kind]
    headers = [c.dutch for c in columns]
    if fmt == "csv":
        return _download(write_csv(headers), "text/csv; charset=utf-8", f"{kind}.csv")
    notes = [(c.dutch, f"{'verplicht' if c.required else 'optioneel'}; Engels: {c.english}. {c.note}".strip())
             for c in columns]
    return _download(write_xlsx(headers, notes),
                     "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet", f"{kind}.xlsx")


def _download(body: bytes, mimetype: str, filename: str) -> Response:
    return Response(body, mimetype=mimetype, headers={"Content-Disposition": f'attachment; filename="{filename}"'})


def _import(kind: str, columns: Sequence[Column], schema: Schema, criteria_keys: tuple[str, ...],
            check: Callable[[list[tuple[int, dict[str, Any]]]], tuple[Any, list[tuple[int, str, str]]]]) -> Response:
    with metrics.IMPORT_SECONDS.labels(kind).time():
        response, rows = _import_file(columns, schema, criteria_keys, check)
    metrics.IMPORT_ROWS.labels(kind, "accepted" if response.status_code == 202 else "rejected").inc(rows)
    return response


def _import_file(columns: Sequence[Column], schema: Schema, criteria_keys: tuple[str, ...],
                 check: Callable) -> tuple[Response, int]:
    """Read, validate every row, and publish + store only when all are valid; (answer, number of rows)."""
    upload = request.files.get("file")
    if upload is None:
        return error(400, "bad_request", "Send the file as multipart/form-data in the field 'file'."), 0
    try:
        headers, cells = read_table(upload.filename or "", upload.read(), services().import_max_rows)
    except UnreadableFile as err:
        return error(400, "bad_request", str(err)), 0
    mapped, errors = header_problems(headers, columns)
    if errors:
        return _report(errors), len(cells)
    rows, errors = _load_rows(cells, mapped, columns, schema, criteria_keys)
    if not rows and not errors:
        return error(422, "validation_failed", "The file has no rows."), 0
    prepared, rule_errors = check(rows)
    errors.extend(RowError(row, column_of(path, columns), msg) for row, path, msg in rule_errors)
    if errors:
        return _report(errors), len(cells)
    envelopes = services().intake.commit(prepared)
    return json_response({"accepted": len(envelopes), "event_ids": [e.event_id for e in envelopes]}, 202), len(envelopes)


def _load_rows(cells: list[list[str]], mapped: Sequence[Column | None], columns: Sequence[Column],
               schema: Schema, criteria_keys: tuple[str, ...]) -> tuple[list[tuple[int, dict]], list[RowError]]:
    rows: list[tuple[int, dict]] = []
    errors: list[RowError] = []
    for number, cellrow in enumerate(cells, start=2):
        if not any(c.strip() for c in cellrow):
            continue
        if len(cellrow) > len(mapped):
            errors.append(RowError(number, "", "The row has more cells than the header."))
            continue
        data, cell_errors = row_to_data(cellrow, mapped)
        errors.extend(RowError(number, col, msg) for col, msg in cell_errors.items())
        if cell_errors:
            continue
        try:
            rows.append((number, load(schema, data, criteria_keys=criteria_keys)))
        except ValidationError as err:
            errors.extend(RowError(number, column_of(p, columns), m) for p, m in flatten(err.messages))
    return rows, errors


def _report(errors: list[RowError]) -> Response:
    """422 with every problem: JSON by default, CSV with ?format=csv."""
    language = lang()
    items = [{"row": e.row, "column": e.column, "message": translate(e.message, language)} for e in errors]
    if request.args.get("format") == "csv":
        heads = ["rij", "kolom", "melding"] if language == "nl" else ["row", "column", "message"]
        body = write_csv(heads, [[i["row"], i["column"], i["message"]] for i in items])
        response = _download(body, "text/csv; charset=utf-8", "import-errors.csv")
        response.status_code = 422
        return response
    return json_response({"error": "import_rejected",
                          "message": translate("The file was not imported; nothing was stored.", language),
                          "errors": items}, 422)
