"""The desk's SBB pages (issue 20.6): forward a case, the printable export (and its CSV), SBB's answer and the
measures on the case page. Desk staff of the case's region only (404 for everyone else, as on every desk page);
bad input is shown next to its field with nothing changed.

Imports flask, marshmallow, the shared web layer and reporting's SBB commands.
"""

from __future__ import annotations

from flask import Blueprint, Response, redirect, url_for
from marshmallow import ValidationError

from stagepool_shared.web.pages import current_lang, field_errors, form_values, page, render, t, typed

from ...commands import sbb as commands
from ...domain.sbb import EXPORT_FIELDS
from ...errors import InvalidInput, InvalidTransition, NotFound
from ...schemas import SbbAnswerSchema, SbbMeasureSchema, SbbMeasureStatusSchema
from ..api_desk import csv_of
from ..web import deps
from .common import me, not_found, word
from .desk import DESK, _case
from .sbb_words import ANSWER_FIELDS, MEASURE_FIELDS

blueprint = Blueprint("reporting_desk_sbb", __name__, url_prefix="/pages/desk")


@blueprint.post("/<report_id>/sbb-forward")
@page(DESK)
def forward(report_id: str) -> Response:
    """Forward the case to SBB (from in behandeling); another status is a message at the SBB section."""
    try:
        commands.forward_to_sbb(deps(), me(), report_id)
    except NotFound:
        return not_found()
    except InvalidTransition:
        message = t("Alleen een melding in behandeling kan naar SBB.", "Only a case in progress can go to SBB.")
        return _case(report_id, errors={"sbb": [message]}, status=409)
    return redirect(url_for("reporting_desk.case", report_id=report_id, done="sbb_forward"))


@blueprint.get("/<report_id>/sbb-export")
@page(DESK)
def export(report_id: str) -> Response:
    """The printable export: exactly what is sent to SBB, field by field."""
    document = _document(report_id)
    if document is None:
        return not_found()
    lang = current_lang()
    rows = [(name, word(value, lang) if name in ("category", "phase", "reporter_role") else value)
            for name, value in document.items()]
    return render("pages/desk_sbb_export.html", report_id=report_id, rows=rows)


@blueprint.get("/<report_id>/sbb-export.csv")
@page(DESK)
def export_csv(report_id: str) -> Response:
    document = _document(report_id)
    return not_found() if document is None else csv_of([document], EXPORT_FIELDS, f"sbb-{report_id}.csv")


def _document(report_id: str) -> dict | None:
    """The export of a forwarded case of the desk's region; None for any other case (the page answers 404)."""
    try:
        return commands.sbb_export(deps(), me(), report_id)
    except (NotFound, InvalidInput):
        return None


@blueprint.post("/<report_id>/sbb-answer")
@page(DESK)
def answer(report_id: str) -> Response:
    values = form_values(ANSWER_FIELDS)
    try:
        data = SbbAnswerSchema().load(values)
        commands.record_sbb_answer(deps(), me(), report_id, data["answered_on"], data["reference"], data["outcome"])
    except NotFound:
        return not_found()
    except (ValidationError, InvalidInput) as err:
        return _case(report_id, errors=_errors(err), status=422, answer_form=typed(values, ANSWER_FIELDS))
    return redirect(url_for("reporting_desk.case", report_id=report_id, done="sbb_answer"))


@blueprint.post("/<report_id>/sbb-measures")
@page(DESK)
def measure(report_id: str) -> Response:
    values = form_values(MEASURE_FIELDS)
    body = {"description": values.get("measure_text", ""), **{k: v for k, v in values.items() if k != "measure_text"}}
    try:
        data = SbbMeasureSchema().load(body)
        commands.add_sbb_measure(deps(), me(), report_id, data["description"], data["owner_role"], data["deadline"])
    except NotFound:
        return not_found()
    except (ValidationError, InvalidInput) as err:
        errors = {("measure_text" if k == "description" else k): v for k, v in _errors(err).items()}
        return _case(report_id, errors=errors, status=422, measure_form=typed(values, MEASURE_FIELDS))
    return redirect(url_for("reporting_desk.case", report_id=report_id, done="sbb_measure"))


@blueprint.post("/<report_id>/sbb-measures/<measure_id>")
@page(DESK)
def measure_status(report_id: str, measure_id: str) -> Response:
    values = form_values(("measure_status",))
    try:
        data = SbbMeasureStatusSchema().load({"status": values.get("measure_status", "")})
        commands.update_sbb_measure(deps(), me(), report_id, measure_id, data["status"])
    except NotFound:
        return not_found()
    except ValidationError as err:
        return _case(report_id, errors={"measure_status": field_errors(err.messages)["status"]}, status=422)
    return redirect(url_for("reporting_desk.case", report_id=report_id, done="sbb_measure_status"))


def _errors(err: ValidationError | InvalidInput) -> dict[str, list[str]]:
    """Field messages: the schema's, or the domain's codes in words."""
    if isinstance(err, ValidationError):
        return field_errors(err.messages)
    return {name: [word(code, current_lang()) for code in codes] for name, codes in err.fields.items()}
