"""The student's page to report discrimination: what happened, when, at which organisation (the required
minimum: picked from the student's own placements, or found by its name), the phase, and the choice to stay
anonymous; optionally ask for another internship place.

Every message appears next to its field, what the student typed stays in the form, and nothing is stored or
published until the whole form is valid (format first, then the desk's minimum). Imports flask, marshmallow,
the shared web layer, the desk's rules and reporting's desk commands.
"""

from __future__ import annotations

from datetime import date

from flask import Blueprint, Response, redirect, request, url_for
from marshmallow import ValidationError

from stagepool_shared.web.pages import current_lang, field_errors, page, render, t

from ...commands.desk import NewReport, file_report as file_desk_report, report_defaults
from ...commands.report_form import find_organisation, known_organisation_names, own_organisations
from ...domain import desk as rules
from ...errors import IncompleteReport
from ...schemas import NewReportSchema
from ..web import deps, filing_done, filing_wait
from .common import form_booleans, form_values, me, options, typed

FIELDS = ("description", "incident_date", "organisation_id", "phase", "category", "anonymous",
          "alternative_placement_needed", "period_id")
#: Typed by the student to find an organisation by name; never stored or published (the id is).
SHOWN = FIELDS + ("organisation_name",)

blueprint = Blueprint("reporting_report", __name__, url_prefix="/pages/report")


@blueprint.get("")
@page("student")
def report_form() -> Response:
    """The empty form, with the student's latest placement filled in."""
    return _form(typed({}, SHOWN) | report_defaults(deps(), me()), {})


@blueprint.post("")
@page("student")
def file_report() -> Response:
    """File the report once the whole form is valid; otherwise show every message at once."""
    shown = form_values(SHOWN)
    if wait := filing_wait(me()):
        return _too_many(wait)
    values, found = _organisation(shown)
    data, errors = _check(values)
    errors = found | {k: v for k, v in errors.items() if not (found and k == "organisation_id")}
    if not errors:
        try:
            case = file_desk_report(deps(), me(), NewReport(**data))
        except IncompleteReport as err:
            errors = err.fields
        else:
            filing_done(me())
            return redirect(url_for(".report_form", filed=case.report_id))
    return _form(typed(shown, SHOWN), field_errors(errors), 422)


def _organisation(shown: dict[str, str]) -> tuple[dict[str, str], dict[str, list[str]]]:
    """The form's values with the organisation picked from the list, or found by the name typed (issue 14.15),
    and the name's error when no single organisation has it."""
    values = {k: v for k, v in shown.items() if k != "organisation_name"}
    name = shown.get("organisation_name", "")
    if values.get("organisation_id") or not name:
        return values, {}
    try:
        values["organisation_id"] = find_organisation(deps(), me(), name)
    except IncompleteReport as err:
        return values, err.fields
    return values, {}


def _too_many(wait_s: int) -> Response:
    """429: the student filed the most reports an hour allows (issue 19.2); says when they can file again."""
    minutes = -(-wait_s // 60)
    message = t(f"Je hebt zojuist meerdere meldingen gedaan; het meldpunt leest ze allemaal. Over {minutes} minuten "
                "kun je weer melden.", "You filed several reports just now; the desk reads them all. You can file "
                f"again in {minutes} minutes.")
    response = render("stagepool/error.html", status=429, code=429, title=t("Even wachten", "Please wait"),
                      message=message)
    response.headers["Retry-After"] = str(wait_s)
    return response


def _check(values: dict[str, str]) -> tuple[dict, dict[str, list[str]]]:
    """The form loaded, and every message at once: format errors first, then the desk's required minimum."""
    errors: dict[str, list[str]] = {}
    data: dict = {}
    try:
        data = NewReportSchema().load(form_booleans(NewReportSchema(), values))
    except ValidationError as err:
        errors = dict(err.messages)
    incident = values.get("incident_date") if "incident_date" not in errors else "2000-01-01"
    checks = [lambda: rules.check_minimum(values.get("description"), incident, values.get("organisation_id"),
                                          None, deps().clock().date())]
    if values.get("alternative_placement_needed"):
        checks.append(lambda: rules.check_replacement_request(bool(data.get("anonymous")), values.get("period_id")))
    for check in checks:
        try:
            check()
        except IncompleteReport as err:
            for name, messages in err.fields.items():
                errors.setdefault(name, messages)
    if not errors and isinstance(data.get("incident_date"), date):
        data["incident_date"] = data["incident_date"].isoformat()
    return data, errors


def _form(form: dict[str, str], errors: dict[str, list[str]], status: int = 200) -> Response:
    lang = current_lang()
    return render("pages/report.html", status=status, form=form, errors=errors,
                  own=own_organisations(deps(), me()), organisation_names=known_organisation_names(deps(), me()),
                  phases=options(rules.PHASES, lang), categories=options(rules.CATEGORIES, lang),
                  filed=request.args.get("filed", ""), today=date.today().isoformat())
