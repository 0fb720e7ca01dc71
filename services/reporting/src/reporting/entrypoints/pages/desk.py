"""The desk staff's pages: the case list (overdue first; what is overdue at SBB above it), a case page with the
decrypted report (every view is audited by the desk command, as the API is) and its SBB section (forms posted
to pages/desk_sbb.py), status changes, and "alternative placement needed".

Imports flask, marshmallow, the shared web layer and reporting's desk commands.
"""

from __future__ import annotations

from typing import Any

from flask import Blueprint, Response, redirect, request, url_for
from marshmallow import ValidationError

from stagepool_shared.web.listing import error_texts, paginate, read_query, wants_xlsx, xlsx_response
from stagepool_shared.web.pages import current_lang, field_errors, page, render, t

from ...commands import desk as desk_commands
from ...commands import sbb as sbb_commands
from ...commands.contact_signals import today
from ...commands.report import periods_of_region
from ...domain import desk as rules
from ...errors import IncompleteReport, InvalidTransition, NotFound
from ...schemas import AlternativePlaceSchema, StatusChangeSchema
from ..web import deps
from .common import form_values, me, not_found, options, typed, word
from .lists import case_columns, case_filters, case_row, matching_cases
from .sbb_words import overdue_rows, sbb_context

DESK = "desk_staff"
STATUS_FIELDS = ("status", "note")
ALTERNATIVE_FIELDS = ("period_id", "school_id")

blueprint = Blueprint("reporting_desk", __name__, url_prefix="/pages/desk")


@blueprint.get("")
@page(DESK)
def cases() -> Response:
    """The region's cases, overdue first: 50 a page, searched by report, organisation or school, filtered by
    status, kind, phase and deadline; `?download=xlsx` downloads every matching case (issue 14.9)."""
    lang = current_lang()
    filters = case_filters(lang)
    query, errors = read_query(request.args, filters, keep=("lang", "view"))
    overdue_only = request.args.get("view") == "overdue"
    views = desk_commands.list_cases(deps(), me(), overdue_only)
    rows = matching_cases([case_row(v, lang) for v in views], query)
    if wants_xlsx(query, errors):
        return xlsx_response(rows, case_columns(), f"meldingen-{me().region_id}")
    sbb_late = overdue_rows(sbb_commands.sbb_overdue(deps(), me()), lang)
    return render("pages/desk.html", status=422 if errors else 200, page=paginate(rows, query.page), query=query,
                  filters=filters, errors=error_texts(errors), overdue_only=overdue_only, sbb_late=sbb_late)


@blueprint.get("/<report_id>")
@page(DESK)
def case(report_id: str) -> Response:
    return _case(report_id)


@blueprint.post("/<report_id>/status")
@page(DESK)
def change_status(report_id: str) -> Response:
    """Move the case one step; a step the workflow does not allow is shown next to the status field."""
    values = form_values(STATUS_FIELDS)
    try:
        data = StatusChangeSchema().load(values)
        desk_commands.change_status(deps(), me(), report_id, data["status"], data["note"])
    except ValidationError as err:
        return _case(report_id, status_form=typed(values, STATUS_FIELDS), errors=field_errors(err.messages),
                     status=422)
    except NotFound:
        return not_found()
    except InvalidTransition as err:
        message = t(f"Deze melding kan niet van '{word(err.current, 'nl')}' naar '{word(err.wanted, 'nl')}'.",
                    f"This case cannot move from '{err.current}' to '{err.wanted}'.")
        return _case(report_id, status_form=typed(values, STATUS_FIELDS), errors={"status": [message]}, status=409)
    return redirect(url_for(".case", report_id=report_id, done="status"))


@blueprint.post("/<report_id>/alternative-placement")
@page(DESK)
def alternative(report_id: str) -> Response:
    """Ask the matcher for another place for the reporting student."""
    values = form_values(ALTERNATIVE_FIELDS)
    try:
        data = AlternativePlaceSchema().load(values)
        desk_commands.request_alternative_place(deps(), me(), report_id, data["period_id"], data["school_id"])
    except ValidationError as err:
        return _case(report_id, alt_form=typed(values, ALTERNATIVE_FIELDS), errors=field_errors(err.messages),
                     status=422)
    except IncompleteReport as err:
        return _case(report_id, alt_form=typed(values, ALTERNATIVE_FIELDS), errors=field_errors(err.fields),
                     status=422)
    except NotFound:
        return not_found()
    return redirect(url_for(".case", report_id=report_id, done="alternative"))


def _case(report_id: str, status_form: dict | None = None, alt_form: dict | None = None,
          errors: dict[str, list[str]] | None = None, status: int = 200, **sbb_forms: dict) -> Response:
    """The case page: reading it is an audited view of the sealed content. `sbb_forms`: what was typed into
    the SBB forms (answer_form, measure_form), shown again with their errors (pages/desk_sbb.py)."""
    lang = current_lang()
    try:
        view = desk_commands.read_case(deps(), me(), report_id)
    except NotFound:
        return not_found()
    periods = periods_of_region(deps(), view.case.region_id)
    context: dict[str, Any] = dict(
        view=view, case=view.case, content=view.content, errors=errors or {}, done=request.args.get("done", ""),
        status_text=word(view.case.status, lang), phase=word(view.case.phase, lang),
        category=word(view.case.category, lang),
        next_statuses=options(rules.NEXT.get(view.case.status, ()), lang),
        history=[(word(step.status, lang), step.at) for step in view.case.history],
        status_form=status_form or typed({}, STATUS_FIELDS),
        alt_form=alt_form or {"period_id": periods[-1] if periods else "", "school_id": ""},
        **sbb_context(view, lang, sbb_forms, today(deps())))
    return render("pages/desk_case.html", status=status, **context)
